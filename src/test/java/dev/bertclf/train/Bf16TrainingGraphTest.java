package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.CpuFeatures;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.testutil.TinyBert;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/** A bf16 training graph builds its dense layers as fused bf16 products (on CPUs with bf16); an fp32 one does not. */
class Bf16TrainingGraphTest {
    private static long fusedProducts(boolean bf16) {
        try (TrainingGraph g = new TrainingGraph(TinyBert.config(), 1, new SessionOptions(0, 0, bf16))) {
            Graph graph = (Graph) g.variables().scope("").scope().env();
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(graph.operations(), 0), false)
                    .filter(o -> ((GraphOperation) o).type().equals("_FusedMatMul"))
                    .count();
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
