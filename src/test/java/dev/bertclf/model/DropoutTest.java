package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.GraphOps;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The training graph's dropout: the right share dropped, the rest scaled to keep the mean, masks keyed by step. */
class DropoutTest {
    /** An odd element count, so the last 32-bit random word is only half used. */
    private static final int ROWS = 257, COLS = 1001;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /** On TensorFlow's ops and, where it loads, on bert-clf's fused kernel: the same rule. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dropsTheRateAndScalesTheRestSoTheMeanStays(boolean fusedKernel) {
        if (fusedKernel) assumeTrue(FusedKernels.available(), "no fused kernels in this build");
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> on = tf.placeholder(TFloat32.class);
            Placeholder<TInt64> step = tf.placeholder(TInt64.class);
            Dropout dropout = new Dropout(on, step, 42, fusedKernel ? Kernels.FUSED : Kernels.TENSORFLOW);
            Operand<TFloat32> x = tf.fill(tf.constant(new int[] {ROWS, COLS}), tf.constant(1f));
            Operand<TFloat32> first = dropout.apply(tf, x, 0.1f), second = dropout.apply(tf, x, 0.1f);
            try (Session s = new Session(g)) {
                float[] a = run(s, on, step, 1, 7, first), again = run(s, on, step, 1, 7, first);
                float[] other = run(s, on, step, 1, 7, second), later = run(s, on, step, 1, 8, first);
                float kept = 65536f / (65536 - 6554); // 0.1 of 65536, rounded
                int dropped = 0;
                double sum = 0;
                for (float v : a) {
                    assertTrue(v == 0 || v == kept, "0 or the scaled input, got " + v);
                    if (v == 0) dropped++;
                    sum += v;
                }
                assertEquals(0.1, dropped / (double) a.length, 0.003, "share dropped");
                assertEquals(1.0, sum / a.length, 0.005, "mean kept");
                assertTrue(a[a.length - 1] == 0 || a[a.length - 1] == kept);
                assertEquals(0, differences(a, again), "the same step and op draw the same mask");
                assertTrue(differences(a, other) > a.length / 10, "another op draws another mask");
                assertTrue(differences(a, later) > a.length / 10, "another step draws another mask");
                for (float v : run(s, on, step, 0, 7, first))
                    assertEquals(1f, v, "switched off, dropout is the identity");
                assertEquals(fusedKernel, GraphOps.types(g).contains(FusedKernels.DROPOUT));
            }
        }
    }

    /**
     * TensorFlow's ops draw the fused kernel's masks, element for element (they once drew their own, so that a
     * model depended on which kernels the machine had): the same seed, steps and ops give the same outputs, on a
     * tensor of more than 2^16 elements with negative values and a large seed, whose halves exercise every word.
     */
    @Test
    void tensorFlowsOpsDrawTheFusedKernelsMasks() {
        assumeTrue(FusedKernels.available(), "no fused kernels in this build");
        long seed = 0x9E3779B97F4A7C15L; // negative, with both 32-bit halves set
        float[] x = new float[ROWS * COLS];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> on = tf.placeholder(TFloat32.class);
            Placeholder<TInt64> step = tf.placeholder(TInt64.class);
            Operand<TFloat32> input = tf.constant(Shape.of(ROWS, COLS), DataBuffers.of(x));
            Dropout fused = new Dropout(on, step, seed, Kernels.FUSED);
            Dropout ops = new Dropout(on, step, seed, Kernels.TENSORFLOW);
            List<Operand<TFloat32>> a = List.of(fused.apply(tf, input, 0.1f), fused.apply(tf, input, 0.5f));
            List<Operand<TFloat32>> b = List.of(ops.apply(tf, input, 0.1f), ops.apply(tf, input, 0.5f));
            try (Session s = new Session(g)) {
                for (long st : new long[] {0, 1, 123_456_789_012L}) {
                    for (int op = 0; op < 2; op++) {
                        float[] viaKernel = run(s, on, step, 1, st, a.get(op));
                        float[] viaOps = run(s, on, step, 1, st, b.get(op));
                        int zeros = 0;
                        for (int i = 0; i < x.length; i++) {
                            assertEquals(viaKernel[i], viaOps[i], 0f, "step " + st + ", op " + op + ", element " + i);
                            if (viaOps[i] == 0) zeros++;
                        }
                        assertEquals(op == 0 ? 0.1 : 0.5, zeros / (double) x.length, 0.005);
                    }
                }
            }
        }
    }

    /** The mode decides dropout: a training encoder must be given one, an inference encoder has none. */
    @Test
    void onlyTrainingEncodersHaveDropout() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            BertConfig c = BertConfig.of(100, 1, 32, 2);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new BertModel(c, new NamedVariables(tf), Mode.TRAINING, null));
            Dropout dropout = new Dropout(tf.constant(1f), tf.constant(0L), 1, Kernels.TENSORFLOW);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new BertModel(c, new NamedVariables(tf), Mode.INFERENCE, dropout));
        }
    }

    private static float[] run(
            Session s,
            Placeholder<TFloat32> on,
            Placeholder<TInt64> step,
            float switchOn,
            long stepValue,
            Operand<TFloat32> out) {
        try (TFloat32 o = TFloat32.scalarOf(switchOn);
                TInt64 st = TInt64.scalarOf(stepValue);
                Result r = s.runner().feed(on, o).feed(step, st).fetch(out).run()) {
            TFloat32 t = (TFloat32) r.get(0);
            assertEquals(Shape.of(ROWS, COLS), t.shape());
            float[] v = new float[ROWS * COLS];
            t.copyTo(DataBuffers.of(v, false, false));
            return v;
        }
    }

    private static int differences(float[] a, float[] b) {
        int d = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) d++;
        return d;
    }
}
