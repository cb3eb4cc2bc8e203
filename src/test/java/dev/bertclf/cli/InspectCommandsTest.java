package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tutorial's sections 5 and 6 as commands: what the tokenizer and the encoder produce. */
class InspectCommandsTest {
    @TempDir Path tmp;

    @BeforeAll
    static void engine() { TfRuntime.engine(); }

    @Test
    void preprocessPrintsTheTutorialsTensors() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        Files.copy(Path.of("src/test/resources/vocab-bert-uncased.txt"), model.resolve("vocab.txt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EndToEndTest.Run r = EndToEndTest.run("preprocess", "--model", model.toString(), "this is such an amazing movie!");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Shape      : (1, 128)"), r.out());
        assertTrue(r.out().contains("Word Ids   : [101 2023 2003 2107 2019 6429 3185 999 102 0 0 0]"), r.out());
        assertTrue(r.out().contains("Input Mask : [1 1 1 1 1 1 1 1 1 0 0 0]"), r.out());
        assertTrue(r.out().contains("Type Ids   : [0 0 0 0 0 0 0 0 0 0 0 0]"), r.out());
    }

    @Test
    void embedPrintsPooledAndSequenceShapes() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        EndToEndTest.Run r = EndToEndTest.run("embed", "--model", model.toString(), "--max-seq-len", "16", "the movie was great");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Pooled Outputs Shape:(1, 32)"), r.out());
        assertTrue(r.out().contains("Sequence Outputs Shape:(1, 16, 32)"), r.out());
    }

    @Test
    void helpAndVersionWork() {
        assertEquals(0, EndToEndTest.run("--version").code());
        for (String cmd : new String[] {"download", "train", "evaluate", "predict", "preprocess", "embed"}) {
            EndToEndTest.Run r = EndToEndTest.run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: bert-clf " + cmd), r.out());
        }
    }
}
