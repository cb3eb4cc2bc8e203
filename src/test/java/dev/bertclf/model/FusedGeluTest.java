package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.GraphOps;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.train.TrainingGraph;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * bert-clf's fused GELU kernel ({@code src/main/native}) against the same function built from TensorFlow's ops, and
 * its place in training graphs: it loads wherever this build carries it, computes GELU and its gradient to float
 * precision across the whole range (saturated tails included), and a training graph uses it unless switched off.
 */
class FusedGeluTest {
    private static final boolean BUILT_IN =
            FusedKernels.class.getResource("/dev/bertclf/native/linux-x86_64/libbertclf_ops.so") != null;

    /** GELU of {@code x} and the gradient of {@code sum(gelu(x) * r)}, {@code gelu} built by {@code form}. */
    private static float[][] geluAndGradient(
            BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> form, float[] x, float[] r) {
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> xs = tf.constant(Shape.of(x.length / 8, 8), DataBuffers.of(x));
            Operand<TFloat32> y = form.apply(tf, xs);
            Operand<TFloat32> loss = tf.sum(
                    tf.math.mul(y, tf.constant(Shape.of(x.length / 8, 8), DataBuffers.of(r))),
                    tf.constant(new int[] {0, 1}));
            Gradients d = tf.gradients(loss, List.of(xs));
            try (Session s = new Session(g);
                    Result res = s.runner().fetch(y).fetch(d.dy(0)).run()) {
                float[][] out = new float[2][x.length];
                for (int i = 0; i < 2; i++) ((TFloat32) res.get(i)).copyTo(DataBuffers.of(out[i], false, false));
                return out;
            }
        }
    }

    @Test
    void loadsWhereverThisBuildCarriesIt() {
        assumeTrue(BUILT_IN, "this build has no fused kernels (built without a C compiler, or not on Linux x86-64)");
        assertTrue(FusedKernels.available(), "the kernels are in this build but did not load: see the log");
    }

    @Test
    void geluAndItsGradientEqualTensorFlowsOps() {
        assumeTrue(BUILT_IN && FusedKernels.available());
        Random rnd = new Random(3);
        int n = 8 * 40_000; // more than one thread's share: the parts' seams are checked too
        float[] x = new float[n], r = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) rnd.nextGaussian(); // where activations live
                case 1 -> (float) (rnd.nextGaussian() * 6);
                case 2 -> (rnd.nextFloat() - 0.5f) * 200; // saturated tails: x, or 0
                default -> (float) (rnd.nextGaussian() * 1e-3);
            };
            r[i] = (float) rnd.nextGaussian();
        }
        x[0] = 0;
        x[1] = Float.MIN_NORMAL;
        float[][] fused = geluAndGradient(Activations::geluFused, x, r);
        float[][] ops = geluAndGradient(Activations::geluSigmoidForm, x, r);
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
                float expected = ops[k][i];
                assertEquals(
                        expected,
                        fused[k][i],
                        // the gradient's tails: TensorFlow's s (1 - s) cancels where s rounds to 1, the kernel's does
                        // not
                        2e-6f + (k == 0 ? 2e-6f : 1e-5f) * Math.abs(expected),
                        (k == 0 ? "gelu" : "gradient") + " at x = " + x[i]);
            }
        }
    }

    @Test
    void trainingGraphsUseItUnlessSwitchedOff() {
        assumeTrue(BUILT_IN && FusedKernels.available());
        assertEquals(TinyBert.config().numHiddenLayers, geluOps());
        System.setProperty(FusedKernels.SWITCH, "off");
        try {
            assertEquals(0, geluOps());
        } finally {
            System.clearProperty(FusedKernels.SWITCH);
        }
    }

    private static long geluOps() {
        try (TrainingGraph g = new TrainingGraph(TinyBert.config(), 1, new SessionOptions(0, 0, false))) {
            Graph graph = (Graph) g.variables().scope("").scope().env();
            List<String> types = GraphOps.types(graph);
            assertEquals(
                    types.stream().filter(FusedKernels.GELU::equals).count(),
                    types.stream().filter(FusedKernels.GELU_GRAD::equals).count(),
                    "one gradient op per GELU");
            return types.stream().filter(FusedKernels.GELU::equals).count();
        }
    }
}
