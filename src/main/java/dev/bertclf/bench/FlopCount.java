package dev.bertclf.bench;

import dev.bertclf.model.BertConfig;

/**
 * Floating-point operations of the encoder, attention included, counted as 2 per multiply-add of every matrix
 * product: what a benchmark divides by time to report GFLOP/s, and so compare with the machine's MatMul ceiling.
 * Element-wise work (softmax, LayerNorm, GELU) is left out, as in the usual BERT FLOP counts.
 */
public final class FlopCount {
    private FlopCount() {}

    /** Forward pass of one example of {@code seqLen} tokens. */
    public static double forwardPerExample(BertConfig c, int seqLen) {
        double t = seqLen, h = c.hiddenSize, i = c.intermediateSize;
        double projections = 4 * 2 * t * h * h; // query, key, value, attention output
        double attention = 2 * 2 * t * t * h; // scores and context, all heads together
        double feedForward = 2 * 2 * t * h * i; // intermediate and output dense
        return c.numHiddenLayers * (projections + attention + feedForward) + 2 * h * h + 2 * h;
    }

    /** A training step costs the forward pass and about twice that backward. */
    public static double trainingPerExample(BertConfig c, int seqLen) {
        return 3 * forwardPerExample(c, seqLen);
    }
}
