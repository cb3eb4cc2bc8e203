package dev.bertclf.model.hub;

/**
 * The sizes of a TF Hub encoder as its variable shapes reveal them. TF2 SavedModels carry no
 * {@code bert_config.json}, so these are what a registry entry is checked against before a long download is
 * trusted to be the model it claims.
 *
 * @param numLayers      the number of transformer layers; 0 when the layers share one set of weights (ALBERT),
 *                       because then the count is not stored in the weights at all
 * @param numHeads       attention heads, read from the 3-D query kernel {@code [hidden, heads, head_size]}
 * @param embeddingSize  width of the embedding tables; differs from {@code hiddenSize} when a projection follows
 * @param sharedLayers   one transformer block applied {@code numLayers} times (ALBERT)
 * @param talkingHeads   talking-heads attention (pre- and post-softmax {@code [heads, heads]} mixing)
 * @param gatedFeedforward gated GELU feed-forward ({@code gelu(x W) * (x V)})
 */
public record HubArchitecture(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        int embeddingSize,
        boolean sharedLayers,
        boolean talkingHeads,
        boolean gatedFeedforward) {

    /** For logs and messages, e.g. {@code L-12 H-768 A-12 I-3072 vocab 30522}. */
    @Override
    public String toString() {
        return "L-" + (sharedLayers ? "shared" : numLayers) + " H-" + hiddenSize + " A-" + numHeads
                + " I-" + intermediateSize + " E-" + embeddingSize + " vocab " + vocabSize
                + " positions " + maxPositionEmbeddings + " types " + typeVocabSize
                + (talkingHeads ? " talking-heads" : "") + (gatedFeedforward ? " gated-gelu" : "");
    }
}
