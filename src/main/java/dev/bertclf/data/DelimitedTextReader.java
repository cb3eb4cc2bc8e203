package dev.bertclf.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads CSV (RFC 4180: quoted fields with embedded commas, doubled quotes and line breaks) and TSV (tabs, no
 * quoting, as Python's and most tools' "excel-tab" output) with a header row naming the columns. Strict on
 * purpose: a row with the wrong number of fields or a stray quote is an error naming its line, since guessing
 * would silently shift texts into labels, and so is a header naming a column twice (which one would be meant?).
 * Blank lines are skipped; CRLF, LF and CR line ends are accepted. A field longer than
 * {@link TableRow#MAX_FIELD_CHARS} is an error rather than gigabytes of memory.
 */
final class DelimitedTextReader {
    private final Path file;
    private final String content;
    private final boolean quoted;
    private final char separator;
    private int pos;
    private int line = 1;

    private DelimitedTextReader(Path file, String content, boolean quoted) {
        this.file = file;
        this.content = content;
        this.quoted = quoted;
        this.separator = quoted ? ',' : '\t';
    }

    static List<TableRow> csv(Path file, String content, String textColumn, String labelColumn) {
        return new DelimitedTextReader(file, content, true).rows(textColumn, labelColumn);
    }

    static List<TableRow> tsv(Path file, String content, String textColumn, String labelColumn) {
        return new DelimitedTextReader(file, content, false).rows(textColumn, labelColumn);
    }

    private List<TableRow> rows(String textColumn, String labelColumn) {
        List<String> header = nextRecord();
        if (header == null) throw TableRow.error(file, 1, "empty file: expected a header row naming the columns");
        header = header.stream().map(String::strip).toList();
        Set<String> seen = new HashSet<>();
        for (String name : header) {
            if (!name.isEmpty() && !seen.add(name)) {
                throw TableRow.error(file, 1, "the header names column '" + name + "' twice; column names must be "
                        + "unique");
            }
        }
        int textIndex = column(header, textColumn), labelIndex = column(header, labelColumn);
        List<TableRow> rows = new ArrayList<>();
        while (true) {
            int start = skipBlankLines();
            List<String> fields = nextRecord();
            if (fields == null) return rows;
            if (fields.size() != header.size()) {
                throw TableRow.error(file, start, "malformed line: " + fields.size() + " field"
                        + (fields.size() == 1 ? "" : "s") + ", the header has " + header.size()
                        + (quoted ? " (quote fields that hold commas)" : ""));
            }
            rows.add(new TableRow(start, fields.get(textIndex), fields.get(labelIndex)));
        }
    }

    private int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw TableRow.error(file, 1, "no column '" + name + "'; the columns are: " + String.join(", ", header)
                    + " (choose with --text-column and --label-column)");
        }
        return i;
    }

    /** Skips empty lines before the next record; returns the line the record starts on. */
    private int skipBlankLines() {
        while (pos < content.length() && isLineEnd(content.charAt(pos))) endLine();
        return line;
    }

    /** The next record's fields, or null at the end of the content. */
    private List<String> nextRecord() {
        skipBlankLines();
        if (pos >= content.length()) return null;
        List<String> fields = new ArrayList<>();
        while (true) {
            fields.add(quoted && content.charAt(pos) == '"' ? quotedField() : plainField());
            if (pos >= content.length()) return fields;
            char c = content.charAt(pos);
            if (c == separator) {
                pos++;
                if (pos >= content.length()) {
                    fields.add(""); // a trailing separator ends with an empty field
                    return fields;
                }
                if (isLineEnd(content.charAt(pos))) {
                    fields.add("");
                    endLine();
                    return fields;
                }
            } else {
                endLine();
                return fields;
            }
        }
    }

    private String plainField() {
        int start = pos;
        while (pos < content.length()) {
            char c = content.charAt(pos);
            if (c == separator || isLineEnd(c)) break;
            if (quoted && c == '"') {
                throw TableRow.error(file, line, "malformed line: a quote inside an unquoted field; quote the whole "
                        + "field and double the quotes inside it (\"say \"\"hi\"\"\")");
            }
            pos++;
            checkLength(pos - start);
        }
        return content.substring(start, pos);
    }

    private String quotedField() {
        int startLine = line;
        pos++; // the opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= content.length()) {
                throw TableRow.error(file, startLine, "malformed line: a quoted field is never closed");
            }
            char c = content.charAt(pos);
            if (c == '"') {
                if (pos + 1 < content.length() && content.charAt(pos + 1) == '"') {
                    sb.append('"');
                    pos += 2;
                    checkLength(sb.length());
                    continue;
                }
                pos++;
                if (pos < content.length() && content.charAt(pos) != separator && !isLineEnd(content.charAt(pos))) {
                    throw TableRow.error(file, line, "malformed line: text after a closing quote; double the quotes "
                            + "inside a quoted field (\"\")");
                }
                return sb.toString();
            }
            if (c == '\n' || (c == '\r' && (pos + 1 >= content.length() || content.charAt(pos + 1) != '\n'))) line++;
            sb.append(c);
            pos++;
            checkLength(sb.length());
        }
    }

    private void checkLength(int length) {
        if (length > TableRow.MAX_FIELD_CHARS) {
            throw TableRow.error(file, line, "a field longer than " + TableRow.MAX_FIELD_CHARS + " characters"
                    + (quoted ? " (is a quote never closed?)" : ""));
        }
    }

    private static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r';
    }

    /** Consumes one line end (CRLF, LF or CR) at {@code pos}. */
    private void endLine() {
        if (content.charAt(pos) == '\r' && pos + 1 < content.length() && content.charAt(pos + 1) == '\n') pos++;
        pos++;
        line++;
    }
}
