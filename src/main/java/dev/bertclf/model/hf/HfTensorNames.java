package dev.bertclf.model.hf;

import dev.bertclf.model.BertConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the Google TF1 names our graph uses to the tensor names of Hugging Face's PyTorch BERT-family encoders, so
 * that one graph serves both sources (as {@code model.hub.HubVariableNames} does for TF Hub's TF2 names). The names
 * are those of transformers' {@code modeling_bert.py}, {@code modeling_electra.py} and {@code modeling_albert.py}
 * (their {@code load_tf_weights_in_*} functions map Google's checkpoints the other way): {@code bert.} (or
 * {@code electra.}, {@code albert.}, or nothing for a bare encoder's save) before {@code embeddings.*},
 * {@code encoder.layer.N.*} and {@code pooler.dense.*}; ALBERT's one shared layer is
 * {@code encoder.albert_layer_groups.0.albert_layers.0.*} and its pooler {@code pooler.*}. A torch
 * {@code nn.Linear} stores its weight {@code [out, in]}, the transpose of TF's kernel {@code [in, out]}; LayerNorm's
 * {@code weight}/{@code bias} are {@code gamma}/{@code beta}, under those very names in files saved before
 * transformers 4.
 */
final class HfTensorNames {
    /** An HF tensor that one of our variables comes from; {@code transposed} for a Linear weight. */
    record Source(List<String> candidates, boolean transposed) {}

    private static final String ALBERT_LAYER = "bert/encoder/transformer/group_0/inner_group_0/";
    private static final Pattern LAYER = Pattern.compile("^encoder/layer_(\\d+)/(.*)$");

    /** Inside one BERT or ELECTRA layer: our scope to the HF module. */
    private static final Map<String, String> BERT_LAYER = Map.of(
            "attention/self/query/", "attention.self.query.",
            "attention/self/key/", "attention.self.key.",
            "attention/self/value/", "attention.self.value.",
            "attention/output/dense/", "attention.output.dense.",
            "attention/output/LayerNorm/", "attention.output.LayerNorm.",
            "intermediate/dense/", "intermediate.dense.",
            "output/dense/", "output.dense.",
            "output/LayerNorm/", "output.LayerNorm.");

    /** Inside ALBERT's shared layer. */
    private static final Map<String, String> ALBERT_SHARED = Map.of(
            "attention_1/self/query/", "attention.query.",
            "attention_1/self/key/", "attention.key.",
            "attention_1/self/value/", "attention.value.",
            "attention_1/output/dense/", "attention.dense.",
            "LayerNorm/", "attention.LayerNorm.",
            "ffn_1/intermediate/dense/", "ffn.",
            "ffn_1/intermediate/output/dense/", "ffn_output.",
            "LayerNorm_1/", "full_layer_layer_norm.");

    /** Outside the layers, below the model's root. */
    private static final Map<String, String> ENCODER = Map.of(
            "embeddings/LayerNorm/", "embeddings.LayerNorm.",
            "embeddings_project/", "embeddings_project.",
            "encoder/embedding_hidden_mapping_in/", "encoder.embedding_hidden_mapping_in.",
            "pooler/dense/", "pooler.dense.");

    private HfTensorNames() {}

    /** The family's prefix in a task model's save ({@code BertForSequenceClassification}: {@code bert.}). */
    static String familyPrefix(BertConfig config) {
        return config.modelType.toString() + ".";
    }

    /** The word embeddings' HF name below the prefix: how the prefix is found. */
    static String wordEmbeddings() {
        return "embeddings.word_embeddings.weight";
    }

    /**
     * Where {@code ours} comes from, below {@code prefix}; null for a variable HF's encoders do not have (the
     * talking-heads BERT's).
     */
    static Source source(String ours, BertConfig config, String prefix) {
        String root = config.scope() + "/";
        if (!ours.startsWith(root)) return null;
        String module;
        String leafPath;
        if (config.isAlbert() && ours.startsWith(ALBERT_LAYER)) {
            String rest = ours.substring(ALBERT_LAYER.length());
            module = scope(ALBERT_SHARED, rest);
            if (module == null) return null;
            module = "encoder.albert_layer_groups.0.albert_layers.0." + module;
            leafPath = rest;
        } else {
            String rest = ours.substring(root.length());
            Matcher layer = LAYER.matcher(rest);
            if (layer.matches()) {
                module = scope(BERT_LAYER, layer.group(2));
                if (module == null) return null;
                module = "encoder.layer." + layer.group(1) + "." + module;
            } else if (rest.startsWith("embeddings/") && !rest.substring(11).contains("/")) {
                return new Source(List.of(prefix + "embeddings." + rest.substring(11) + ".weight"), false);
            } else if (config.isAlbert() && rest.startsWith("pooler/dense/")) {
                module = "pooler.";
            } else {
                module = scope(ENCODER, rest);
                if (module == null) return null;
            }
            leafPath = rest;
        }
        String leaf = leafPath.substring(leafPath.lastIndexOf('/') + 1);
        return switch (leaf) {
            case "kernel" -> new Source(List.of(prefix + module + "weight"), true);
            case "bias" -> new Source(List.of(prefix + module + "bias"), false);
            case "gamma" -> new Source(List.of(prefix + module + "weight", prefix + module + "gamma"), false);
            case "beta" -> new Source(List.of(prefix + module + "bias", prefix + module + "beta"), false);
            default -> null;
        };
    }

    /** The HF module for the one of {@code scopes} that {@code rest} is directly inside; null if none. */
    private static String scope(Map<String, String> scopes, String rest) {
        for (var e : scopes.entrySet()) {
            if (rest.startsWith(e.getKey())
                    && !rest.substring(e.getKey().length()).contains("/")) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * Whether an HF tensor below {@code prefix} belongs to the encoder (and so must be used, or the model is one
     * this graph cannot compute); buffers ({@code position_ids}, {@code token_type_ids}) hold no weights.
     */
    static boolean isEncoderPart(String name, String prefix) {
        if (!name.startsWith(prefix)) return false;
        String rest = name.substring(prefix.length());
        if (rest.endsWith("position_ids") || rest.endsWith("token_type_ids")) return false;
        return rest.startsWith("embeddings.")
                || rest.startsWith("embeddings_project.")
                || rest.startsWith("encoder.")
                || rest.startsWith("pooler.");
    }
}
