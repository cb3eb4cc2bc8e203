package dev.bertclf.infer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A trained model ready to classify text: the exported SavedModel loaded through DJL's TensorFlow engine, with the
 * tokenizer and class names from its folder. This is the only way evaluate, predict and serve run a model, so
 * they all see what an external TensorFlow runtime would see.
 */
public final class TextClassifier implements AutoCloseable {
    private final ModelMetadata metadata;
    private final WordPieceTokenizer tokenizer;
    private final ZooModel<List<String>, float[]> model;
    private final Predictor<List<String>, float[]> predictor;

    private TextClassifier(ModelMetadata metadata, WordPieceTokenizer tokenizer, ZooModel<List<String>, float[]> model) {
        this.metadata = metadata;
        this.tokenizer = tokenizer;
        this.model = model;
        this.predictor = model.newPredictor();
    }

    /** On the CPU. */
    public static TextClassifier load(Path modelDir) {
        return load(modelDir, false);
    }

    public static TextClassifier load(Path modelDir, boolean gpu) {
        if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
            throw new InferenceException("no trained model in " + modelDir + " (saved_model.pb is missing); "
                    + "run 'bert-clf train' first or pass --model-dir");
        }
        ModelMetadata meta = ModelMetadata.read(modelDir);
        // Loading TensorFlow's 600 MB of natives is most of a one-text predict: do it while the tokenizer is built.
        CompletableFuture<?> engine = CompletableFuture.runAsync(TfRuntime::engine);
        // Padding each batch only to its longest text: the graph takes any length, and a short text costs
        // a tenth of a padded one.
        WordPieceTokenizer tokenizer = WordPieceTokenizer.builder(meta.vocabularyFile(modelDir), meta.sentencePiece())
                .lowercase(meta.lowercase()).maxSeqLen(meta.maxSeqLen()).padToLongest().build();
        awaitEngine(engine, tokenizer);
        Criteria<List<String>, float[]> criteria = Criteria.builder()
                .setTypes((Class<List<String>>) (Class<?>) List.class, float[].class)
                .optModelPath(modelDir)
                .optEngine("TensorFlow")
                .optDevice(gpu ? Device.gpu() : Device.cpu())
                .optTranslator(new ClassifierTranslator(tokenizer))
                .build();
        try {
            return new TextClassifier(meta, tokenizer, criteria.loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            tokenizer.close();
            throw new InferenceException("cannot load the model in " + modelDir + ": " + e.getMessage(), e);
        }
    }

    private static void awaitEngine(CompletableFuture<?> engine, WordPieceTokenizer tokenizer) {
        try {
            engine.join();
        } catch (CompletionException e) {
            tokenizer.close();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    public ModelMetadata metadata() { return metadata; }

    /**
     * One logit per text, in the order given, computed in batches of {@code batchSize} texts of similar length
     * (sorted by characters), so that padding to each batch's longest text wastes little.
     */
    public float[] logits(List<String> texts, int batchSize) {
        Integer[] order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
        float[] out = new float[texts.size()];
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            List<String> batch = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) batch.add(texts.get(order[i]));
            float[] part;
            try {
                part = predictor.predict(batch);
            } catch (TranslateException e) {
                throw new InferenceException("inference failed: " + e.getMessage(), e);
            }
            for (int i = from; i < to; i++) out[order[i]] = part[i - from];
        }
        return out;
    }

    /** The probability and label of each text, {@code batchSize} texts per model call. */
    public List<Prediction> predict(List<String> texts, int batchSize) {
        float[] logits = logits(texts, batchSize);
        List<Prediction> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) out.add(Prediction.of(texts.get(i), logits[i], metadata.classNames()));
        return out;
    }

    public static double sigmoid(double logit) { return 1 / (1 + Math.exp(-logit)); }

    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
    }
}
