package dev.bertclf.infer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything besides the graph that a trained model needs to be used correctly: how to tokenise (casing, length),
 * what its outputs mean (class names), and how it was made (base model, hyperparameters, metrics), stored as
 * {@code metadata.json} beside the SavedModel so any runtime can read it.
 */
public record ModelMetadata(String baseModel, boolean lowercase, int maxSeqLen, List<String> classNames,
                            Map<String, Object> hyperparameters, Map<String, Object> metrics, String created,
                            String tool) {
    public static final String FILE = "metadata.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    public static ModelMetadata read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        try {
            ModelMetadata m = GSON.fromJson(Files.readString(file), ModelMetadata.class);
            if (m == null || m.classNames() == null || m.maxSeqLen() < 2) {
                throw new InferenceException(file + " is incomplete: it needs classNames and maxSeqLen");
            }
            return m;
        } catch (IOException | JsonParseException e) {
            throw new InferenceException("cannot read " + file + ": " + e.getMessage()
                    + " (is " + modelDir + " a model written by 'bert-clf train'?)");
        }
    }

    public void write(Path modelDir) throws IOException {
        FileUtil.writeStringAtomic(modelDir.resolve(FILE), GSON.toJson(this));
    }
}
