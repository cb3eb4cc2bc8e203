package dev.bertclf.model;

import java.util.Map;
import java.util.Random;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Fresh weights for variables a checkpoint does not provide: the classifier head always, and the whole encoder
 * when a folder ships no checkpoint. Follows Google's BERT (truncated normal with {@code initializer_range},
 * LayerNorm gamma 1 and beta 0, biases 0) and Keras' Dense default (Glorot uniform) for the head, seeded so that
 * the same seed gives the same model.
 */
public final class WeightInit {
    private WeightInit() {}

    /** Initial values for every name in {@code shapes}; the caller closes the tensors. */
    public static Weights create(Map<String, Shape> shapes, float initializerRange, long seed) {
        Random random = new Random(seed);
        Weights out = new Weights();
        for (var e : shapes.entrySet()) {
            out.put(e.getKey(), create(e.getKey(), e.getValue(), initializerRange, random));
        }
        return out;
    }

    private static TFloat32 create(String name, Shape shape, float range, Random random) {
        int n = (int) shape.size();
        float[] values = new float[n];
        if (name.endsWith("/gamma")) {
            java.util.Arrays.fill(values, 1f);
        } else if (name.endsWith("/beta") || name.endsWith("/bias")) {
            // zeros
        } else if (name.startsWith(BertClassifier.HEAD_SCOPE + "/")) {
            double limit = Math.sqrt(6.0 / (shape.get(0) + shape.get(shape.numDimensions() - 1)));
            for (int i = 0; i < n; i++) values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        } else {
            for (int i = 0; i < n; i++) values[i] = truncatedNormal(random) * range;
        }
        return TFloat32.tensorOf(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(values, true, false));
    }

    /** Standard normal redrawn outside two standard deviations, as {@code tf.truncated_normal}. */
    private static float truncatedNormal(Random random) {
        double v;
        do {
            v = random.nextGaussian();
        } while (Math.abs(v) > 2);
        return (float) v;
    }
}
