package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.CpuFeatures;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.testutil.GraphOps;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.EncodedBatch;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;

/** A bf16 training graph builds its dense layers as fused bf16 products (on CPUs with bf16); an fp32 one does not. */
class Bf16TrainingGraphTest {
    private static long fusedProducts(boolean bf16) {
        try (TrainingGraph g = new TrainingGraph(TinyBert.config(), 1, new SessionOptions(0, 0, bf16))) {
            Graph graph = (Graph) g.variables().scope("").scope().env();
            return GraphOps.types(graph).stream().filter("_FusedMatMul"::equals).count();
        }
    }

    /**
     * Every family trains in bf16: ALBERT's shared layer (one weight, many products), ELECTRA's embedding projection,
     * talking heads' gated feed-forward; a few steps on one batch bring its loss down.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "electra", "albert", "talking_heads"})
    void everyFamilyTrainsInBf16(String family) {
        assumeTrue(CpuFeatures.bf16(), "built only on CPUs with bf16 instructions");
        BertConfig config = TinyBert.config(family);
        int rows = 8, seq = 12;
        int[] ids = new int[rows * seq], mask = new int[rows * seq];
        Random rnd = new Random(5);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 5 + rnd.nextInt(config.vocabSize - 5);
            mask[i] = 1;
        }
        EncodedBatch batch = new EncodedBatch(rows, seq, ids, mask, new int[rows * seq]);
        float[] labels = {1, 0, 1, 0, 1, 0, 1, 0};
        try (TrainingGraph g = new TrainingGraph(config, 1, new SessionOptions(0, 0, true))) {
            try (Weights w = WeightInit.create(g.variables().shapes(), config.initializerRange, 3)) {
                g.loadWeights(w);
            }
            g.turnOffDropout();
            float first = g.train(batch, labels, 1e-3, 0).loss(), last = first;
            for (int step = 1; step < 8; step++)
                last = g.train(batch, labels, 1e-3, step).loss();
            assertTrue(Float.isFinite(last) && last < first, family + ": loss " + first + " -> " + last);
        }
    }

    @Test
    void bf16TrainingRunsItsDenseLayersAsFusedProducts() {
        assertEquals(0, fusedProducts(false), "fp32 keeps MatMul and BiasAdd, differentiated by TensorFlow");
        assumeTrue(CpuFeatures.bf16(), "built only on CPUs with bf16 instructions");
        // 2 layers x 6 dense layers + pooler + head, each forward and its two backward products.
        long fused = fusedProducts(true);
        assertTrue(fused >= 3 * 14, "fused products in the bf16 training graph: " + fused);
    }
}
