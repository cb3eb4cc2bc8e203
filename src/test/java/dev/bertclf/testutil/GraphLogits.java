package dev.bertclf.testutil;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.Weights;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Our own inference graph on a trained model folder, to compare with what the exported SavedModel answers. */
public final class GraphLogits {
    private GraphLogits() {}

    /**
     * The logits of our own inference graph for a model folder's exported variables, read back by name, after
     * {@code check} has looked at the graph.
     */
    public static float[] of(
            Path model, int numClasses, int maxSeqLen, List<String> texts, Consumer<InferenceGraph> check)
            throws IOException {
        BertConfig config = BertConfig.read(model.resolve("bert_config.json"));
        try (InferenceGraph g = new InferenceGraph(config, SessionOptions.defaults(), numClasses);
                WordPieceTokenizer tok =
                        WordPieceTokenizer.fromVocab(model.resolve("assets/vocab.txt"), true, maxSeqLen)) {
            check.accept(g);
            try (Weights weights = Weights.of(CheckpointReader.read(
                    model.resolve("variables/variables"), g.variables().shapes().keySet()))) {
                g.load(weights);
            }
            return g.logits(tok.encode(texts));
        }
    }
}
