package dev.bertclf.testutil;

import com.google.gson.JsonObject;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Hugging Face model folders ({@code config.json}, {@code model.safetensors}, {@code vocab.txt} or
 * {@code spiece.model}, {@code tokenizer_config.json}) made from a Google-layout checkpoint's weights. The tensor
 * names are written out here literally, from transformers' {@code modeling_bert.py}, {@code modeling_electra.py} and
 * {@code modeling_albert.py}, not derived from the production mapping, so a mapping bug cannot cancel out.
 */
public final class HfFolders {
    /** How to write the folder: dtype of the weights, prefix ({@code bert.} or none), pre-4.0 LayerNorm names. */
    public record Style(String dtype, String prefix, boolean gammaBeta, boolean withHeads) {
        public static Style of(BertConfig c) {
            return new Style("F32", c.modelType + ".", false, true);
        }

        public Style dtype(String d) {
            return new Style(d, prefix, gammaBeta, withHeads);
        }

        public Style prefix(String p) {
            return new Style(dtype, p, gammaBeta, withHeads);
        }

        public Style withGammaBeta() {
            return new Style(dtype, prefix, true, withHeads);
        }
    }

    /** One HF tensor: its name, the Google variable it holds, and whether it is that kernel transposed. */
    public record Name(String hf, String google, boolean transposed) {}

    private HfFolders() {}

    /** The HF names of an encoder of {@code c}, literally, with the Google names they hold. */
    public static List<Name> names(BertConfig c, Style s) {
        List<Name> n = new ArrayList<>();
        String p = s.prefix();
        String r = c.isElectra() ? "electra" : "bert";
        String w = s.gammaBeta() ? "gamma" : "weight", b = s.gammaBeta() ? "beta" : "bias";
        n.add(new Name(p + "embeddings.word_embeddings.weight", r + "/embeddings/word_embeddings", false));
        n.add(new Name(p + "embeddings.position_embeddings.weight", r + "/embeddings/position_embeddings", false));
        n.add(new Name(p + "embeddings.token_type_embeddings.weight", r + "/embeddings/token_type_embeddings", false));
        n.add(new Name(p + "embeddings.LayerNorm." + w, r + "/embeddings/LayerNorm/gamma", false));
        n.add(new Name(p + "embeddings.LayerNorm." + b, r + "/embeddings/LayerNorm/beta", false));
        if (c.isAlbert()) {
            n.add(new Name(
                    p + "encoder.embedding_hidden_mapping_in.weight",
                    "bert/encoder/embedding_hidden_mapping_in/kernel",
                    true));
            n.add(new Name(
                    p + "encoder.embedding_hidden_mapping_in.bias",
                    "bert/encoder/embedding_hidden_mapping_in/bias",
                    false));
            String a = p + "encoder.albert_layer_groups.0.albert_layers.0.";
            String g = "bert/encoder/transformer/group_0/inner_group_0/";
            for (String q : List.of("query", "key", "value")) {
                n.add(new Name(a + "attention." + q + ".weight", g + "attention_1/self/" + q + "/kernel", true));
                n.add(new Name(a + "attention." + q + ".bias", g + "attention_1/self/" + q + "/bias", false));
            }
            n.add(new Name(a + "attention.dense.weight", g + "attention_1/output/dense/kernel", true));
            n.add(new Name(a + "attention.dense.bias", g + "attention_1/output/dense/bias", false));
            n.add(new Name(a + "attention.LayerNorm." + w, g + "LayerNorm/gamma", false));
            n.add(new Name(a + "attention.LayerNorm." + b, g + "LayerNorm/beta", false));
            n.add(new Name(a + "ffn.weight", g + "ffn_1/intermediate/dense/kernel", true));
            n.add(new Name(a + "ffn.bias", g + "ffn_1/intermediate/dense/bias", false));
            n.add(new Name(a + "ffn_output.weight", g + "ffn_1/intermediate/output/dense/kernel", true));
            n.add(new Name(a + "ffn_output.bias", g + "ffn_1/intermediate/output/dense/bias", false));
            n.add(new Name(a + "full_layer_layer_norm." + w, g + "LayerNorm_1/gamma", false));
            n.add(new Name(a + "full_layer_layer_norm." + b, g + "LayerNorm_1/beta", false));
            n.add(new Name(p + "pooler.weight", "bert/pooler/dense/kernel", true));
            n.add(new Name(p + "pooler.bias", "bert/pooler/dense/bias", false));
            return n;
        }
        if (c.isElectra() && c.embeddingWidth() != c.hiddenSize) {
            n.add(new Name(p + "embeddings_project.weight", "electra/embeddings_project/kernel", true));
            n.add(new Name(p + "embeddings_project.bias", "electra/embeddings_project/bias", false));
        }
        for (int i = 0; i < c.numHiddenLayers; i++) {
            String l = p + "encoder.layer." + i + ".";
            String g = r + "/encoder/layer_" + i + "/";
            for (String q : List.of("query", "key", "value")) {
                n.add(new Name(l + "attention.self." + q + ".weight", g + "attention/self/" + q + "/kernel", true));
                n.add(new Name(l + "attention.self." + q + ".bias", g + "attention/self/" + q + "/bias", false));
            }
            n.add(new Name(l + "attention.output.dense.weight", g + "attention/output/dense/kernel", true));
            n.add(new Name(l + "attention.output.dense.bias", g + "attention/output/dense/bias", false));
            n.add(new Name(l + "attention.output.LayerNorm." + w, g + "attention/output/LayerNorm/gamma", false));
            n.add(new Name(l + "attention.output.LayerNorm." + b, g + "attention/output/LayerNorm/beta", false));
            n.add(new Name(l + "intermediate.dense.weight", g + "intermediate/dense/kernel", true));
            n.add(new Name(l + "intermediate.dense.bias", g + "intermediate/dense/bias", false));
            n.add(new Name(l + "output.dense.weight", g + "output/dense/kernel", true));
            n.add(new Name(l + "output.dense.bias", g + "output/dense/bias", false));
            n.add(new Name(l + "output.LayerNorm." + w, g + "output/LayerNorm/gamma", false));
            n.add(new Name(l + "output.LayerNorm." + b, g + "output/LayerNorm/beta", false));
        }
        if (!c.isElectra()) {
            n.add(new Name(p + "pooler.dense.weight", "bert/pooler/dense/kernel", true));
            n.add(new Name(p + "pooler.dense.bias", "bert/pooler/dense/bias", false));
        }
        return n;
    }

    /** Google's weights of {@code names} from a TF1 checkpoint, by Google name, with their shapes. */
    public static Map<String, float[]> readGoogle(
            Path prefix, String scope, List<Name> names, Map<String, long[]> shapes) {
        List<String> stored = names.stream().map(x -> scope + x.google()).toList();
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, TFloat32> tensors = CheckpointReader.read(prefix, stored);
        try {
            tensors.forEach((k, t) -> {
                float[] v = new float[(int) t.size()];
                t.copyTo(DataBuffers.of(v, false, false));
                out.put(k.substring(scope.length()), v);
                shapes.put(k.substring(scope.length()), t.shape().asArray());
            });
        } finally {
            tensors.values().forEach(TFloat32::close);
        }
        return out;
    }

    /**
     * Writes {@code dir} as Hugging Face saves {@code c}'s encoder inside a task model, with the weights of the
     * Google-layout checkpoint at {@code prefix} (variables under {@code scope}); {@code vocabulary} is copied as
     * {@code vocab.txt}, or as {@code spiece.model} for ALBERT.
     */
    public static Path write(Path dir, BertConfig c, Path prefix, String scope, Path vocabulary, Style s)
            throws IOException {
        Files.createDirectories(dir);
        List<Name> names = names(c, s);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> google = readGoogle(prefix, scope, names, shapes);
        SafetensorsWriter st = new SafetensorsWriter().metadata("format", "pt");
        for (Name n : names) {
            long[] shape = shapes.get(n.google());
            float[] v = google.get(n.google());
            if (n.transposed()) {
                v = transpose(v, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            st.put(n.hf(), s.dtype(), shape, v);
        }
        if (s.withHeads()) {
            // A task head and a buffer, as BertForSequenceClassification saves them: not the encoder's.
            st.put(s.prefix() + "embeddings.position_ids", "I64", new long[] {1, 2}, new byte[16]);
            st.put("classifier.weight", s.dtype(), new long[] {2, c.hiddenSize}, new float[2 * c.hiddenSize]);
            st.put("classifier.bias", s.dtype(), new long[] {2}, new float[2]);
        }
        st.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), config(c).toString());
        Files.copy(vocabulary, dir.resolve(c.isAlbert() ? "spiece.model" : "vocab.txt"));
        JsonObject tokenizer = new JsonObject();
        tokenizer.addProperty("do_lower_case", true);
        Files.writeString(dir.resolve("tokenizer_config.json"), tokenizer.toString());
        return dir;
    }

    /** {@code c} as transformers writes its config.json. */
    public static JsonObject config(BertConfig c) {
        JsonObject j = new JsonObject();
        String family = c.modelType.toString();
        j.add("architectures", new com.google.gson.JsonArray());
        j.getAsJsonArray("architectures")
                .add(Character.toUpperCase(family.charAt(0)) + family.substring(1) + "ForSequenceClassification");
        j.addProperty("model_type", family);
        j.addProperty("vocab_size", c.vocabSize);
        j.addProperty("hidden_size", c.hiddenSize);
        j.addProperty("num_hidden_layers", c.numHiddenLayers);
        j.addProperty("num_attention_heads", c.numAttentionHeads);
        j.addProperty("intermediate_size", c.intermediateSize);
        j.addProperty(
                "hidden_act",
                switch (c.hiddenAct) {
                    case GELU, GELU_NEW -> "gelu_new";
                    case GELU_EXACT -> "gelu";
                    case RELU -> "relu";
                });
        j.addProperty("hidden_dropout_prob", c.hiddenDropoutProb);
        j.addProperty("attention_probs_dropout_prob", c.attentionProbsDropoutProb);
        j.addProperty("max_position_embeddings", c.maxPositionEmbeddings);
        j.addProperty("type_vocab_size", c.typeVocabSize);
        j.addProperty("initializer_range", c.initializerRange);
        j.addProperty("layer_norm_eps", 1e-12);
        j.addProperty("pad_token_id", 0);
        if (c.isAlbert()) {
            j.addProperty("num_hidden_groups", 1);
            j.addProperty("inner_group_num", 1);
        } else {
            j.addProperty("position_embedding_type", "absolute");
        }
        if (c.embeddingSize != null) j.addProperty("embedding_size", c.embeddingSize);
        j.addProperty("transformers_version", "4.44.0");
        return j;
    }

    /** {@code [rows, cols]} row-major to {@code [cols, rows]}. */
    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        }
        return t;
    }
}
