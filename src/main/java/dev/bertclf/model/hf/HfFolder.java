package dev.bertclf.model.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.bertclf.model.ModelException;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a Hugging Face model folder ({@code save_pretrained}'s layout, or a hub snapshot) holds and where: its
 * {@code config.json}, its weights, and the casing its tokenizer files declare. Only {@code model.safetensors} is
 * read: {@code pytorch_model.bin} is a Python pickle, which can run code when loaded and which Java cannot read
 * safely, so it is refused with the way to convert it.
 */
public final class HfFolder {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    private static final String SHARDED = "model.safetensors.index.json";
    private static final List<String> OTHER_WEIGHTS = List.of("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack");

    private HfFolder() {}

    /** A folder with {@code config.json} and Hugging Face weights of some kind, and no Google config. */
    public static boolean looksLike(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) return false;
        if (Files.exists(dir.resolve("bert_config.json")) || Files.exists(dir.resolve("albert_config.json"))) {
            return false;
        }
        return Files.exists(dir.resolve(WEIGHTS))
                || Files.exists(dir.resolve(SHARDED))
                || OTHER_WEIGHTS.stream().anyMatch(f -> Files.exists(dir.resolve(f)));
    }

    /**
     * The folder's {@code model.safetensors}.
     *
     * @throws ModelException for sharded weights or weights in another format, saying what to do
     */
    public static Path weights(Path dir) {
        Path file = dir.resolve(WEIGHTS);
        if (Files.exists(file)) return file;
        if (Files.exists(dir.resolve(SHARDED))) {
            throw new ModelException(dir + " holds sharded weights (" + SHARDED + "); bert-clf reads one " + WEIGHTS
                    + ": save the model again with save_pretrained(DIR, max_shard_size=\"10GB\")");
        }
        String other = OTHER_WEIGHTS.stream()
                .filter(f -> Files.exists(dir.resolve(f)))
                .findFirst()
                .orElse("no weights");
        throw new ModelException(dir + " has " + other + " but no " + WEIGHTS + "; bert-clf reads Hugging Face "
                + "weights only as safetensors: save the model with save_pretrained(DIR, safe_serialization=True)");
    }

    /**
     * The casing the tokenizer files declare: {@code do_lower_case} in {@code tokenizer_config.json}, else the
     * normalizer's {@code lowercase} in {@code tokenizer.json}; null when neither says.
     */
    public static Boolean lowercase(Path dir) {
        JsonObject config = json(dir.resolve("tokenizer_config.json"));
        if (config != null && isBoolean(config.get("do_lower_case"))) {
            return config.get("do_lower_case").getAsBoolean();
        }
        JsonObject normalizer = member(dir.resolve("tokenizer.json"), "normalizer");
        if (normalizer != null && isBoolean(normalizer.get("lowercase"))) {
            return normalizer.get("lowercase").getAsBoolean();
        }
        return null;
    }

    private static boolean isBoolean(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean();
    }

    /** A small JSON object file ({@code tokenizer_config.json}); null if there is none or it is not an object. */
    private static JsonObject json(Path file) {
        if (!Files.exists(file)) return null;
        try {
            JsonElement e = Json.COMPACT.fromJson(BoundedFiles.readString(file, BoundedFiles.SMALL), JsonElement.class);
            return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new ModelException("cannot read " + file + ": " + Json.whyMalformed(e), e);
        }
    }

    /**
     * The object {@code key} of the JSON object in {@code file}, streamed past everything else: a
     * {@code tokenizer.json} holds the whole vocabulary (megabytes), of which only the normalizer is read here, so
     * the file is never built as a tree. Null if there is no file, no such key, or it is not an object.
     */
    private static JsonObject member(Path file, String key) {
        if (!Files.exists(file)) return null;
        try {
            BoundedFiles.checkRegular(file, BoundedFiles.LARGE);
            try (JsonReader in = new JsonReader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
                if (in.peek() != JsonToken.BEGIN_OBJECT) return null;
                in.beginObject();
                while (in.hasNext()) {
                    if (in.nextName().equals(key) && in.peek() == JsonToken.BEGIN_OBJECT) {
                        return JsonParser.parseReader(in).getAsJsonObject();
                    }
                    in.skipValue();
                }
                return null;
            }
        } catch (IOException | IllegalStateException | JsonParseException e) {
            throw new ModelException("cannot read " + file + ": " + Json.whyMalformed(e), e);
        }
    }
}
