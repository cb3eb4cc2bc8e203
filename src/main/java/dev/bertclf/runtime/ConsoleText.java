package dev.bertclf.runtime;

/**
 * Makes untrusted text safe to show on a terminal. Names from archives, files, labels and HTTP headers can hold
 * escape sequences, carriage returns or bidi overrides that erase or rewrite what a user reads (a tar entry named
 * {@code ESC[2K...Dataset ready} hides the error it caused). Every such character is shown as a visible escape
 * instead: {@code \e}, {@code \r}, {@code \n}, {@code \t}, {@code \x07}, {@code \u202e}; everything else,
 * backslashes and non-ASCII letters included, is left as it is.
 */
public final class ConsoleText {
    private ConsoleText() {}

    /** {@code text} on one line with every control character visible; "null" for null. */
    public static String escape(String text) {
        return escape(text, false);
    }

    /** Like {@link #escape(String)}, but keeps line feeds and tabs: for multi-line text such as a stack trace. */
    public static String escapeKeepingLines(String text) {
        return escape(text, true);
    }

    /**
     * A JSON document with the characters JSON allows raw but a terminal acts on (DEL, C1 controls, bidi and line
     * separators) written as {@code \}{@code uXXXX}; they can only occur inside strings, where that escape means the
     * same character, so the document's value is unchanged.
     */
    public static String escapeJson(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c >= ' ' && isUnsafe(c)) {
                if (sb == null) sb = new StringBuilder(json.length() + 16).append(json, 0, i);
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? json : sb.toString();
    }

    /** Whether a terminal may act on {@code c} instead of showing it. */
    static boolean isUnsafe(char c) {
        return c < ' '
                || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e
                || c == 0x200f
                || c == 0x061c
                || c == 0x2028
                || c == 0x2029;
    }

    private static String escape(String text, boolean keepLines) {
        if (text == null) return "null";
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean kept = keepLines && (c == '\n' || c == '\t');
            if (!kept && isUnsafe(c)) {
                if (sb == null) sb = new StringBuilder(text.length() + 16).append(text, 0, i);
                sb.append(visible(c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static String visible(char c) {
        return switch (c) {
            case 0x1b -> "\\e";
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        };
    }
}
