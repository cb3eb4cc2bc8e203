package dev.bertclf.testutil;

import java.util.List;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** What a graph was built of, for tests that check which ops a construction emits, and what it computed. */
public final class GraphOps {
    private GraphOps() {}

    /** The type of every op in {@code graph}, in the graph's order. */
    public static List<String> types(Graph graph) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(graph.operations(), 0), false)
                .map(o -> ((GraphOperation) o).type())
                .toList();
    }

    /** {@code outputs} computed in one run of {@code session}, each as a flat float array. */
    @SafeVarargs
    public static float[][] floats(Session session, Operand<TFloat32>... outputs) {
        Session.Runner runner = session.runner();
        for (Operand<TFloat32> o : outputs) runner.fetch(o);
        try (Result res = runner.run()) {
            float[][] out = new float[outputs.length][];
            for (int i = 0; i < outputs.length; i++) {
                TFloat32 t = (TFloat32) res.get(i);
                out[i] = new float[(int) t.shape().size()];
                t.copyTo(DataBuffers.of(out[i], false, false));
            }
            return out;
        }
    }
}
