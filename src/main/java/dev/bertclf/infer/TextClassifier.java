package dev.bertclf.infer;

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
import java.util.List;

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

    public static TextClassifier load(Path modelDir) {
        if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
            throw new InferenceException("no trained model in " + modelDir + " (saved_model.pb is missing); "
                    + "run 'bert-clf train' first or pass --model-dir");
        }
        ModelMetadata meta = ModelMetadata.read(modelDir);
        TfRuntime.engine();
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(modelDir.resolve(SavedModelExporter.VOCAB),
                meta.lowercase(), meta.maxSeqLen());
        Criteria<List<String>, float[]> criteria = Criteria.builder()
                .setTypes((Class<List<String>>) (Class<?>) List.class, float[].class)
                .optModelPath(modelDir)
                .optEngine("TensorFlow")
                .optTranslator(new ClassifierTranslator(tokenizer))
                .build();
        try {
            return new TextClassifier(meta, tokenizer, criteria.loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            tokenizer.close();
            throw new InferenceException("cannot load the model in " + modelDir + ": " + e.getMessage(), e);
        }
    }

    public ModelMetadata metadata() { return metadata; }

    /** One logit per text, in batches of {@code batchSize}. */
    public float[] logits(List<String> texts, int batchSize) {
        float[] out = new float[texts.size()];
        for (int from = 0; from < texts.size(); from += batchSize) {
            int to = Math.min(texts.size(), from + batchSize);
            float[] part;
            try {
                part = predictor.predict(new ArrayList<>(texts.subList(from, to)));
            } catch (TranslateException e) {
                throw new InferenceException("inference failed: " + e.getMessage(), e);
            }
            System.arraycopy(part, 0, out, from, part.length);
        }
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
