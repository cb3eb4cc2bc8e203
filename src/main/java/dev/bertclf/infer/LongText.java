package dev.bertclf.infer;

import dev.bertclf.runtime.InvalidOptionException;
import java.io.Serializable;

/**
 * How inference scores a text longer than the model's window of {@code maxSeqLen - 2} tokens: {@link Mode#truncate}
 * keeps the tokens the model was trained on (its recorded truncation); {@link Mode#window} scores windows of that
 * many tokens, {@code stride} tokens apart, the last ending at the text's end, and takes the mean of their logits
 * before the sigmoid or softmax, so that the whole review counts. A text that fits in one window is scored alike
 * either way. At most {@code maxWindows} windows are scored per text, so that one huge text cannot take all memory;
 * a longer text is scored on the tokens those windows cover from its start, with a warning. Serializable: the Spark
 * job ships it to its executors.
 *
 * @param stride tokens between windows; null: half the window
 */
public record LongText(Mode mode, Integer stride, int maxWindows) implements Serializable {
    /** The default cap: 64 windows of 126 tokens half a window apart cover 4,095 tokens, any IMDB review. */
    public static final int MAX_WINDOWS = 64;

    /** The most windows a text may ask for: 1,024 windows half of 126 tokens apart cover 64,575 tokens. */
    public static final int WINDOWS_LIMIT = 1024;

    /** The default: the tokens the model was trained on, one window per text. */
    public static final LongText TRUNCATE = new LongText(Mode.truncate, null, MAX_WINDOWS);

    /** The option's values. */
    public enum Mode {
        /** Score the tokens the model was trained on (its recorded truncation). */
        truncate,
        /** Score overlapping windows over the whole text and average their logits. */
        window
    }

    /**
     * A null mode is {@link Mode#truncate}.
     *
     * @throws InvalidOptionException if {@code maxWindows} is not 1 to {@value #WINDOWS_LIMIT}
     */
    public LongText {
        if (mode == null) mode = Mode.truncate;
        if (maxWindows < 1 || maxWindows > WINDOWS_LIMIT) {
            throw new InvalidOptionException(
                    "--max-windows must be 1 to " + WINDOWS_LIMIT + " (a bound on memory), got " + maxWindows);
        }
    }

    /**
     * The stride for windows of {@code room} tokens: the given one, or half the window (rounded up).
     *
     * @throws InvalidOptionException if the given stride is not 1 to {@code room}
     */
    public int strideFor(int room) {
        if (stride == null) return Math.max(1, (room + 1) / 2);
        if (stride < 1 || stride > room) {
            throw new InvalidOptionException("--stride must be 1 to " + room + " (the model's window: max-seq-len - 2"
                    + " tokens), got " + stride);
        }
        return stride;
    }
}
