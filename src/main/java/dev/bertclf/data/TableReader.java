package dev.bertclf.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Rows of a CSV, TSV or JSON Lines table one at a time, never the whole file: the one reader of tables, so that
 * {@code train}, {@code evaluate}, {@code predict --input} and the Spark job's check agree on what a file holds and
 * say the same of a broken one. Its error policy: damage that nothing after it can be read past (a quote never
 * closed, text after a closing quote, a row or line over {@link TableRow#MAX_FIELD_CHARS} characters, no header, a
 * header naming a column twice or lacking a column asked for) is thrown; a row that is wrong but bounded (a wrong
 * number of fields, a quote inside an unquoted field, a field over the bound, a line that is not one JSON object, a
 * missing or mistyped key or label) is returned carrying its problem, for the caller to stop at or skip. Every
 * message is {@code file:line: ...}; invalid UTF-8 is replaced with a warning ({@link TableText}).
 */
public abstract class TableReader implements Closeable {
    TableReader() {}

    /**
     * Opens {@code file} as {@code format} (a regular file only), reporting every byte read to {@code bytesRead}.
     *
     * @param textColumn the column whose value is a row's text, or null for none
     * @param labelColumn the column whose value is a row's label, or null for none
     * @param multiLabel whether a JSON Lines label may be a list of labels
     * @throws dev.bertclf.runtime.DataException for a file that is not a regular one, or damage at its start
     */
    public static TableReader open(
            Path file,
            TableFormat format,
            String textColumn,
            String labelColumn,
            boolean multiLabel,
            LongConsumer bytesRead)
            throws IOException {
        Reader text = TableText.open(file, bytesRead);
        try {
            return of(file.toString(), text, format, textColumn, labelColumn, multiLabel);
        } catch (RuntimeException | IOException e) {
            text.close();
            throw e;
        }
    }

    /**
     * Refuses what {@link #open} would refuse to open, for a caller that checks before it writes anything.
     *
     * @throws dev.bertclf.runtime.DataException for a file that is missing or not a regular file
     */
    public static void requireFile(Path file) {
        Utf8TextReader.requireRegularFile(file);
    }

    private static TableReader of(
            String name, Reader text, TableFormat format, String textColumn, String labelColumn, boolean multiLabel)
            throws IOException {
        return format == TableFormat.JSONL
                ? new JsonLinesTableReader(name, text, textColumn, labelColumn, multiLabel)
                : new DelimitedTableReader(name, text, format, textColumn, labelColumn);
    }

    /**
     * Reads a delimited table through, as {@link #open} would, and keeps nothing: for a reader of its own (Spark's)
     * that cannot say where a table is damaged. Bad rows and the header's rules are that reader's business; an empty
     * input is no damage.
     *
     * @throws dev.bertclf.runtime.DataException naming {@code name} and the line of the damage
     */
    public static void requireReadable(String name, InputStream in, TableFormat format) throws IOException {
        try (Reader text = TableText.of(name, in)) {
            DelimitedTableReader.readThrough(name, text, format);
        }
    }

    /** The table's column names: a delimited file's header, the first JSON object's keys. */
    public abstract List<String> columns();

    /**
     * The next data row (a bad one carries its problem), or null at the end; blank lines are skipped.
     *
     * @throws dev.bertclf.runtime.DataException for damage that no row can be read past
     */
    public abstract TableRow next() throws IOException;
}
