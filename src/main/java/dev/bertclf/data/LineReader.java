package dev.bertclf.data;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a text (CRLF, LF and CR ends), each at most {@link TableRow#MAX_FIELD_CHARS} characters: unlike
 * {@link java.io.BufferedReader#readLine}, a file without line ends cannot fill the heap. JSON Lines tables and
 * the texts of standard input are read through it.
 */
public final class LineReader {
    private final String file;
    private final Reader in;
    private final String hint;
    private final char[] buf = new char[1 << 14];
    private int pos, end;
    private long line;

    /** Lines of {@code in}, named {@code file} in errors; {@code hint} says what a line should be. */
    public LineReader(String file, Reader in, String hint) {
        this.file = file;
        this.in = in;
        this.hint = hint;
    }

    /** The number of the line {@link #readLine} returned last, from 1. */
    public long line() {
        return line;
    }

    /** The next line without its line end, or null at the end of the text. */
    public String readLine() throws IOException {
        if (!fill()) return null;
        StringBuilder sb = new StringBuilder();
        line++;
        while (fill()) {
            int start = pos;
            while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') pos++;
            sb.append(buf, start, pos - start);
            if (sb.length() > TableRow.MAX_FIELD_CHARS) {
                throw TableRow.error(
                        file, line, "a line longer than " + TableRow.MAX_FIELD_CHARS + " characters; " + hint);
            }
            if (pos < end) {
                if (buf[pos++] == '\r' && fill() && buf[pos] == '\n') pos++;
                return sb.toString();
            }
        }
        return sb.toString();
    }

    /** Whether a character is buffered, reading more if none is. */
    private boolean fill() throws IOException {
        while (pos == end) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) return false;
            pos = 0;
            end = n;
        }
        return true;
    }
}
