package dev.bertclf.runtime;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Bounds the characters read for one record: Commons CSV has no bound on a field, so a quote never closed would
 * read the rest of a 10 GB file into one. More than {@link #ROW_CHARS} characters (plus the parser's read-ahead)
 * since {@link #startRecord} throws {@link TooLong}. The table reader of CSV and TSV files reads through it.
 */
public final class BoundedReader extends FilterReader {
    /** The longest row, in characters: the table readers' bound on a field. */
    public static final int ROW_CHARS = 16 << 20;

    /** Commons CSV reads ahead in blocks of 8 Ki characters; this is what one record may read beyond itself. */
    private static final int READ_AHEAD = 1 << 16;

    private long read;

    /** Thrown through the parser (which passes unchecked exceptions on) when a record is too long. */
    public static final class TooLong extends RuntimeException {
        TooLong() {
            super(null, null, false, false);
        }
    }

    public BoundedReader(Reader in) {
        super(in);
    }

    /** A new record starts: its characters are counted from here. */
    public void startRecord() {
        read = 0;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) count(1);
        return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) count(n);
        return n;
    }

    private void count(int n) {
        read += n;
        if (read > ROW_CHARS + READ_AHEAD) throw new TooLong();
    }
}
