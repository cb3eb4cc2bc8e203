package dev.bertclf.score;

import dev.bertclf.data.TableFormat;
import dev.bertclf.data.TableRow;
import dev.bertclf.runtime.BoundedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV and TSV rows streamed through Commons CSV as {@link TableFormat#delimited} configures them, the header naming
 * the columns. A row with the wrong number of fields or an empty text is a bad row; a quote never closed, text after
 * a closing quote, or a row longer than {@link BoundedReader#ROW_CHARS} characters is damage nothing after it can be
 * read past. Blank lines are skipped.
 */
final class DelimitedTableReader implements TableReader {
    private final Path file;
    private final BoundedReader in;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final int textIndex;
    private final String textColumn;
    private long linesBefore;

    DelimitedTableReader(Path file, Reader text, TableFormat format, String textColumn) throws IOException {
        this.file = file;
        this.in = new BoundedReader(text);
        // Blank lines as records of one empty field, so that the parser's line count gives each record's line.
        this.parser = CSVParser.parse(
                in, format.delimited().builder().setIgnoreEmptyLines(false).get());
        this.records = parser.iterator();
        this.textColumn = textColumn;
        List<String> first = nextFields();
        if (first == null) throw TableRow.error(file, 1, "empty file: expected a header row naming the columns");
        this.header = TableRow.header(file, first);
        this.textIndex = header.indexOf(textColumn);
        if (textIndex < 0) {
            throw TableRow.error(
                    file,
                    1,
                    "no column '" + textColumn + "'; the columns are: " + String.join(", ", header)
                            + " (choose with --text-column)");
        }
    }

    @Override
    public List<String> columns() {
        return header;
    }

    @Override
    public InputRow next() throws IOException {
        List<String> fields = nextFields();
        if (fields == null) return null;
        long line = linesBefore + 1;
        if (fields.size() != header.size()) {
            return InputRow.bad(
                    line,
                    TableRow.error(
                            file,
                            line,
                            "malformed line: " + fields.size() + " field" + (fields.size() == 1 ? "" : "s")
                                    + ", the header has " + header.size()));
        }
        return InputRow.of(file, line, fields.get(textIndex), fields, textColumn);
    }

    /** The next non-blank record's fields, or null at the end; {@link #linesBefore} is the line before it. */
    private List<String> nextFields() {
        while (true) {
            long before = parser.getCurrentLineNumber();
            CSVRecord record;
            in.startRecord();
            try {
                if (!records.hasNext()) return null;
                record = records.next();
            } catch (UncheckedIOException e) {
                throw TableRow.error(
                        file,
                        before + 1,
                        e.getCause().getMessage().contains("EOF")
                                ? "malformed line: a quoted field is never closed"
                                : "malformed line: text after a closing quote; double the quotes inside a quoted "
                                        + "field (\"\")");
            } catch (BoundedReader.TooLong e) {
                throw TableRow.error(
                        file,
                        before + 1,
                        "a row longer than " + BoundedReader.ROW_CHARS + " characters (is a quote never closed?)");
            }
            linesBefore = before;
            if (record.size() != 1 || !record.get(0).isEmpty()) return record.toList();
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
