package dev.bertclf.model.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Random tensors named like Google's BERT variables, and their values as plain arrays. */
final class CheckpointTestSupport {
    static final String QUERY = "bert/encoder/layer_0/attention/self/query/kernel";
    static final String GAMMA = "bert/embeddings/LayerNorm/gamma";
    static final String STEP = "global_step_float";
    static final String CUBE = "bert/encoder/layer_0/attention/output/cube";

    private CheckpointTestSupport() {}

    static Map<String, TFloat32> bertLikeTensors(long seed) {
        Random random = new Random(seed);
        Map<String, TFloat32> tensors = new LinkedHashMap<>();
        tensors.put(QUERY, randomTensor(random, 8, 8));
        tensors.put(GAMMA, randomTensor(random, 8));
        tensors.put(STEP, randomTensor(random));
        tensors.put(CUBE, randomTensor(random, 2, 3, 4));
        return tensors;
    }

    static TFloat32 randomTensor(Random random, long... shape) {
        Shape s = Shape.of(shape);
        float[] values = new float[(int) s.size()];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        return TFloat32.tensorOf(s, DataBuffers.of(values, true, false));
    }

    static float[] values(TFloat32 t) {
        float[] out = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    static void closeAll(Map<String, TFloat32> tensors) {
        tensors.values().forEach(TFloat32::close);
    }
}
