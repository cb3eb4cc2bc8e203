package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bertclf.runtime.TfRuntime;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The row-wise embedding gradient has the dense gradient's norm and, scaled and scattered, its values. */
class GradientTest {
    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    @Test
    void rowsOfALookupEqualTheDenseGradient() {
        int rows = 7, width = 3;
        float[][] table = new float[rows][width];
        for (int r = 0; r < rows; r++) for (int c = 0; c < width; c++) table[r][c] = r - c * 0.5f;
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            var t = tf.variable(tf.constant(table));
            Operand<TInt32> ids = tf.constant(new int[][] {{1, 4, 1}, {6, 1, 0}});
            Operand<TFloat32> looked = tf.gather(t, ids, tf.constant(0));
            Operand<TFloat32> weights = tf.constant(
                    new float[][][] {{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{-1, 0, 1}, {2, -2, 0.5f}, {3, 1, -4}}});
            Operand<TFloat32> loss =
                    tf.sum(tf.math.mul(tf.math.square(looked), weights), tf.constant(new int[] {0, 1, 2}));
            Gradients dy = tf.gradients(loss, List.of(t, looked));
            Gradient dense = new Gradient.Dense(dy.<TFloat32>dy(0));
            Gradient sparse = Gradient.Rows.ofLookup(tf, dy.<TFloat32>dy(1), ids, rows, width);
            Operand<TFloat32> scale = tf.constant(0.25f);
            try (Session s = new Session(g)) {
                s.initialize();
                try (Result r = s.runner()
                        .fetch(dense.squaredNorm(tf))
                        .fetch(sparse.squaredNorm(tf))
                        .fetch(dense.scaledDense(tf, scale))
                        .fetch(sparse.scaledDense(tf, scale))
                        .run()) {
                    assertEquals(((TFloat32) r.get(0)).getFloat(), ((TFloat32) r.get(1)).getFloat(), 1e-3);
                    assertArrayEquals(values((TFloat32) r.get(2)), values((TFloat32) r.get(3)), 1e-5f);
                }
            }
        }
    }

    private static float[] values(TFloat32 t) {
        float[] v = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(v, false, false));
        return v;
    }
}
