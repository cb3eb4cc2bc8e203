package dev.bertclf.data;

import dev.bertclf.runtime.BoundedReader;
import dev.bertclf.runtime.DataException;
import java.io.Closeable;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV and TSV rows streamed through Commons CSV as {@link TableFormat#delimited} configures them, the header naming
 * the columns. Strict on purpose: a row with the wrong number of fields is bad, since guessing would silently shift
 * texts into labels, and so is a header naming a column twice (which one would be meant?).
 *
 * <p>What this class adds to Commons CSV: each record's line (Commons counts records), and three checks it does not
 * make. It has no bound on a record, so one is read through {@link BoundedReader} and a field longer than
 * {@link TableRow#MAX_FIELD_CHARS} is a bad row; and it reads a quote inside an unquoted field as text where RFC
 * 4180 forbids it, so the record's own characters are kept ({@link Kept}) to find one.
 */
final class DelimitedTableReader extends TableReader {
    private final String file;
    private final Records records;
    private final List<String> header;
    private final int textIndex, labelIndex;
    private final boolean quoted;

    DelimitedTableReader(String file, Reader text, TableFormat format, String textColumn, String labelColumn)
            throws IOException {
        this.file = file;
        this.quoted = format == TableFormat.CSV;
        this.records = new Records(file, text, format);
        if (!records.next()) throw TableRow.error(file, 1, "empty file: expected a header row naming the columns");
        if (records.problem != null) throw records.problem;
        this.header = TableRow.header(file, records.fields);
        this.textIndex = column(textColumn, labelColumn != null);
        this.labelIndex = column(labelColumn, true);
    }

    /** Reads {@code text} through, checking only what no reader can read past. */
    static void readThrough(String file, Reader text, TableFormat format) throws IOException {
        try (Records r = new Records(file, text, format)) {
            while (r.next()) {
                // counted, not kept
            }
        }
    }

    private int column(String name, boolean labelled) {
        if (name == null) return -1;
        int i = header.indexOf(name);
        if (i < 0) throw TableRow.noColumn(file, 1, "column", name, header, labelled);
        return i;
    }

    @Override
    public List<String> columns() {
        return header;
    }

    @Override
    public TableRow next() throws IOException {
        if (!records.next()) return null;
        long line = records.line;
        List<String> fields = records.fields;
        if (records.problem != null) return TableRow.bad(line, null, records.problem);
        if (fields.size() != header.size()) {
            return TableRow.bad(
                    line,
                    null,
                    TableRow.error(
                            file,
                            line,
                            "malformed line: " + fields.size() + " field" + (fields.size() == 1 ? "" : "s")
                                    + ", the header has " + header.size()
                                    + (quoted ? " (quote fields that hold commas)" : "")));
        }
        return new TableRow(
                line,
                textIndex < 0 ? null : fields.get(textIndex),
                labelIndex < 0 ? null : fields.get(labelIndex),
                null,
                fields,
                null);
    }

    @Override
    public void close() throws IOException {
        records.close();
    }

    /** The non-blank records, each with the line it starts on and the problem of its fields, if any. */
    private static final class Records implements Closeable {
        private final String file;
        private final Kept kept; // CSV only: TSV has no quoting
        private final BoundedReader in;
        private final CSVParser parser;
        private final Iterator<CSVRecord> iterator;
        long line;
        List<String> fields;
        DataException problem;

        Records(String file, Reader text, TableFormat format) throws IOException {
            this.file = file;
            this.kept = format == TableFormat.CSV ? new Kept(text) : null;
            this.in = new BoundedReader(kept != null ? kept : text);
            // Blank lines as records of one empty field, so that the parser's line count gives each record's line.
            this.parser = CSVParser.builder()
                    .setReader(in)
                    .setFormat(format.delimited()
                            .builder()
                            .setIgnoreEmptyLines(false)
                            .get())
                    .get();
            this.iterator = parser.iterator();
        }

        /** Moves to the next non-blank record; false at the end. */
        boolean next() {
            while (true) {
                long before = parser.getCurrentLineNumber();
                CSVRecord record;
                in.startRecord();
                try {
                    if (!iterator.hasNext()) return false;
                    record = iterator.next();
                } catch (UncheckedIOException e) { // Commons CSV's two errors: a quote never closed, text after one
                    throw TableRow.error(
                            file,
                            before + 1,
                            e.getCause().getMessage().contains("EOF")
                                    ? "malformed line: a quoted field is never closed"
                                    : "malformed line: text after a closing quote; double the quotes inside a "
                                            + "quoted field (\"\")");
                } catch (BoundedReader.TooLong e) {
                    throw TableRow.error(
                            file,
                            before + 1,
                            "a row longer than " + BoundedReader.ROW_CHARS + " characters (is a quote never closed?)");
                }
                line = before + 1;
                if (kept != null) kept.dropBefore(record.getCharacterPosition());
                if (record.size() == 1 && record.get(0).isEmpty()) continue;
                fields = record.toList();
                problem = check(record.getCharacterPosition());
                return true;
            }
        }

        /** The field length bound and, for CSV, no quote inside an unquoted field. */
        private DataException check(long start) {
            for (String f : fields) {
                if (f.length() > TableRow.MAX_FIELD_CHARS) {
                    return TableRow.error(
                            file,
                            line,
                            "a field longer than " + TableRow.MAX_FIELD_CHARS + " characters"
                                    + (kept != null ? " (is a quote never closed?)" : ""));
                }
            }
            return kept == null ? null : requireQuoted(start);
        }

        /**
         * Walks the record's characters by its fields' lengths (an unquoted field is its text, a quoted one its text
         * in quotes with inner quotes doubled, then any spaces Commons CSV allows before the comma) to find an
         * unquoted field holding a quote; then lets go of the record's characters.
         */
        private DataException requireQuoted(long start) {
            DataException problem = null;
            long pos = start;
            for (int c; (c = kept.at(pos)) == '\n' || c == '\r'; ) pos++;
            for (String f : fields) {
                if (kept.at(pos) != '"') {
                    if (problem == null && f.indexOf('"') >= 0) {
                        problem = TableRow.error(
                                file,
                                line,
                                "malformed line: a quote inside an unquoted field; quote the "
                                        + "whole field and double the quotes inside it (\"say \"\"hi\"\"\")");
                    }
                    pos += f.length();
                } else {
                    pos += f.length() + 2 + f.chars().filter(c -> c == '"').count();
                    for (int c; (c = kept.at(pos)) >= 0 && c != ',' && c != '\n' && c != '\r'; ) pos++;
                }
                pos++; // the comma, or the line end
            }
            kept.dropBefore(pos);
            return problem;
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /**
     * The characters read from the current record's start on (and the parser's read-ahead), so that a record can be
     * walked as it was written: bounded by the {@link BoundedReader} above it.
     */
    private static final class Kept extends FilterReader {
        private final StringBuilder chars = new StringBuilder();
        private long start; // the position of chars' first

        Kept(Reader in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) chars.append((char) c);
            return c;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) chars.append(buf, off, n);
            return n;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** The character at {@code pos}, or -1 where none is kept. */
        int at(long pos) {
            long i = pos - start;
            return i < 0 || i >= chars.length() ? -1 : chars.charAt((int) i);
        }

        /** Lets go of the characters before {@code pos}. */
        void dropBefore(long pos) {
            int n = (int) Math.max(0, Math.min(pos - start, chars.length()));
            chars.delete(0, n);
            start += n;
        }
    }
}
