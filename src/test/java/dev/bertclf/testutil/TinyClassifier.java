package dev.bertclf.testutil;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;

/**
 * A model folder as {@code train} writes it (SavedModel, vocabulary, config, metadata), exported from
 * {@link TinyBert}'s shape with random weights and no training, for tests of what happens after training. It is a
 * real exported model: only its answers are meaningless.
 */
public final class TinyClassifier {
    public static final int MAX_SEQ_LEN = 32;

    private TinyClassifier() {}

    public static Path export(Path dir) throws IOException {
        return export(dir, List.of("neg", "pos"));
    }

    /** A model with these classes (three or more: a softmax head). */
    public static Path export(Path dir, List<String> classNames) throws IOException {
        TfRuntime.engine();
        BertConfig config = TinyBert.config();
        Map<String, Shape> shapes;
        try (InferenceGraph g = new InferenceGraph(config, SessionOptions.defaults(), classNames.size())) {
            shapes = new java.util.LinkedHashMap<>(g.variables().shapes());
        }
        Path vocab = Files.createTempFile("tiny-vocab", ".txt");
        try (Weights weights = WeightInit.create(shapes, config.initializerRange, 3)) {
            Files.write(vocab, TinyBert.vocabulary());
            ModelMetadata meta = new ModelMetadata(
                    "tiny-random",
                    true,
                    MAX_SEQ_LEN,
                    classNames,
                    Map.of(),
                    Map.of(),
                    "2024-01-01T00:00:00Z",
                    "bert-clf test");
            SavedModelExporter.export(dir, config, weights, vocab, meta);
        } finally {
            Files.deleteIfExists(vocab);
        }
        return dir;
    }
}
