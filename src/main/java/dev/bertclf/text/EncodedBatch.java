package dev.bertclf.text;

import java.util.Arrays;

/**
 * Token ids of a batch of texts laid out row-major as {@code [batchSize, seqLen]} int32 arrays, the exact layout
 * of the model's {@code input_word_ids}, {@code input_mask} and {@code input_type_ids} tensors, so that they can
 * be copied into tensors without reshaping.
 *
 * @param wordIds WordPiece ids, {@code [CLS] text [SEP]} then padding
 * @param mask    1 for real tokens (including {@code [CLS]} and {@code [SEP]}), 0 for padding
 * @param typeIds segment ids, all 0 for single texts
 */
public record EncodedBatch(int batchSize, int seqLen, int[] wordIds, int[] mask, int[] typeIds) {
    public EncodedBatch {
        int n = Math.multiplyExact(batchSize, seqLen);
        if (wordIds.length != n || mask.length != n || typeIds.length != n) {
            throw new IllegalArgumentException("arrays must hold batchSize x seqLen = " + n + " values, got "
                    + wordIds.length + ", " + mask.length + ", " + typeIds.length);
        }
    }

    /** Rows {@code [from, to)} as a batch of their own (copied). */
    public EncodedBatch rows(int from, int to) {
        int a = from * seqLen, b = to * seqLen;
        return new EncodedBatch(
                to - from,
                seqLen,
                Arrays.copyOfRange(wordIds, a, b),
                Arrays.copyOfRange(mask, a, b),
                Arrays.copyOfRange(typeIds, a, b));
    }

    /** Number of real (unpadded) tokens of one row, {@code [CLS]} and {@code [SEP]} included. */
    public int length(int row) {
        int count = 0;
        for (int i = row * seqLen, end = i + seqLen; i < end; i++) count += mask[i];
        return count;
    }
}
