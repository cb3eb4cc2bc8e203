package dev.bertclf.infer;

import dev.bertclf.model.BertModel;
import dev.bertclf.model.GraphSession;
import dev.bertclf.model.InputTensors;
import dev.bertclf.model.Mode;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.EncodedBatch;
import org.tensorflow.Result;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A pretrained encoder on its own, for looking inside it (the tutorial's "using the BERT model" section) and for
 * comparing our graph with Google's on the same weights.
 */
public final class EncoderRunner implements AutoCloseable {
    private final GraphSession graph = new GraphSession();
    private final BertModel bert;

    /** Outputs for one batch: pooled {@code [batch, hidden]} and sequence {@code [batch, seq, hidden]}, flat. */
    public record Outputs(int batch, int seqLen, int hidden, float[] pooled, float[] sequence) {}

    public EncoderRunner(PretrainedModel model) {
        this(model, null);
    }

    /** With the session as {@code options} says (null: TensorFlow's defaults), e.g. bf16 to compare with fp32. */
    public EncoderRunner(PretrainedModel model, SessionOptions options) {
        bert = new BertModel(model.config(), graph.variables(), Mode.INFERENCE, null);
        graph.start(options == null ? null : options.toConfigProto());
        try (Weights weights = model.initialWeights(graph.variables().shapes(), 0)) {
            graph.load(weights);
        }
    }

    public Outputs run(EncodedBatch b) {
        try (InputTensors in = new InputTensors(b);
                Result r = in.feed(graph.session().runner(), bert)
                        .fetch(bert.pooledOutput)
                        .fetch(bert.sequenceOutput)
                        .run()) {
            TFloat32 pooled = (TFloat32) r.get(0), seq = (TFloat32) r.get(1);
            int hidden = (int) pooled.shape().get(1);
            float[] p = new float[(int) pooled.size()], q = new float[(int) seq.size()];
            pooled.copyTo(DataBuffers.of(p, false, false));
            seq.copyTo(DataBuffers.of(q, false, false));
            return new Outputs(b.batchSize(), b.seqLen(), hidden, p, q);
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
