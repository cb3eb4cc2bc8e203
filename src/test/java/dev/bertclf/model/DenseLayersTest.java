package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.CpuFeatures;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.GraphOps;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
 * The bf16 dense layer's hand-built backward pass against TensorFlow's own gradient of the float32 layer: the same
 * numbers to bf16's precision, the bias gradient summed in float32, and every product one fused op.
 */
class DenseLayersTest {
    /** {@code y = x w + b} and the gradients of {@code sum(y * r)} for x, w and b, in each form. */
    private static float[][] layerAndGradients(DenseLayers form, float[] x, float[] w, float[] b, float[] r, int rows) {
        int in = w.length / b.length, out = b.length;
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> xs = tf.constant(Shape.of(rows, in), DataBuffers.of(x));
            Operand<TFloat32> ws = tf.constant(Shape.of(in, out), DataBuffers.of(w));
            Operand<TFloat32> bs = tf.constant(Shape.of(out), DataBuffers.of(b));
            Operand<TFloat32> y = form.apply(tf, xs, ws, bs);
            Operand<TFloat32> loss = tf.sum(
                    tf.math.mul(y, tf.constant(Shape.of(rows, out), DataBuffers.of(r))), tf.constant(new int[] {0, 1}));
            Gradients d = tf.gradients(loss, List.of(xs, ws, bs));
            // The session of a bf16 run: oneDNN's auto mixed precision rewrite on, as training has it.
            try (Session s = new Session(g, new SessionOptions(0, 0, form == DenseLayers.BF16).toConfigProto())) {
                return GraphOps.floats(s, y, d.dy(0), d.dy(1), d.dy(2));
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    /** {@code |a - b| / |b|}, Euclidean norms. */
    private static double relativeError(float[] a, float[] b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < b.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += b[i] * (double) b[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void bf16LayerAndItsGradientsMatchFloat32ToBf16Precision() {
        assumeTrue(CpuFeatures.bf16(), "bf16 dense layers are built only on CPUs with bf16 instructions");
        Random rnd = new Random(7);
        int rows = 300, in = 48, out = 20;
        float[] x = random(rnd, rows * in),
                w = random(rnd, in * out),
                b = random(rnd, out),
                r = random(rnd, rows * out);
        float[][] fp32 = layerAndGradients(DenseLayers.STANDARD, x, w, b, r, rows);
        float[][] bf16 = layerAndGradients(DenseLayers.BF16, x, w, b, r, rows);
        String[] names = {"y", "dx", "dw", "db"};
        for (int i = 0; i < 4; i++) {
            assertEquals(fp32[i].length, bf16[i].length, names[i]);
            // bf16 keeps 8 significant bits: each rounding is within 2^-9 relative, a few of them add up.
            double err = relativeError(bf16[i], fp32[i]);
            assertTrue(err < 1.5e-2, names[i] + " differs by " + err);
        }
        // A wrong gradient (dw without its transpose, dx through w instead of w^T) is off by the norm's order.
        assertTrue(relativeError(bf16[1], fp32[1]) > 1e-5, "the bf16 path really ran in bf16");
    }

    @Test
    void biasGradientIsSummedInFloat32() {
        assumeTrue(CpuFeatures.bf16(), "bf16 dense layers are built only on CPUs with bf16 instructions");
        // 4,096 rows of 1: a bf16 running sum stops at 256, where adding 1 no longer changes it.
        int rows = 4096, in = 4, out = 3;
        float[] ones = new float[rows * out];
        Arrays.fill(ones, 1f);
        float[][] bf16 = layerAndGradients(
                DenseLayers.BF16, new float[rows * in], new float[in * out], new float[out], ones, rows);
        for (float db : bf16[3]) assertEquals(rows, db, 1e-6 * rows);
    }

    @Test
    void everyProductForwardAndBackwardIsOneFusedOp() {
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.zeros(tf.constant(new int[] {8, 4}), TFloat32.class);
            Operand<TFloat32> w = tf.zeros(tf.constant(new int[] {4, 3}), TFloat32.class);
            Operand<TFloat32> b = tf.zeros(tf.constant(new int[] {3}), TFloat32.class);
            Operand<TFloat32> y = DenseLayers.BF16.apply(tf, x, w, b);
            tf.gradients(tf.sum(y, tf.constant(new int[] {0, 1})), List.of(x, w, b));
            List<String> types = GraphOps.types(g);
            assertEquals(3, types.stream().filter("_FusedMatMul"::equals).count(), types.toString());
            assertTrue(types.stream().noneMatch("MatMul"::equals), "no bare MatMul: " + types);
        }
    }
}
