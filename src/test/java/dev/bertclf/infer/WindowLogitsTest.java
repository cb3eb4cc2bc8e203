package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.text.Truncation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The window rule's arithmetic and the truncation a model's metadata records. */
class WindowLogitsTest {
    @TempDir
    Path tmp;

    @Test
    void eachTextsLogitsAreTheMeanOfItsWindowsPerClass() {
        float[] perWindow = {1, 10, 3, 20, 5, 30, 7, 40}; // 4 windows of 2 logits: text 0 has 3, text 1 has 1
        assertArrayEquals(new float[] {3, 20, 7, 40}, TextClassifier.meanPerText(perWindow, new int[] {3, 1}, 2));
    }

    @Test
    void theStrideDefaultsToHalfTheWindowAndMustFitIt() {
        assertEquals(63, LongText.TRUNCATE.strideFor(126));
        assertEquals(64, LongText.TRUNCATE.strideFor(127));
        assertEquals(30, new LongText(LongText.Mode.window, 30, 4).strideFor(30));
        InvalidOptionException e = assertThrows(
                InvalidOptionException.class, () -> new LongText(LongText.Mode.window, 0, 4).strideFor(30));
        assertTrue(e.getMessage().contains("--stride must be 1 to 30"), e.getMessage());
        assertThrows(InvalidOptionException.class, () -> new LongText(LongText.Mode.window, null, 0));
        assertThrows(InvalidOptionException.class, () -> new LongText(LongText.Mode.window, null, 1025));
    }

    @Test
    void olderModelsReadAsHeadAndAnUnknownTruncationNamesTheFile() throws IOException {
        String older = "{\"maxSeqLen\": 16, \"classNames\": [\"neg\", \"pos\"]}";
        Files.writeString(tmp.resolve(ModelMetadata.FILE), older);
        assertEquals(Truncation.HEAD, ModelMetadata.read(tmp).truncationRule());
        Files.writeString(tmp.resolve(ModelMetadata.FILE), older.replace("}", ", \"truncation\": \"head+tail\"}"));
        assertEquals(Truncation.HEAD_TAIL, ModelMetadata.read(tmp).truncationRule());
        Files.writeString(tmp.resolve(ModelMetadata.FILE), older.replace("}", ", \"truncation\": \"middle\"}"));
        InferenceException e = assertThrows(InferenceException.class, () -> ModelMetadata.read(tmp));
        assertTrue(e.getMessage().contains(ModelMetadata.FILE + ": unknown truncation 'middle'"), e.getMessage());
    }
}
