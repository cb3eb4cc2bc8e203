package dev.bertclf.testutil;

import java.util.List;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/** What a graph was built of, for tests that check which ops a construction emits. */
public final class GraphOps {
    private GraphOps() {}

    /** The type of every op in {@code graph}, in the graph's order. */
    public static List<String> types(Graph graph) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(graph.operations(), 0), false)
                .map(o -> ((GraphOperation) o).type())
                .toList();
    }
}
