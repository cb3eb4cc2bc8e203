package dev.bertclf.text;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which tokens of a text longer than the sequence a model sees, the one rule training, evaluation, prediction,
 * serving and the Spark scorer share (it is recorded in the exported model's {@code metadata.json}). A text of
 * {@code n} tokens with room for {@code r = maxSeqLen - 2} keeps all of them when {@code n <= r}; otherwise {@link
 * #HEAD} keeps its first {@code r} tokens, {@link #TAIL} its last {@code r}, and {@link #HEAD_TAIL} its first
 * {@code floor(r / 4)} and its last {@code r - floor(r / 4)}: the ratio Sun et al. (2019, "How to Fine-Tune BERT for
 * Text Classification") found best on IMDB, 128 head and 382 tail tokens of 510.
 */
public enum Truncation {
    HEAD("head"),
    TAIL("tail"),
    HEAD_TAIL("head+tail");

    private final String id;

    Truncation(String id) {
        this.id = id;
    }

    /** The name options and {@code metadata.json} use: {@code head}, {@code tail} or {@code head+tail}. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * The truncation named {@code id}; null (a model written before the option) is {@link #HEAD}.
     *
     * @throws IllegalArgumentException naming the choices for any other name
     */
    public static Truncation of(String id) {
        if (id == null) return HEAD;
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (Truncation t : values()) if (t.id.equals(wanted)) return t;
        throw new IllegalArgumentException("unknown truncation '" + id + "' (choose from "
                + String.join(", ", Arrays.stream(values()).map(Truncation::id).toList()) + ")");
    }

    /**
     * How many of a text's first tokens are kept, of {@code n} tokens ({@link Integer#MAX_VALUE}: more than the
     * room) with room for {@code room}; the other {@code min(n, room)} minus this come from its end.
     */
    public int headTokens(int n, int room) {
        if (n <= room) return n;
        return switch (this) {
            case HEAD -> room;
            case TAIL -> 0;
            case HEAD_TAIL -> room / 4;
        };
    }

    /** How many of a text's last tokens are kept, of {@code n} tokens with room for {@code room}. */
    public int tailTokens(int n, int room) {
        return Math.min(n, room) - headTokens(n, room);
    }
}
