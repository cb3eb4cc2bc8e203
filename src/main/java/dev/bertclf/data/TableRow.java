package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.nio.file.Path;

/** One row of a table file as its reader found it: the line it starts on (for messages), its text and label. */
record TableRow(int line, String text, String label) {
    /**
     * The longest field (CSV, TSV) or line (JSON Lines) read, in characters: 16 Mi is thousands of times a long
     * review and more than the tokenizer reads, so a longer one is a broken file (an unclosed quote, no line ends).
     */
    static final int MAX_FIELD_CHARS = 16 << 20;

    /** The message form every table reader uses, so an editor can jump to the problem: {@code file:line: ...}. */
    static DataException error(Path file, int line, String message) {
        return new DataException(file + ":" + line + ": " + message);
    }
}
