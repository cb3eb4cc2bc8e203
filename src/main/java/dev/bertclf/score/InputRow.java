package dev.bertclf.score;

import dev.bertclf.data.TableRow;
import dev.bertclf.runtime.DataException;
import java.nio.file.Path;

/**
 * One data row as a {@link TableReader} found it: the line it starts on, its text, and its values for the writer of
 * the same format (a CSV record's fields, a JSON object), or the problem that makes it a bad row.
 *
 * @param problem null for a row to score; else why it cannot be ({@code file:line: ...}), and text is null
 */
record InputRow(long line, String text, Object values, DataException problem) {
    /** A row to score, or a bad one if its text in {@code column} is empty or only whitespace. */
    static InputRow of(Path file, long line, String text, Object values, String column) {
        if (!text.isBlank()) return new InputRow(line, text, values, null);
        return bad(
                line,
                TableRow.error(
                        file,
                        line,
                        (text.isEmpty() ? "empty text" : "only whitespace") + " in column '" + column
                                + "': there is nothing to classify"));
    }

    static InputRow bad(long line, DataException problem) {
        return new InputRow(line, null, null, problem);
    }
}
