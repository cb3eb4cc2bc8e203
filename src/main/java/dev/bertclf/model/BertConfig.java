package dev.bertclf.model;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The sizes of a BERT encoder, read from Google's {@code bert_config.json}: the same file, with the same keys,
 * ships with every release archive, so our graph is sized exactly as the checkpoint it restores. The tutorial's
 * other families are BERT variants described by a few more keys (absent from Google's BERT files, so BERT is the
 * default): {@code model_type} {@code electra} or {@code albert} (their checkpoints' own variable layout),
 * {@code embedding_size} (factorised embeddings, projected to {@code hidden_size}), and the talking-heads BERT's
 * {@code talking_heads} and {@code gated_feedforward}.
 *
 * <p>{@code hidden_act}: {@code gelu} is GELU as Google's BERT, ALBERT and TF Hub's TF2 encoders compute it (the
 * tanh approximation; {@code gelu_new} is the same), {@code gelu_exact} the erf form ELECTRA was trained with.
 */
public final class BertConfig {
    @SerializedName("vocab_size")
    public int vocabSize;

    @SerializedName("hidden_size")
    public int hiddenSize;

    @SerializedName("num_hidden_layers")
    public int numHiddenLayers;

    @SerializedName("num_attention_heads")
    public int numAttentionHeads;

    @SerializedName("intermediate_size")
    public int intermediateSize;

    @SerializedName("hidden_act")
    public HiddenAct hiddenAct = HiddenAct.GELU;

    @SerializedName("hidden_dropout_prob")
    public float hiddenDropoutProb = 0.1f;

    @SerializedName("attention_probs_dropout_prob")
    public float attentionProbsDropoutProb = 0.1f;

    @SerializedName("max_position_embeddings")
    public int maxPositionEmbeddings = 512;

    @SerializedName("type_vocab_size")
    public int typeVocabSize = 2;

    @SerializedName("initializer_range")
    public float initializerRange = 0.02f;
    /** {@code bert} (default), {@code electra} or {@code albert}: whose variable names and layout the encoder has. */
    @SerializedName("model_type")
    public ModelType modelType = ModelType.BERT;
    /** Width of the embedding tables when it differs from {@code hidden_size} (ELECTRA-small, ALBERT); else null. */
    @SerializedName("embedding_size")
    public Integer embeddingSize;
    /** Talking-heads attention: learned {@code [heads, heads]} mixing of the logits and of the probabilities. */
    @SerializedName("talking_heads")
    public boolean talkingHeads;
    /** Gated-GELU feed-forward: {@code gelu(x W + b) * (x W_gate + b_gate)} before the output projection. */
    @SerializedName("gated_feedforward")
    public boolean gatedFeedforward;

    /** The {@code model_type} key: whose checkpoints' variable names and layout the encoder has. */
    public enum ModelType {
        @SerializedName("bert")
        BERT,
        @SerializedName("electra")
        ELECTRA,
        @SerializedName("albert")
        ALBERT;

        /** The name in {@code bert_config.json}. */
        @Override
        public String toString() {
            return jsonName(this);
        }
    }

    /** The {@code hidden_act} key: the feed-forward activation (see {@link Activations}). */
    public enum HiddenAct {
        /** GELU, tanh approximation (Google's BERT, ALBERT, TF Hub's TF2 encoders). */
        @SerializedName("gelu")
        GELU,
        /** The same as {@link #GELU}, as Hugging Face names it. */
        @SerializedName("gelu_new")
        GELU_NEW,
        /** GELU in its exact erf form, as ELECTRA was trained with. */
        @SerializedName("gelu_exact")
        GELU_EXACT,
        @SerializedName("relu")
        RELU;

        /** The name in {@code bert_config.json}. */
        @Override
        public String toString() {
            return jsonName(this);
        }
    }

    private static final Gson GSON = Json.PRETTY;

    public static BertConfig of(int vocabSize, int layers, int hidden, int heads) {
        BertConfig c = new BertConfig();
        c.vocabSize = vocabSize;
        c.numHiddenLayers = layers;
        c.hiddenSize = hidden;
        c.numAttentionHeads = heads;
        c.intermediateSize = 4 * hidden;
        return c.validate("built-in shape");
    }

    public static BertConfig read(Path file) {
        try {
            return parse(BoundedFiles.readString(file, BoundedFiles.SMALL), file.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read model config " + file + ": " + e.getMessage());
        }
    }

    /** Parses {@code bert_config.json} text; {@code source} names it in errors. */
    public static BertConfig parse(String json, String source) {
        try {
            JsonObject tree = GSON.fromJson(json, JsonObject.class);
            if (tree == null) throw new ModelException("model config " + source + " is empty");
            // Gson reads a name no constant has as null: check the names here, while the file's word is at hand.
            checkName(tree, "model_type", ModelType.class, source);
            checkName(tree, "hidden_act", HiddenAct.class, source);
            return GSON.fromJson(tree, BertConfig.class).validate(source);
        } catch (JsonParseException e) {
            throw new ModelException("cannot read model config " + source + ": " + e.getMessage());
        }
    }

    /** A copy, so callers can adjust one model's config without touching a shared one. */
    public BertConfig copy() {
        return parse(toJson(), "copy of " + this);
    }

    public void write(Path file) throws IOException {
        dev.bertclf.runtime.FileUtil.writeStringAtomic(file, toJson());
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** Width of the word, position and token-type embeddings. */
    public int embeddingWidth() {
        return embeddingSize != null ? embeddingSize : hiddenSize;
    }

    public boolean isElectra() {
        return modelType == ModelType.ELECTRA;
    }

    public boolean isAlbert() {
        return modelType == ModelType.ALBERT;
    }

    /** The checkpoints' top-level scope: {@code electra/...} in ELECTRA's, {@code bert/...} in BERT's and ALBERT's. */
    public String scope() {
        return isElectra() ? "electra" : "bert";
    }

    /** The word-embedding table's variable name, e.g. {@code bert/embeddings/word_embeddings}. */
    public String wordEmbeddingsName() {
        return scope() + "/embeddings/word_embeddings";
    }

    /** ELECTRA's discriminator was pre-trained without a pooler: its pooled output is the [CLS] vector itself. */
    public boolean hasPooler() {
        return !isElectra();
    }

    /** Parameter count of the encoder (embeddings, projection, layers, pooler), for logs and FLOP counts. */
    /**
     * Refuses a {@code --max-seq-len} this encoder has no positions for (a tokenizer would silently stop at its
     * length instead); {@code model} names it in the message, or is null.
     *
     * @throws InvalidOptionException a usage error, found before any data work
     */
    public void requirePositions(int maxSeqLen, String model) {
        if (maxSeqLen > maxPositionEmbeddings) {
            throw new InvalidOptionException("--max-seq-len " + maxSeqLen + " exceeds the model's "
                    + maxPositionEmbeddings + " positions" + (model == null ? "" : " (" + model + ")"));
        }
    }

    public long parameterCount() {
        return (long) parameters();
    }

    /**
     * The parameter count in double precision, where sizes from a hostile file cannot overflow it; exact below 2^53.
     */
    double parameters() {
        double h = hiddenSize, i = intermediateSize, e = embeddingWidth(), n = numAttentionHeads;
        double embeddings = ((double) vocabSize + maxPositionEmbeddings + typeVocabSize) * e + 2 * e;
        double projection = e != h ? e * h + h : 0;
        double layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
        if (gatedFeedforward) layer += h * i + i;
        if (talkingHeads) layer += 2 * n * n;
        double layers = isAlbert() ? layer : numHiddenLayers * layer;
        return embeddings + projection + layers + (hasPooler() ? h * h + h : 0);
    }

    /**
     * Checks every key against the range the graph can be built with, so that a wrong file fails here, naming the
     * file, the key and the range, rather than in TensorFlow's words once the graph is built (or never: a dropout of
     * 1 trains nothing). Integer keys left out of the file read as 0.
     */
    BertConfig validate(String source) {
        atLeast(source, "vocab_size", vocabSize, 1);
        atLeast(source, "hidden_size", hiddenSize, 1);
        atLeast(source, "num_hidden_layers", numHiddenLayers, 1);
        atLeast(source, "num_attention_heads", numAttentionHeads, 1);
        atLeast(source, "intermediate_size", intermediateSize, 1);
        atLeast(source, "max_position_embeddings", maxPositionEmbeddings, 2);
        atLeast(source, "type_vocab_size", typeVocabSize, 1);
        if (embeddingSize != null) atLeast(source, "embedding_size", embeddingSize, 1);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelException("model config " + source + ": hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        probability(source, "hidden_dropout_prob", hiddenDropoutProb);
        probability(source, "attention_probs_dropout_prob", attentionProbsDropoutProb);
        if (!(initializerRange > 0 && Float.isFinite(initializerRange))) {
            throw outOfRange(
                    source, "initializer_range", initializerRange, "a positive standard deviation (BERT's is 0.02)");
        }
        if (modelType == null) throw outOfRange(source, "model_type", "'null'", names(ModelType.class));
        if (hiddenAct == null) throw outOfRange(source, "hidden_act", "'null'", names(HiddenAct.class));
        return this;
    }

    /** Refuses {@code key} in {@code tree} unless it is absent or one of {@code type}'s names in the file. */
    private static <E extends Enum<E>> void checkName(JsonObject tree, String key, Class<E> type, String source) {
        JsonElement v = tree.get(key);
        if (v == null || v.isJsonNull()) return;
        String name = v.isJsonPrimitive() ? v.getAsString() : v.toString();
        if (Arrays.stream(type.getEnumConstants()).noneMatch(c -> jsonName(c).equals(name))) {
            throw outOfRange(source, key, "'" + name + "'", names(type));
        }
    }

    /** {@code type}'s names in the file, as a sentence: "bert, electra or albert". */
    private static <E extends Enum<E>> String names(Class<E> type) {
        List<String> all =
                Arrays.stream(type.getEnumConstants()).map(BertConfig::jsonName).toList();
        return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
    }

    /** A constant's {@link SerializedName}: the word {@code bert_config.json} uses for it. */
    private static String jsonName(Enum<?> constant) {
        try {
            return constant.getDeclaringClass()
                    .getField(constant.name())
                    .getAnnotation(SerializedName.class)
                    .value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void atLeast(String source, String key, int value, int min) {
        if (value < min) throw outOfRange(source, key, value == 0 ? "0 (or missing)" : value, min + " or more");
    }

    /** A dropout rate: 1 would drop every activation (and NaN poison them), so [0, 1). */
    private static void probability(String source, String key, float p) {
        if (!(p >= 0 && p < 1)) throw outOfRange(source, key, p, "a probability in [0, 1)");
    }

    private static ModelException outOfRange(String source, String key, Object value, String range) {
        return new ModelException("model config " + source + ": " + key + " is " + value + "; it must be " + range);
    }

    @Override
    public String toString() {
        return "L-" + numHiddenLayers + "_H-" + hiddenSize + "_A-" + numAttentionHeads;
    }
}
