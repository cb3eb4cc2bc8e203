package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.Kernels;
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
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * bert-clf's fused kernels ({@code src/main/native}) against the same functions built from TensorFlow's ops, and
 * their place in training graphs: they load wherever this build carries them, GELU and its gradient agree to float
 * precision across the whole range (saturated tails included), dropout's gradient drops what its forward pass
 * dropped, and a training graph uses them unless switched off. {@code DropoutTest} checks dropout's rate, scale
 * and keys on both paths.
 */
class FusedKernelsTest {
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
            try (Session s = new Session(g)) {
                return GraphOps.floats(s, y, d.dy(0));
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
        float[][] fused = geluAndGradient(FusedOps::gelu, x, r);
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

    /** LayerNorm and its three gradients (x, gamma, beta) against TensorFlow's ops, rows of BERT-base's width. */
    @Test
    void layerNormAndItsGradientsEqualTensorFlowsOps() {
        assumeTrue(BUILT_IN && FusedKernels.available());
        int rows = 300, width = 768;
        Random rnd = new Random(11);
        float[] x = new float[rows * width],
                r = new float[rows * width],
                gamma = new float[width],
                beta = new float[width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + i / width % 7) + i / width % 5); // rows of other scales
            r[i] = (float) rnd.nextGaussian();
        }
        for (int k = 0; k < width; k++) {
            gamma[k] = (float) (1 + 0.1 * rnd.nextGaussian());
            beta[k] = (float) (0.1 * rnd.nextGaussian());
        }
        float[][] fused = layerNormAndGradients(true, x, gamma, beta, r, width);
        float[][] ops = layerNormAndGradients(false, x, gamma, beta, r, width);
        String[] names = {"y", "dx", "dgamma", "dbeta"};
        for (int k = 0; k < 4; k++) {
            double scale = 0;
            for (float v : ops[k]) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < ops[k].length; i++) {
                assertEquals(ops[k][i], fused[k][i], 2e-5 * scale, names[k] + "[" + i + "]");
            }
        }
    }

    private static float[][] layerNormAndGradients(
            boolean fused, float[] x, float[] gamma, float[] beta, float[] r, int width) {
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Shape shape = Shape.of(x.length / width, width);
            Operand<TFloat32> xs = tf.constant(shape, DataBuffers.of(x));
            Operand<TFloat32> gs = tf.constant(Shape.of(width), DataBuffers.of(gamma));
            Operand<TFloat32> bs = tf.constant(Shape.of(width), DataBuffers.of(beta));
            Operand<TFloat32> y =
                    fused ? FusedOps.layerNorm(tf, xs, gs, bs, 1e-12f) : BertModel.layerNorm(tf, xs, gs, bs);
            Operand<TFloat32> loss =
                    tf.sum(tf.math.mul(y, tf.constant(shape, DataBuffers.of(r))), tf.constant(new int[] {0, 1}));
            Gradients d = tf.gradients(loss, List.of(xs, gs, bs));
            try (Session s = new Session(g)) {
                return GraphOps.floats(s, y, d.dy(0), d.dy(1), d.dy(2));
            }
        }
    }

    /** The gradient of {@code sum(dropout(1) * r)} is {@code r} where the forward pass kept, 0 where it dropped. */
    @Test
    void dropoutsGradientUsesTheForwardMask() {
        assumeTrue(BUILT_IN && FusedKernels.available());
        int rows = 300, cols = 999; // not a multiple of the kernel's 16-element blocks
        Random rnd = new Random(5);
        float[] r = new float[rows * cols];
        for (int i = 0; i < r.length; i++) r[i] = (float) rnd.nextGaussian();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Dropout dropout = new Dropout(tf.constant(1f), tf.constant(11L), 42, Kernels.FUSED);
            Operand<TFloat32> x = tf.fill(tf.constant(new int[] {rows, cols}), tf.constant(1f));
            Operand<TFloat32> y = dropout.apply(tf, x, 0.1f);
            Operand<TFloat32> loss = tf.sum(
                    tf.math.mul(y, tf.constant(Shape.of(rows, cols), DataBuffers.of(r))),
                    tf.constant(new int[] {0, 1}));
            Gradients d = tf.gradients(loss, List.of(x));
            assertTrue(GraphOps.types(g).contains(FusedKernels.DROPOUT));
            try (Session s = new Session(g)) {
                float[][] keptAndGrad = GraphOps.floats(s, y, d.dy(0));
                float[] kept = keptAndGrad[0], grad = keptAndGrad[1];
                int dropped = 0;
                for (int i = 0; i < r.length; i++) {
                    assertEquals(kept[i] * r[i], grad[i], 1e-6f * Math.abs(grad[i]), "element " + i);
                    if (kept[i] == 0) dropped++;
                }
                assertEquals(0.1, dropped / (double) r.length, 0.003);
            }
        }
    }

    @Test
    void trainingGraphsUseThemUnlessSwitchedOff() {
        assumeTrue(BUILT_IN && FusedKernels.available());
        assertEquals(TinyBert.config().numHiddenLayers, ops(FusedKernels.GELU));
        assertTrue(ops(FusedKernels.DROPOUT) >= 2 * TinyBert.config().numHiddenLayers, "forward and backward");
        assertEquals(2 * TinyBert.config().numHiddenLayers + 1, ops(FusedKernels.LAYER_NORM));
        assertEquals(ops(FusedKernels.LAYER_NORM), ops(FusedKernels.LAYER_NORM_GRAD));
        try {
            for (String off : List.of("off", "OFF", "false", "0", "No")) { // once only "off" switched them off
                System.setProperty(FusedKernels.SWITCH, off);
                assertEquals(0, ops(FusedKernels.GELU), off);
                assertEquals(0, ops(FusedKernels.DROPOUT), off);
                assertEquals(0, ops(FusedKernels.LAYER_NORM), off);
            }
            System.setProperty(FusedKernels.SWITCH, "of");
            assertThrows(dev.bertclf.runtime.InvalidOptionException.class, FusedKernels::available);
        } finally {
            System.clearProperty(FusedKernels.SWITCH);
        }
    }

    private static long ops(String type) {
        try (TrainingGraph g = new TrainingGraph(TinyBert.config(), 1, new SessionOptions(0, 0, false))) {
            Graph graph = (Graph) g.variables().scope("").scope().env();
            List<String> types = GraphOps.types(graph);
            assertEquals(
                    types.stream().filter(FusedKernels.GELU::equals).count(),
                    types.stream().filter(FusedKernels.GELU_GRAD::equals).count(),
                    "one gradient op per GELU");
            return types.stream().filter(type::equals).count();
        }
    }
}
