package dev.bertclf.bench;

import dev.bertclf.runtime.TfRuntime;
import java.util.Arrays;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * This machine's own ceiling: the throughput of one large MatMul through the same TensorFlow build, in fp32 and in
 * bf16. On a shared, noisy machine absolute times drift; a model's speed as a share of this ceiling, measured in
 * the same process a moment before, does not.
 */
public final class MatMulCeiling {
    private static final int M = 4096, K = 512, N = 2048;

    /** Median GFLOP/s of {@code reps} timed runs, after warm-up, for fp32 and bf16. */
    public record Result(double fp32, double bf16) {}

    private MatMulCeiling() {}

    public static Result measure(int reps) {
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Variable<TFloat32> x = tf.variable(tf.random.randomUniform(tf.constant(new long[] {M, K}), TFloat32.class));
            Variable<TFloat32> w = tf.variable(tf.random.randomUniform(tf.constant(new long[] {K, N}), TFloat32.class));
            Operand<TFloat32> fp32 = tf.sum(tf.linalg.matMul(x, w), tf.constant(new int[] {0, 1}));
            Operand<TFloat32> bf16 = tf.sum(
                    tf.dtypes.cast(
                            tf.linalg.matMul(tf.dtypes.cast(x, TBfloat16.class), tf.dtypes.cast(w, TBfloat16.class)),
                            TFloat32.class),
                    tf.constant(new int[] {0, 1}));
            try (Session s = new Session(g)) {
                s.initialize();
                return new Result(gflops(s, fp32, reps), gflops(s, bf16, reps));
            }
        }
    }

    private static double gflops(Session s, Operand<TFloat32> op, int reps) {
        for (int i = 0; i < 3; i++) s.runner().fetch(op).run().close();
        double[] seconds = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            s.runner().fetch(op).run().close();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return 2.0 * M * K * N / median(seconds) / 1e9;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
