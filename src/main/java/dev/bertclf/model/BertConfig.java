package dev.bertclf.model;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    @SerializedName("vocab_size") public int vocabSize;
    @SerializedName("hidden_size") public int hiddenSize;
    @SerializedName("num_hidden_layers") public int numHiddenLayers;
    @SerializedName("num_attention_heads") public int numAttentionHeads;
    @SerializedName("intermediate_size") public int intermediateSize;
    @SerializedName("hidden_act") public String hiddenAct = "gelu";
    @SerializedName("hidden_dropout_prob") public float hiddenDropoutProb = 0.1f;
    @SerializedName("attention_probs_dropout_prob") public float attentionProbsDropoutProb = 0.1f;
    @SerializedName("max_position_embeddings") public int maxPositionEmbeddings = 512;
    @SerializedName("type_vocab_size") public int typeVocabSize = 2;
    @SerializedName("initializer_range") public float initializerRange = 0.02f;
    /** {@code bert} (default), {@code electra} or {@code albert}: whose variable names and layout the encoder has. */
    @SerializedName("model_type") public String modelType = "bert";
    /** Width of the embedding tables when it differs from {@code hidden_size} (ELECTRA-small, ALBERT); else null. */
    @SerializedName("embedding_size") public Integer embeddingSize;
    /** Talking-heads attention: learned {@code [heads, heads]} mixing of the logits and of the probabilities. */
    @SerializedName("talking_heads") public boolean talkingHeads;
    /** Gated-GELU feed-forward: {@code gelu(x W + b) * (x W_gate + b_gate)} before the output projection. */
    @SerializedName("gated_feedforward") public boolean gatedFeedforward;

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
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read model config " + file + ": " + e.getMessage());
        }
    }

    /** Parses {@code bert_config.json} text; {@code source} names it in errors. */
    public static BertConfig parse(String json, String source) {
        try {
            BertConfig c = GSON.fromJson(json, BertConfig.class);
            if (c == null) throw new ModelException("model config " + source + " is empty");
            return c.validate(source);
        } catch (JsonParseException e) {
            throw new ModelException("cannot read model config " + source + ": " + e.getMessage());
        }
    }

    /** A copy, so callers can adjust one model's config without touching a shared one. */
    public BertConfig copy() { return parse(toJson(), "copy of " + this); }

    public void write(Path file) throws IOException {
        dev.bertclf.runtime.FileUtil.writeStringAtomic(file, toJson());
    }

    public String toJson() { return GSON.toJson(this); }

    public int headSize() { return hiddenSize / numAttentionHeads; }

    /** Width of the word, position and token-type embeddings. */
    public int embeddingWidth() { return embeddingSize != null ? embeddingSize : hiddenSize; }

    public boolean isElectra() { return "electra".equals(modelType); }

    public boolean isAlbert() { return "albert".equals(modelType); }

    /** The checkpoints' top-level scope: {@code electra/...} in ELECTRA's, {@code bert/...} in BERT's and ALBERT's. */
    public String scope() { return isElectra() ? "electra" : "bert"; }

    /** The word-embedding table's variable name, e.g. {@code bert/embeddings/word_embeddings}. */
    public String wordEmbeddingsName() { return scope() + "/embeddings/word_embeddings"; }

    /** ELECTRA's discriminator was pre-trained without a pooler: its pooled output is the [CLS] vector itself. */
    public boolean hasPooler() { return !isElectra(); }

    /** Parameter count of the encoder (embeddings, projection, layers, pooler), for logs and FLOP counts. */
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
            throw outOfRange(source, "initializer_range", initializerRange,
                    "a positive standard deviation (BERT's is 0.02)");
        }
        if (!"bert".equals(modelType) && !isElectra() && !isAlbert()) {
            throw outOfRange(source, "model_type", "'" + modelType + "'", "bert, electra or albert");
        }
        if (!List.of("gelu", "gelu_new", "gelu_exact", "relu").contains(hiddenAct)) {
            throw outOfRange(source, "hidden_act", "'" + hiddenAct + "'", "gelu, gelu_new, gelu_exact or relu");
        }
        return this;
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
