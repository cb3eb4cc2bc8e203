package dev.bertclf.text;

/**
 * Where the sliding windows over a long text start, for inference that scores a whole text instead of a cut one:
 * windows of {@code room} tokens, the first at the text's start, each {@code stride} tokens after the one before,
 * until one reaches the text's end; the last window is moved back to end exactly there. A text that fits in one
 * window gets that one window, so it is scored as if it were truncated.
 */
public final class TokenWindows {
    private TokenWindows() {}

    /** How many windows a text of {@code n} tokens needs. */
    public static int count(int n, int room, int stride) {
        check(room, stride);
        if (n <= room) return 1;
        return Math.toIntExact(1 + ((long) n - room + stride - 1) / stride);
    }

    /** The first token of each window over a text of {@code n} tokens (the window ends {@code room} later or at n). */
    public static int[] starts(int n, int room, int stride) {
        int count = count(n, room, stride);
        int[] starts = new int[count];
        for (int w = 0; w < count - 1; w++) starts[w] = w * stride;
        starts[count - 1] = Math.max(0, n - room);
        return starts;
    }

    /** The tokens that {@code windows} windows cover: more of a text than this is not scored. */
    public static long coveredTokens(int windows, int room, int stride) {
        check(room, stride);
        return (long) (windows - 1) * stride + room;
    }

    private static void check(int room, int stride) {
        if (room < 1 || stride < 1 || stride > room) {
            throw new IllegalArgumentException("a stride must be 1 to the window's " + room + " tokens, got " + stride);
        }
    }
}
