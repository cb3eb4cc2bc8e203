package dev.bertclf.data;

import dev.bertclf.runtime.BoundedReader;
import dev.bertclf.runtime.DataException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One row of a table file as its reader found it: the line it starts on (for messages), its text and label. Its
 * limits, header rule and message form are shared with the streaming readers that score a file.
 *
 * @param labels a JSON Lines label given as a list (multi-label data), each element as a label string; null when
 *     the label is one value ({@code label})
 */
public record TableRow(int line, String text, String label, List<String> labels) {
    public TableRow(int line, String text, String label) {
        this(line, text, label, null);
    }

    /**
     * The longest field (CSV, TSV) or line (JSON Lines) read, in characters: 16 Mi is thousands of times a long
     * review and more than the tokenizer reads, so a longer one is a broken file (an unclosed quote, no line ends).
     */
    public static final int MAX_FIELD_CHARS = BoundedReader.ROW_CHARS;

    /** The message form every table reader uses, so an editor can jump to the problem: {@code file:line: ...}. */
    public static DataException error(Path file, long line, String message) {
        return new DataException(file + ":" + line + ": " + message);
    }

    /**
     * A header row's column names, stripped of surrounding spaces.
     *
     * @throws DataException if it names a column twice (which one would be meant?)
     */
    public static List<String> header(Path file, List<String> fields) {
        List<String> header = fields.stream().map(String::strip).toList();
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!name.isEmpty() && !seen.add(name)) {
                throw error(file, 1, "the header names column '" + name + "' twice; column names must be unique");
            }
        }
        return header;
    }
}
