package dev.bertclf.data;

import dev.bertclf.io.ProgressInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table file as text, the one way training, evaluation, file scoring and the Spark job's check decode one: UTF-8
 * whose invalid bytes become U+FFFD with a warning naming the file (one stray byte must not stop a run, nor pass
 * unsaid), a byte order mark dropped. Only regular files are opened: a FIFO would block the run or never end.
 */
final class TableText extends Reader {
    private static final Logger log = LoggerFactory.getLogger(TableText.class);

    private final String name;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private boolean eof, done, warned;

    private TableText(String name, InputStream in) {
        this.name = name;
        this.in = in;
    }

    /**
     * {@code file}'s characters; every byte read is reported to {@code bytesRead} (a progress bar, a size bound).
     *
     * @throws dev.bertclf.runtime.DataException if it is not a regular file or cannot be opened
     */
    static Reader open(Path file, LongConsumer bytesRead) throws IOException {
        Utf8TextReader.requireRegularFile(file);
        return of(file.toString(), new ProgressInputStream(Files.newInputStream(file), bytesRead));
    }

    /** {@code in}'s characters, named {@code name} in the warning. */
    static Reader of(String name, InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new TableText(name, in), 1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') r.reset();
        return r;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        if (done) return -1;
        if (len == 0) return 0;
        CharBuffer out = CharBuffer.wrap(buf, off, len);
        while (out.position() == off) {
            CoderResult r = decoder.decode(bytes, out, eof);
            if (r.isError()) {
                if (!warned) log.warn("{} is not valid UTF-8; invalid bytes were replaced with U+FFFD", name);
                warned = true;
                out.put('\uFFFD'); // as a decoder that replaces: one per malformed sequence
                bytes.position(bytes.position() + r.length());
            } else if (r.isUnderflow()) {
                if (eof) {
                    decoder.flush(out);
                    done = true;
                    return out.position() == off ? -1 : out.position() - off;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) eof = true;
                else bytes.position(bytes.position() + n);
                bytes.flip();
            } else {
                break; // overflow: out is full
            }
        }
        return out.position() - off;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
