package dev.bertclf.infer;

import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.GraphSession;
import dev.bertclf.model.InputTensors;
import dev.bertclf.model.Mode;
import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.EncodedBatch;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The classifier as it is served: no dropout, no optimizer, weights loaded by name. The exporter signs this graph
 * into a SavedModel; benchmarks and tests run it directly to see what a served model computes.
 */
public final class InferenceGraph implements AutoCloseable {
    private final GraphSession graph = new GraphSession();
    private final BertClassifier model;

    /** A binary classifier's graph, the tutorial's. */
    public InferenceGraph(BertConfig config, SessionOptions options) {
        this(config, options, 2);
    }

    public InferenceGraph(BertConfig config, SessionOptions options, int numClasses) {
        this(config, options, numClasses, false);
    }

    /** With {@code multiLabel}: a sigmoid per class (see {@link BertClassifier}). */
    public InferenceGraph(BertConfig config, SessionOptions options, int numClasses, boolean multiLabel) {
        model = new BertClassifier(config, graph.variables(), Mode.INFERENCE, null, numClasses, multiLabel);
        graph.start(options.toConfigProto());
    }

    public NamedVariables variables() {
        return graph.variables();
    }

    public BertClassifier model() {
        return model;
    }

    Session session() {
        return graph.session();
    }

    /** Sets every weight by name; see {@link NamedVariables#load}. */
    public void load(Weights weights) {
        graph.load(weights);
    }

    /** One logit per row of the batch; for more than two classes, one per class, row after row. */
    public float[] logits(EncodedBatch batch) {
        try (InputTensors in = new InputTensors(batch);
                Result r = in.feed(graph.session().runner(), model.bert)
                        .fetch(model.logits)
                        .run()) {
            float[] out =
                    new float[batch.batchSize() * BertClassifier.logitsPerExample(model.numClasses, model.multiLabel)];
            ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
            return out;
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
