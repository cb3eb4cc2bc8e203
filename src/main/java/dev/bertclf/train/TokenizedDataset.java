package dev.bertclf.train;

import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A whole split tokenised once, up front, into flat int32 arrays: 20,000 reviews at 128 tokens are 30 MB, and a
 * training step then only copies a batch out of memory instead of waiting for the tokenizer.
 */
public final class TokenizedDataset {
    private static final int CHUNK = 256;

    private final int size;
    private final int seqLen;
    private final int[] wordIds;
    private final int[] mask;
    private final int[] typeIds;
    /** Label values per example: 1 (a class id), or one 0/1 per class for multi-label data (a multi-hot row). */
    private final int labelWidth;

    private final float[] labels;

    private TokenizedDataset(
            int size, int seqLen, int[] wordIds, int[] mask, int[] typeIds, int labelWidth, float[] labels) {
        this.size = size;
        this.labelWidth = labelWidth;
        this.seqLen = seqLen;
        this.wordIds = wordIds;
        this.mask = mask;
        this.typeIds = typeIds;
        this.labels = labels;
    }

    /** Tokenises {@code size} texts fetched by index (read lazily, so the raw text is never all in memory). */
    public static TokenizedDataset encode(
            String label,
            WordPieceTokenizer tokenizer,
            int size,
            IntFunction<String> text,
            IntFunction<Integer> labelOf) {
        return encode(label, tokenizer, size, text, 1, i -> new float[] {labelOf.apply(i)});
    }

    /** As {@link #encode(String, WordPieceTokenizer, int, IntFunction, IntFunction)}, {@code width} labels a text. */
    public static TokenizedDataset encode(
            String label,
            WordPieceTokenizer tokenizer,
            int size,
            IntFunction<String> text,
            int width,
            IntFunction<float[]> labelRow) {
        int seqLen = tokenizer.maxSeqLen();
        int[] ids = new int[size * seqLen], mask = new int[size * seqLen], types = new int[size * seqLen];
        float[] y = new float[size * width];
        try (ProgressBar bar = new ProgressBar("Tokenizing " + label, size, 0, ProgressBar.Unit.ITEMS)) {
            for (int start = 0; start < size; start += CHUNK) {
                int end = Math.min(size, start + CHUNK);
                String[] texts = new String[end - start];
                for (int i = start; i < end; i++) {
                    texts[i - start] = text.apply(i);
                    System.arraycopy(labelRow.apply(i), 0, y, i * width, width);
                }
                EncodedBatch b = tokenizer.encode(List.of(texts));
                System.arraycopy(b.wordIds(), 0, ids, start * seqLen, b.wordIds().length);
                System.arraycopy(b.mask(), 0, mask, start * seqLen, b.mask().length);
                System.arraycopy(b.typeIds(), 0, types, start * seqLen, b.typeIds().length);
                bar.step(end - start);
            }
        }
        return new TokenizedDataset(size, seqLen, ids, mask, types, width, y);
    }

    public int size() {
        return size;
    }

    /** The examples at {@code order[from..to)} as one batch. */
    public EncodedBatch batch(int[] order, int from, int to) {
        int n = to - from;
        int[] ids = new int[n * seqLen], m = new int[n * seqLen], t = new int[n * seqLen];
        for (int i = 0; i < n; i++) {
            int src = order[from + i] * seqLen;
            System.arraycopy(wordIds, src, ids, i * seqLen, seqLen);
            System.arraycopy(mask, src, m, i * seqLen, seqLen);
            System.arraycopy(typeIds, src, t, i * seqLen, seqLen);
        }
        return new EncodedBatch(n, seqLen, ids, m, t);
    }

    /**
     * A digest of every example's tokens and label, in order: two runs with the same fingerprint train on the same
     * examples, whatever file or folder they came from. A checkpoint records it so that a resumed run cannot go on
     * with other data (another file, other columns, edited rows) under the same options.
     */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(4 * (2 + 2 * wordIds.length + labels.length));
            b.putInt(size).putInt(seqLen);
            b.asIntBuffer().put(wordIds).put(typeIds);
            b.position(b.position() + 8 * wordIds.length);
            b.asFloatBuffer().put(labels);
            sha.update(b.array());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The labels of {@code order[from..to)}, row after row ({@link #labelWidth} values each). */
    public float[] labels(int[] order, int from, int to) {
        float[] y = new float[(to - from) * labelWidth];
        for (int i = from; i < to; i++) {
            System.arraycopy(labels, order[i] * labelWidth, y, (i - from) * labelWidth, labelWidth);
        }
        return y;
    }

    public int labelWidth() {
        return labelWidth;
    }
}
