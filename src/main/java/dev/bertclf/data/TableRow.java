package dev.bertclf.data;

import dev.bertclf.runtime.BoundedReader;
import dev.bertclf.runtime.DataException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One data row as a {@link TableReader} found it. A row the reader could not make sense of but can read past (a
 * wrong number of fields, a line that is not a JSON object, a missing key) is still a row, carrying its problem:
 * training stops at it, scoring stops or skips it ({@code --on-error}), and both count lines the same way.
 *
 * @param line the line the row starts on, from 1
 * @param text the text column's value (empty for a JSON null); null for a bad row or when no text column was asked
 * @param label the label column's value; null for a bad row, when no label column was asked, or when a JSON Lines
 *     label is a list
 * @param labels a JSON Lines label given as a list (multi-label data), each element as a label string; else null
 * @param values the row as read, for writing it back: a CSV or TSV record's fields ({@code List<String>}), a JSON
 *     object; null for a row that is not one
 * @param problem null for a good row; else why it is bad ({@code file:line: ...})
 */
public record TableRow(
        long line, String text, String label, List<String> labels, Object values, DataException problem) {
    /**
     * The longest field (CSV, TSV) or line (JSON Lines) read, in characters: 16 Mi is thousands of times a long
     * review and more than the tokenizer reads, so a longer one is a broken file (an unclosed quote, no line ends).
     */
    public static final int MAX_FIELD_CHARS = BoundedReader.ROW_CHARS;

    /** A bad row: {@code values} (or null) and its problem. */
    public static TableRow bad(long line, Object values, DataException problem) {
        return new TableRow(line, null, null, null, values, problem);
    }

    /** The message form every table reader uses, so an editor can jump to the problem: {@code file:line: ...}. */
    public static DataException error(Path file, long line, String message) {
        return error(file.toString(), line, message);
    }

    /** As {@link #error(Path, long, String)} for an input named otherwise (a Hadoop path). */
    public static DataException error(String file, long line, String message) {
        return new DataException(file + ":" + line + ": " + message);
    }

    /**
     * A header row's column names, stripped of surrounding spaces.
     *
     * @throws DataException if it names a column twice (which one would be meant?)
     */
    static List<String> header(String file, List<String> fields) {
        List<String> header = fields.stream().map(String::strip).toList();
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!name.isEmpty() && !seen.add(name)) {
                throw error(file, 1, "the header names column '" + name + "' twice; column names must be unique");
            }
        }
        return header;
    }

    /**
     * A missing column ({@code what}: "column" or "key") and those {@code present}, with the options that choose
     * one: the label's too where the reader was asked for one ({@code labelled}).
     */
    static DataException noColumn(
            String file, long line, String what, String name, Iterable<String> present, boolean labelled) {
        return error(
                file,
                line,
                "no " + what + " '" + name + "'; the " + what + "s are: " + String.join(", ", present)
                        + (labelled
                                ? " (choose with --text-column and --label-column)"
                                : " (choose with --text-column)"));
    }
}
