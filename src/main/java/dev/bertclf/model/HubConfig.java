package dev.bertclf.model;

import dev.bertclf.model.BertConfig.ModelType;
import dev.bertclf.model.hub.HubArchitecture;
import java.util.ArrayList;
import java.util.List;

/**
 * The config of a TF Hub TF2 SavedModel, which ships none: the registry's (or a {@code bert_config.json} beside
 * it) checked against the sizes the weights reveal, or, for a bare folder, those sizes themselves. Checking first
 * turns a wrong registry line or a mislabelled folder into one message naming both sides, instead of a shape
 * error deep in the restore or, worse, a graph that loads and computes something else.
 */
final class HubConfig {
    private HubConfig() {}

    /**
     * {@code declared} (from {@code declaredBy}) if it fits {@code weights}; if {@code declared} is null, a config
     * built from {@code weights}. ALBERT stores one shared layer, so its layer count must be declared.
     */
    static BertConfig resolve(HubArchitecture weights, BertConfig declared, String declaredBy, String where) {
        if (declared == null) return inferred(weights, where);
        List<String> diff = new ArrayList<>();
        ModelType expectedType = weights.sharedLayers() ? ModelType.ALBERT : ModelType.BERT;
        compare(diff, "model_type", declared.modelType, expectedType);
        compare(diff, "vocab_size", declared.vocabSize, weights.vocabSize());
        compare(diff, "hidden_size", declared.hiddenSize, weights.hiddenSize());
        if (!weights.sharedLayers()) compare(diff, "num_hidden_layers", declared.numHiddenLayers, weights.numLayers());
        if (weights.numHeads() > 0)
            compare(diff, "num_attention_heads", declared.numAttentionHeads, weights.numHeads());
        compare(diff, "intermediate_size", declared.intermediateSize, weights.intermediateSize());
        compare(diff, "max_position_embeddings", declared.maxPositionEmbeddings, weights.maxPositionEmbeddings());
        compare(diff, "type_vocab_size", declared.typeVocabSize, weights.typeVocabSize());
        compare(diff, "embedding_size", declared.embeddingWidth(), weights.embeddingSize());
        compare(diff, "talking_heads", declared.talkingHeads, weights.talkingHeads());
        compare(diff, "gated_feedforward", declared.gatedFeedforward, weights.gatedFeedforward());
        if (!diff.isEmpty()) {
            throw new ModelException(declaredBy + " does not describe the TF Hub model in " + where + ": "
                    + String.join(", ", diff) + " (" + declaredBy + ": " + declared + "; weights: " + weights + ")");
        }
        return declared;
    }

    private static BertConfig inferred(HubArchitecture w, String where) {
        if (w.sharedLayers()) {
            throw new ModelException("the TF Hub model in " + where + " is an ALBERT, whose weights do not tell how "
                    + "many times its shared layer runs: put a bert_config.json with num_hidden_layers, "
                    + "\"model_type\": \"albert\" and embedding_size beside saved_model.pb "
                    + "(or use --model albert_en_base)");
        }
        if (w.numHeads() <= 0) {
            throw new ModelException("the TF Hub model in " + where + " does not tell its number of attention heads "
                    + "(2-D query kernels): put a bert_config.json beside saved_model.pb");
        }
        BertConfig c = BertConfig.of(w.vocabSize(), w.numLayers(), w.hiddenSize(), w.numHeads());
        c.intermediateSize = w.intermediateSize();
        c.maxPositionEmbeddings = w.maxPositionEmbeddings();
        c.typeVocabSize = w.typeVocabSize();
        c.embeddingSize = w.embeddingSize() != w.hiddenSize() ? w.embeddingSize() : null;
        c.talkingHeads = w.talkingHeads();
        c.gatedFeedforward = w.gatedFeedforward();
        return c.validate("inferred from the weights in " + where);
    }

    private static void compare(List<String> diff, String key, Object declared, Object stored) {
        if (!declared.equals(stored)) diff.add(key + " " + declared + " but the weights have " + stored);
    }
}
