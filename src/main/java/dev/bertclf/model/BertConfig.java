package dev.bertclf.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sizes of a BERT encoder, read from Google's {@code bert_config.json}: the same file, with the same keys,
 * ships with every release archive, so our graph is sized exactly as the checkpoint it restores.
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

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

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
            BertConfig c = GSON.fromJson(Files.readString(file), BertConfig.class);
            if (c == null) throw new ModelException("model config " + file + " is empty");
            return c.validate(file.toString());
        } catch (IOException | JsonParseException e) {
            throw new ModelException("cannot read model config " + file + ": " + e.getMessage());
        }
    }

    public void write(Path file) throws IOException {
        dev.bertclf.runtime.FileUtil.writeStringAtomic(file, toJson());
    }

    public String toJson() { return GSON.toJson(this); }

    public int headSize() { return hiddenSize / numAttentionHeads; }

    /** Parameter count of the encoder (embeddings, layers, pooler), for logs and FLOP counts. */
    public long parameterCount() {
        long h = hiddenSize, i = intermediateSize;
        long embeddings = (vocabSize + maxPositionEmbeddings + typeVocabSize) * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
        return embeddings + numHiddenLayers * layer + (h * h + h);
    }

    private BertConfig validate(String source) {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0) {
            throw new ModelException("model config " + source + " lacks a positive vocab_size, hidden_size, "
                    + "num_hidden_layers, num_attention_heads or intermediate_size");
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelException("model config " + source + ": hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (!"gelu".equals(hiddenAct) && !"gelu_new".equals(hiddenAct) && !"gelu_exact".equals(hiddenAct)
                && !"relu".equals(hiddenAct)) {
            throw new ModelException("model config " + source + ": hidden_act '" + hiddenAct
                    + "' is not supported (gelu, gelu_exact, relu)");
        }
        return this;
    }

    @Override
    public String toString() {
        return "L-" + numHiddenLayers + "_H-" + hiddenSize + "_A-" + numAttentionHeads;
    }
}
