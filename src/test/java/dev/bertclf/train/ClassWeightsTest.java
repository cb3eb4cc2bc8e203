package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassWeightsTest {
    static final List<String> CLASSES = List.of("neg", "pos");

    @Test
    void balancedGivesEachClassTheSameTotalWeight() {
        assertArrayEquals(new float[] {0.625f, 2.5f}, new ClassWeights("balanced").resolve(CLASSES, new int[] {8, 2}));
        assertArrayEquals(new float[] {1f, 3f}, new ClassWeights("pos=3").resolve(CLASSES, new int[] {8, 2}));
        assertNull(ClassWeights.NONE.resolve(CLASSES, new int[] {8, 2}));
    }

    @Test
    void badSpecificationsAreUsageErrors() {
        for (String bad : List.of("pos", "pos=0", "pos=-1", "pos=x", "=2", "pos=2,pos=3", "pos=Infinity")) {
            assertThrows(InvalidOptionException.class, () -> new ClassWeights(bad), bad);
        }
        InvalidOptionException e = assertThrows(
                InvalidOptionException.class, () -> new ClassWeights("spam=2").resolve(CLASSES, new int[] {1, 1}));
        assertTrue(e.getMessage().contains("class 'spam', which the data does not have"), e.getMessage());
    }

    /** The objective is the mean of weight times loss: a batch of one class weighs its loss by that class's weight. */
    @Test
    void theTrainingLossIsWeightedByClass(@TempDir Path tmp) throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        BertConfig config = TinyBert.config();
        EncodedBatch batch;
        try (WordPieceTokenizer tok = WordPieceTokenizer.fromVocab(model.resolve("vocab.txt"), true, 8)) {
            batch = tok.encode(List.of("great film", "loved the movie"));
        }
        float[] positive = {1f, 1f};
        float plain, weighted;
        try (TrainingGraph g = new TrainingGraph(config, 1, SessionOptions.defaults(), new Loss.Binary(null))) {
            plain = firstLoss(g, batch, positive);
        }
        try (TrainingGraph g =
                new TrainingGraph(config, 1, SessionOptions.defaults(), new Loss.Binary(new float[] {1f, 3f}))) {
            weighted = firstLoss(g, batch, positive);
        }
        assertEquals(3 * plain, weighted, 1e-5 * plain);
    }

    /** The loss of a first step from the same random weights (same seed: the same dropout masks). */
    private static float firstLoss(TrainingGraph g, EncodedBatch batch, float[] labels) {
        try (var init = WeightInit.create(g.variables().shapes(), 0.02f, 1)) {
            g.loadWeights(init);
        }
        return g.train(batch, labels, 1e-3, 0).loss();
    }
}
