package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads CSV (RFC 4180: quoted fields with embedded commas, doubled quotes and line breaks) and TSV (tabs, no
 * quoting, as Python's and most tools' "excel-tab" output) with a header row naming the columns, parsed by Apache
 * Commons CSV. Strict on purpose: a row with the wrong number of fields or a stray quote is an error naming its
 * line, since guessing would silently shift texts into labels, and so is a header naming a column twice (which one
 * would be meant?). Blank lines are skipped; CRLF, LF and CR line ends are accepted.
 *
 * <p>What this class adds to Commons CSV: messages naming the line a record starts on (Commons counts records),
 * and two checks it does not make. It reads a quote inside an unquoted field as text where RFC 4180 forbids it, so
 * {@link #requireQuoted} refuses one; and it has no bound on a field, so a field longer than
 * {@link TableRow#MAX_FIELD_CHARS} is refused once its record is read (memory stays bounded by the file, which
 * {@link TableFile} bounds).
 */
final class DelimitedTextReader {
    private static final CSVFormat CSV = TableFormat.CSV.delimited();
    private static final CSVFormat TSV = TableFormat.TSV.delimited();

    private final Path file;
    private final String content;
    private final boolean quoted;

    private DelimitedTextReader(Path file, String content, boolean quoted) {
        this.file = file;
        this.content = content;
        this.quoted = quoted;
    }

    static List<TableRow> csv(Path file, String content, String textColumn, String labelColumn) {
        return new DelimitedTextReader(file, content, true).rows(textColumn, labelColumn);
    }

    static List<TableRow> tsv(Path file, String content, String textColumn, String labelColumn) {
        return new DelimitedTextReader(file, content, false).rows(textColumn, labelColumn);
    }

    private List<TableRow> rows(String textColumn, String labelColumn) {
        try (CSVParser parser = CSVParser.parse(content, quoted ? CSV : TSV)) {
            Iterator<CSVRecord> records = parser.iterator();
            long linesBefore = 0; // line ends read before the record
            List<String> header = null;
            int textIndex = -1, labelIndex = -1;
            List<TableRow> rows = new ArrayList<>();
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) break;
                    record = records.next();
                } catch (UncheckedIOException e) {
                    throw malformed(e.getCause(), linesBefore);
                }
                int start = skipBlankLines((int) record.getCharacterPosition(), linesBefore + 1);
                linesBefore = parser.getCurrentLineNumber();
                List<String> fields = record.toList();
                checkFields(record, fields, start);
                if (header == null) {
                    header = TableRow.header(file, fields);
                    textIndex = column(header, textColumn);
                    labelIndex = column(header, labelColumn);
                } else if (fields.size() != header.size()) {
                    throw TableRow.error(
                            file,
                            start,
                            "malformed line: " + fields.size() + " field"
                                    + (fields.size() == 1 ? "" : "s") + ", the header has " + header.size()
                                    + (quoted ? " (quote fields that hold commas)" : ""));
                } else {
                    rows.add(new TableRow(start, fields.get(textIndex), fields.get(labelIndex)));
                }
            }
            if (header == null) throw TableRow.error(file, 1, "empty file: expected a header row naming the columns");
            return rows;
        } catch (IOException e) { // parsing a String reads nothing; the parser's errors arrive as UncheckedIOException
            throw new UncheckedIOException(e);
        }
    }

    private int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw TableRow.error(
                    file,
                    1,
                    "no column '" + name + "'; the columns are: " + String.join(", ", header)
                            + " (choose with --text-column and --label-column)");
        }
        return i;
    }

    /** The field length bound and, for CSV, no quote inside an unquoted field. */
    private void checkFields(CSVRecord record, List<String> fields, int line) {
        boolean anyQuote = false;
        for (String f : fields) {
            if (f.length() > TableRow.MAX_FIELD_CHARS) {
                throw TableRow.error(
                        file,
                        line,
                        "a field longer than " + TableRow.MAX_FIELD_CHARS + " characters"
                                + (quoted ? " (is a quote never closed?)" : ""));
            }
            anyQuote |= f.indexOf('"') >= 0;
        }
        if (quoted && anyQuote) requireQuoted(record, fields, line);
    }

    /**
     * Walks the record's source text by its fields' lengths (an unquoted field is its text, a quoted one its text in
     * quotes with inner quotes doubled, then any spaces Commons CSV allows before the comma) to find an unquoted
     * field holding a quote.
     */
    private void requireQuoted(CSVRecord record, List<String> fields, int line) {
        int pos = (int) record.getCharacterPosition();
        while (isLineEnd(content.charAt(pos))) pos++;
        for (String f : fields) {
            if (pos >= content.length() || content.charAt(pos) != '"') {
                if (f.indexOf('"') >= 0) {
                    throw TableRow.error(
                            file,
                            line,
                            "malformed line: a quote inside an unquoted field; quote the "
                                    + "whole field and double the quotes inside it (\"say \"\"hi\"\"\")");
                }
                pos += f.length();
            } else {
                pos += f.length() + 2 + (int) f.chars().filter(c -> c == '"').count();
                while (pos < content.length() && content.charAt(pos) != ',' && !isLineEnd(content.charAt(pos))) pos++;
            }
            pos++; // the comma
        }
    }

    /** Commons CSV's two errors for a CSV record: a quote never closed, text after a closing quote. */
    private DataException malformed(IOException e, long linesBefore) {
        int start = skipBlankLines(lineStart(linesBefore + 1), linesBefore + 1);
        return TableRow.error(
                file,
                start,
                e.getMessage().contains("EOF")
                        ? "malformed line: a quoted field is never closed"
                        : "malformed line: text after a closing quote; double the quotes inside a quoted field (\"\")");
    }

    /** The line of the first non-blank line from {@code pos}, the start of line {@code line}. */
    private int skipBlankLines(int pos, long line) {
        while (pos < content.length() && isLineEnd(content.charAt(pos))) {
            if (content.startsWith("\r\n", pos)) pos++;
            pos++;
            line++;
        }
        return Math.toIntExact(line);
    }

    /** Where line {@code line} (from 1) starts, counting CRLF, LF and CR as line ends as Commons CSV does. */
    private int lineStart(long line) {
        int pos = 0;
        for (long l = 1; l < line && pos < content.length(); pos++) {
            char c = content.charAt(pos);
            if (c == '\n' || c == '\r' && !content.startsWith("\r\n", pos)) l++;
        }
        return pos;
    }

    private static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r';
    }
}
