package dev.bertclf.model.hf;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelException;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code config.json} of a BERT, ELECTRA or ALBERT encoder into our {@link BertConfig}. The
 * sizes carry Google's key names already; what differs is said here. {@code hidden_act} {@code gelu} is the exact
 * erf GELU in transformers ({@code GELUActivation}), our {@code gelu_exact}; {@code gelu_new}, {@code gelu_fast} and
 * {@code gelu_pytorch_tanh} are the tanh approximation Google's graph computes, our {@code gelu}. Settings the graph
 * has no switch for ({@code layer_norm_eps} other than BERT's 1e-12, relative position embeddings, ALBERT with more
 * than one layer group) are refused: loading such a model would run and compute something else.
 */
public final class HfConfig {
    private static final List<String> SIZE_KEYS = List.of(
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "hidden_dropout_prob",
            "attention_probs_dropout_prob",
            "max_position_embeddings",
            "type_vocab_size",
            "initializer_range",
            "embedding_size");

    private static final Map<String, String> ACTIVATIONS = Map.of(
            "gelu", "gelu_exact",
            "gelu_new", "gelu",
            "gelu_fast", "gelu",
            "gelu_pytorch_tanh", "gelu",
            "relu", "relu");

    private static final List<String> FAMILIES = List.of("bert", "electra", "albert");
    /** The graph's LayerNorm epsilon, Google's {@code modeling.py}'s. */
    private static final double LAYER_NORM_EPSILON = 1e-12;

    private HfConfig() {}

    /**
     * The encoder's config, validated as a {@code bert_config.json} is.
     *
     * @throws ModelException naming the file and the key it cannot use
     */
    public static BertConfig read(Path file) {
        JsonObject hf;
        try {
            hf = Json.COMPACT.fromJson(BoundedFiles.readString(file, BoundedFiles.SMALL), JsonObject.class);
        } catch (IOException e) {
            throw new ModelException("cannot read model config " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new ModelException("cannot read model config " + file + ": " + Json.whyMalformed(e), e);
        }
        if (hf == null) throw new ModelException("model config " + file + " is empty");
        String family = string(hf, "model_type", "bert");
        if (!FAMILIES.contains(family)) {
            throw new ModelException("model config " + file + ": model_type '" + family + "' is not supported; "
                    + "Hugging Face folders of bert, electra or albert encoders are");
        }
        String act = string(hf, "hidden_act", "gelu");
        if (!ACTIVATIONS.containsKey(act)) {
            throw new ModelException("model config " + file + ": hidden_act '" + act + "' is not supported; "
                    + "it must be gelu, gelu_new, gelu_fast, gelu_pytorch_tanh or relu");
        }
        JsonElement eps = hf.get("layer_norm_eps");
        if (eps != null
                && !eps.isJsonNull()
                && Math.abs(number(hf, "layer_norm_eps", file) - LAYER_NORM_EPSILON) > 1e-15) {
            throw new ModelException("model config " + file + ": layer_norm_eps is " + eps
                    + "; the graph's LayerNorm uses BERT's 1e-12");
        }
        String positions = string(hf, "position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw new ModelException("model config " + file + ": position_embedding_type is '" + positions
                    + "'; only absolute position embeddings are supported");
        }
        if (family.equals("albert")) {
            for (String key : List.of("num_hidden_groups", "inner_group_num")) {
                JsonElement v = hf.get(key);
                if (v != null && !v.isJsonNull() && number(hf, key, file) != 1) {
                    throw new ModelException("model config " + file + ": " + key + " is " + v
                            + "; only ALBERT with one shared layer (1) is supported");
                }
            }
        }
        JsonObject ours = new JsonObject();
        for (String key : SIZE_KEYS) {
            if (hf.has(key) && !hf.get(key).isJsonNull()) ours.add(key, hf.get(key));
        }
        ours.addProperty("model_type", family);
        ours.addProperty("hidden_act", ACTIVATIONS.get(act));
        if (family.equals("bert")) ours.remove("embedding_size"); // BERT has none; the graph would project
        return BertConfig.parse(ours.toString(), file.toString());
    }

    private static double number(JsonObject o, String key, Path file) {
        JsonElement v = o.get(key);
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) return v.getAsDouble();
        throw new ModelException("model config " + file + ": " + key + " is " + v + "; it must be a number");
    }

    private static String string(JsonObject o, String key, String absent) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) return absent;
        if (!v.isJsonPrimitive()) return v.toString();
        return v.getAsString();
    }
}
