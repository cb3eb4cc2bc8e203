package dev.bertclf.model.hub;

import dev.bertclf.model.ModelException;
import dev.bertclf.model.checkpoint.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the variable names of TF Hub's TF2 BERT-family encoders (TensorFlow Model Garden, {@code official/nlp})
 * to the Google TF1 names our graph uses, so that one graph serves both sources. The TF2 names are the reverse of
 * the Model Garden's own converters ({@code official/nlp/bert/tf1_checkpoint_converter_lib.py},
 * {@code BERT_V2_NAME_REPLACEMENTS}; {@code official/nlp/albert/tf2_albert_encoder_checkpoint_converter.py},
 * {@code ALBERT_NAME_REPLACEMENTS}) and of the layers' names in {@code networks/bert_encoder.py},
 * {@code encoder_scaffold.py}, {@code albert_encoder.py}, {@code layers/transformer_scaffold.py},
 * {@code talking_heads_attention.py} and {@code gated_feedforward.py}. Their converter reshapes Google's
 * {@code [hidden, hidden]} attention kernels with a plain row-major reshape, so the reverse is one too.
 */
final class HubVariableNames {

    /** How a TF2 tensor's dimensions fold into the TF1 shape; row-major data is unchanged by all of them. */
    enum Fold {
        NONE,
        /** {@code [hidden, heads, head_size] -> [hidden, hidden]}, {@code [heads, head_size] -> [hidden]}. */
        LAST_TWO,
        /** {@code [heads, head_size, hidden] -> [hidden, hidden]}. */
        FIRST_TWO;

        /** The TF1 shape: a kernel is 2-D and a bias 1-D; a tensor already of that rank is left as it is. */
        long[] apply(long[] shape, String name) {
            int targetRank = name.endsWith("/kernel") ? 2 : 1;
            if (this == NONE || shape.length == targetRank) return shape.clone();
            if (shape.length != targetRank + 1) {
                throw new CheckpointException("variable " + name + " has shape " + Arrays.toString(shape)
                        + ", which does not fold into a dense layer's " + targetRank + "-D shape");
            }
            int at = this == LAST_TWO ? shape.length - 2 : 0;
            long[] out = new long[targetRank];
            for (int i = 0, j = 0; i < shape.length; i++) {
                out[j++] = i == at ? shape[i] * shape[++i] : shape[i];
            }
            return out;
        }
    }

    /** Where one of our variables comes from. */
    record Source(String hubName, Fold fold) {}

    /** One rule: a TF2 name inside a layer scope, and our names for it in BERT and in ALBERT. */
    private record Rule(String hub, String bert, String albert, Fold fold) {}

    private static final String FFN = "{ffn}/";
    private static final List<String> DENSE = List.of("kernel", "bias");
    private static final List<String> NORM = List.of("gamma", "beta");

    /** Inside one transformer layer. The first matching alias wins (older exports used other scopes). */
    private static final List<Rule> LAYER_RULES = layerRules();

    /** Outside the layers. */
    private static final List<Rule> ENCODER_RULES = encoderRules();

    private static final String ALBERT_LAYER = "bert/encoder/transformer/group_0/inner_group_0/";
    private static final String WORD_EMBEDDINGS = "word_embeddings/embeddings";
    private static final String QUERY = "/self_attention/query/kernel";
    private static final Pattern LAYER_INDEX = Pattern.compile("(?:^|/)layer_(\\d+)$");
    private static final Pattern SUFFIX_INDEX = Pattern.compile("^(.*?)(?:_(\\d+))?$");

    /** The mapping for one checkpoint: our name to its TF2 source, plus what the scopes revealed. */
    record Mapping(Map<String, Source> sources, List<String> layerScopes, boolean shared) {}

    private HubVariableNames() {}

    private static List<Rule> layerRules() {
        List<Rule> r = new ArrayList<>();
        for (String p : List.of("query", "key", "value")) {
            add(
                    r,
                    "self_attention/" + p + "/",
                    "attention/self/" + p + "/",
                    "attention_1/self/" + p + "/",
                    DENSE,
                    Fold.LAST_TWO);
        }
        for (String hub : List.of("self_attention/attention_output/", "self_attention_output/")) {
            add(r, hub, "attention/output/dense/", "attention_1/output/dense/", List.of("kernel"), Fold.FIRST_TWO);
            add(r, hub, "attention/output/dense/", "attention_1/output/dense/", List.of("bias"), Fold.NONE);
        }
        add(r, "self_attention_layer_norm/", "attention/output/LayerNorm/", "LayerNorm/", NORM, Fold.NONE);
        // Talking heads: [heads, heads] mixing before and after the softmax; no ALBERT counterpart.
        add(
                r,
                "self_attention/",
                "attention/self/",
                null,
                List.of("pre_softmax_weight", "post_softmax_weight"),
                Fold.NONE);
        add(r, "intermediate/", "intermediate/dense/", "ffn_1/intermediate/dense/", DENSE, Fold.NONE);
        add(r, "output/", "output/dense/", "ffn_1/intermediate/output/dense/", DENSE, Fold.NONE);
        add(r, "output_layer_norm/", "output/LayerNorm/", "LayerNorm_1/", NORM, Fold.NONE);
        // GatedFeedforward (talking-heads model): its own scope, one block; gelu(x W) * (x V), then W2.
        add(r, FFN + "intermediate_0/", "intermediate/dense/", null, DENSE, Fold.NONE);
        add(r, FFN + "gate_0/", "intermediate/gate/", null, DENSE, Fold.NONE);
        add(r, FFN + "output_0/", "output/dense/", null, DENSE, Fold.NONE);
        add(r, FFN + "output_layer_norm_0/", "output/LayerNorm/", null, NORM, Fold.NONE);
        return List.copyOf(r);
    }

    private static List<Rule> encoderRules() {
        List<Rule> r = new ArrayList<>();
        r.add(new Rule("word_embeddings/embeddings", "bert/embeddings/word_embeddings", null, Fold.NONE));
        r.add(new Rule("position_embedding/embeddings", "bert/embeddings/position_embeddings", null, Fold.NONE));
        r.add(new Rule("type_embeddings/embeddings", "bert/embeddings/token_type_embeddings", null, Fold.NONE));
        add(r, "embeddings/layer_norm/", "bert/embeddings/LayerNorm/", null, NORM, Fold.NONE);
        add(
                r,
                "embedding_projection/",
                "bert/embeddings_project/",
                "bert/encoder/embedding_hidden_mapping_in/",
                DENSE,
                Fold.NONE);
        add(r, "pooler_transform/", "bert/pooler/dense/", null, DENSE, Fold.NONE); // BertEncoder, AlbertEncoder
        add(r, "cls_transform/", "bert/pooler/dense/", null, DENSE, Fold.NONE); // EncoderScaffold
        return List.copyOf(r);
    }

    /** One rule per leaf: {@code hubScope + leaf -> bertScope + leaf} (and {@code albertScope + leaf}). */
    private static void add(
            List<Rule> rules, String hubScope, String bertScope, String albertScope, List<String> leaves, Fold fold) {
        for (String leaf : leaves) {
            rules.add(
                    new Rule(hubScope + leaf, bertScope + leaf, albertScope == null ? null : albertScope + leaf, fold));
        }
    }

    /**
     * Maps every encoder variable of {@code hubNames}. Variables that look like part of the encoder but match no
     * rule are an error, because silently ignoring one (a final layer norm, a second feed-forward block) would
     * give a model that loads and computes something else.
     */
    static Mapping map(Set<String> hubNames, String where) {
        String root = root(hubNames, where);
        List<String> scopes = layerScopes(hubNames, root, where);
        boolean shared = scopes.size() == 1 && scopes.get(0).equals(root + "transformer");
        Map<String, Source> sources = new LinkedHashMap<>();
        List<String> used = new ArrayList<>();
        for (Rule r : ENCODER_RULES) {
            String hub = root + r.hub();
            if (!hubNames.contains(hub)) continue;
            String ours = shared && r.albert() != null ? r.albert() : r.bert();
            if (sources.putIfAbsent(ours, new Source(hub, r.fold())) == null) used.add(hub);
        }
        for (int i = 0; i < scopes.size(); i++) {
            String scope = scopes.get(i);
            String ffn = feedforwardScope(hubNames, scope);
            for (Rule r : LAYER_RULES) {
                String hub = scope + "/" + (ffn == null ? r.hub() : r.hub().replace("{ffn}", ffn));
                if (!hubNames.contains(hub)) continue;
                String ours;
                if (shared) {
                    if (r.albert() == null) throw unsupported(hub, where, "ALBERT with this layer is not supported");
                    ours = ALBERT_LAYER + r.albert();
                } else {
                    ours = "bert/encoder/layer_" + i + "/" + r.bert();
                }
                if (sources.putIfAbsent(ours, new Source(hub, r.fold())) == null) used.add(hub);
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String name : hubNames) {
            if (!used.contains(name) && isEncoderPart(name, root, scopes)) unknown.add(name);
        }
        if (!unknown.isEmpty()) {
            throw unsupported(
                    String.join(", ", unknown.subList(0, Math.min(5, unknown.size()))),
                    where,
                    "this encoder has variables this tool does not know how to use");
        }
        checkLayersComplete(sources, scopes.size(), shared, where);
        return new Mapping(sources, scopes, shared);
    }

    /** Everything before {@code word_embeddings/embeddings}, e.g. {@code ""} or {@code bert_encoder/}. */
    private static String root(Set<String> hubNames, String where) {
        List<String> roots = hubNames.stream()
                .filter(n -> n.equals(WORD_EMBEDDINGS) || n.endsWith("/" + WORD_EMBEDDINGS))
                .map(n -> n.substring(0, n.length() - WORD_EMBEDDINGS.length()))
                .toList();
        if (roots.size() != 1) {
            throw new CheckpointException(where
                    + (roots.isEmpty()
                            ? " has no " + WORD_EMBEDDINGS + " variable: it is not a BERT-family TF Hub encoder"
                            : " holds several encoders " + roots));
        }
        return roots.get(0);
    }

    /** The layer scopes in layer order: {@code transformer/layer_N} by N, or Keras' {@code name, name_1, ...}. */
    private static List<String> layerScopes(Set<String> hubNames, String root, String where) {
        Map<Long, String> byIndex = new TreeMap<>();
        String base = null;
        for (String n : hubNames) {
            if (!n.startsWith(root) || !n.endsWith(QUERY)) continue;
            String scope = n.substring(0, n.length() - QUERY.length());
            Matcher layer = LAYER_INDEX.matcher(scope);
            long index;
            String scopeBase;
            if (layer.find()) {
                index = Long.parseLong(layer.group(1));
                scopeBase = scope.substring(0, layer.start());
            } else {
                Matcher suffix = SUFFIX_INDEX.matcher(scope);
                suffix.matches();
                index = suffix.group(2) == null ? 0 : Long.parseLong(suffix.group(2));
                scopeBase = suffix.group(1);
            }
            if (base != null && !base.equals(scopeBase)) {
                throw unsupported(scope, where, "its transformer layers are not named alike (" + base + ")");
            }
            base = scopeBase;
            if (byIndex.put(index, scope) != null) throw unsupported(scope, where, "two layers have one index");
        }
        if (byIndex.isEmpty()) {
            throw new CheckpointException(where + " has no self_attention/query/kernel variable: it is not a "
                    + "BERT-family TF Hub encoder this tool knows");
        }
        List<String> scopes = new ArrayList<>(byIndex.values());
        // Keras numbers repeated layer names on from whatever it created before, so only the order counts;
        // explicit layer_N indices must run from 0 without gaps.
        if (LAYER_INDEX.matcher(scopes.get(0)).find()) {
            long expected = 0;
            for (long i : byIndex.keySet()) {
                if (i != expected++)
                    throw unsupported(byIndex.get(i), where, "layer indices are not 0.." + (byIndex.size() - 1));
            }
        }
        return scopes;
    }

    /** The gated feed-forward block's scope inside a layer, if there is one. */
    private static String feedforwardScope(Set<String> hubNames, String scope) {
        for (String n : hubNames) {
            if (n.startsWith(scope + "/") && n.endsWith("/gate_0/kernel")) {
                String middle = n.substring(scope.length() + 1, n.length() - "/gate_0/kernel".length());
                if (!middle.contains("/")) return middle;
            }
        }
        return null;
    }

    private static boolean isEncoderPart(String name, String root, List<String> scopes) {
        for (String scope : scopes) if (name.startsWith(scope + "/")) return true;
        if (!name.startsWith(root)) return false;
        String rest = name.substring(root.length());
        return rest.startsWith("embedding")
                || rest.startsWith("word_embeddings/")
                || rest.startsWith("position_embedding/")
                || rest.startsWith("type_embeddings/")
                || rest.startsWith("final_layer_norm/")
                || rest.startsWith("pooler_transform/")
                || rest.startsWith("cls_transform/");
    }

    /** Every layer must have the same variables, and the encoder its embeddings. */
    private static void checkLayersComplete(Map<String, Source> sources, int layers, boolean shared, String where) {
        List<String> missing = new ArrayList<>();
        for (String name : List.of(
                "bert/embeddings/word_embeddings",
                "bert/embeddings/position_embeddings",
                "bert/embeddings/token_type_embeddings",
                "bert/embeddings/LayerNorm/gamma")) {
            if (!sources.containsKey(name)) missing.add(name);
        }
        String first = shared ? ALBERT_LAYER : "bert/encoder/layer_0/";
        List<String> perLayer = sources.keySet().stream()
                .filter(n -> n.startsWith(first))
                .map(n -> n.substring(first.length()))
                .toList();
        for (int i = 1; i < layers; i++) {
            for (String suffix : perLayer) {
                String name = "bert/encoder/layer_" + i + "/" + suffix;
                if (!sources.containsKey(name)) missing.add(name);
            }
        }
        for (String suffix : List.of(
                "attention/self/key/kernel",
                "attention/self/value/kernel",
                "attention/output/dense/kernel",
                "intermediate/dense/kernel",
                "output/dense/kernel")) {
            String name = shared ? null : first + suffix;
            if (name != null && !sources.containsKey(name)) missing.add(name);
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(where + " lacks variables an encoder needs (by our names): "
                    + ModelException.firstFive(missing, ", "));
        }
    }

    private static CheckpointException unsupported(String names, String where, String why) {
        return new CheckpointException(where + ": " + why + ": " + names);
    }
}
