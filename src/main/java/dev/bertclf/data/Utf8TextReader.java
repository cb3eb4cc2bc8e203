package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads review files as UTF-8 without ever failing on bad bytes: one stray Latin-1 byte in 25,000 files must not
 * stop a training run. Bad sequences become U+FFFD, and the reader counts the files that needed it so the run can
 * report them instead of hiding them; it counts empty (or whitespace-only) files too, which train as empty texts
 * and are worth a warning. Safe to share between threads.
 *
 * <p>Only regular files are read: a FIFO, device or socket named {@code *.txt} would block a run forever or never
 * end, so it is refused. No read is unbounded: an example is read up to {@link #MAX_TEXT_BYTES}, far beyond what
 * the tokenizer ever looks at (see {@code WordPieceTokenizer}), so the ids are those of the whole file.
 */
public final class Utf8TextReader {
    /**
     * The bytes of one example that are read. The tokenizer reads at most 1,024 characters per token of its
     * sequence length, at most 4 bytes each: 64 MiB covers sequences of up to 16,384 tokens.
     */
    public static final int MAX_TEXT_BYTES = 64 << 20;

    private static final Logger log = LoggerFactory.getLogger(Utf8TextReader.class);
    private final AtomicLong filesWithMalformedInput = new AtomicLong();
    private final AtomicLong blankFiles = new AtomicLong();

    /**
     * Reads one example: its first {@link #MAX_TEXT_BYTES} bytes, cut before a character that does not fit whole.
     *
     * @throws DataException if the file is not a regular file or cannot be read at all
     */
    public String read(Path file) {
        String text = decode(readBytes(file, MAX_TEXT_BYTES));
        if (text.isBlank()) blankFiles.incrementAndGet();
        return text;
    }

    private static byte[] readBytes(Path file, int maxBytes) {
        try {
            requireRegularFile(file);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(maxBytes);
                if (in.read() < 0) return bytes;
                log.warn(
                        "{} is larger than {} bytes; only its start is read (the tokenizer uses far less)",
                        file,
                        maxBytes);
                return Arrays.copyOf(bytes, wholeCharacters(bytes));
            }
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a file that is not a regular one (a folder, FIFO, device or socket) before it is opened.
     *
     * @throws DataException if it is not, or cannot be looked at
     */
    static void requireRegularFile(Path file) {
        boolean regular;
        try {
            regular = Files.readAttributes(file, BasicFileAttributes.class).isRegularFile();
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + FileErrors.describe(e, file), e);
        }
        if (!regular) {
            throw new DataException("Cannot read " + file + ": not a regular file (a folder, FIFO, device or "
                    + "socket); only regular files are read");
        }
    }

    /** The length of {@code bytes} without a last UTF-8 sequence that was cut off. */
    static int wholeCharacters(byte[] bytes) {
        int n = bytes.length;
        int start = n - 1;
        while (start > 0 && n - start < 4 && (bytes[start] & 0xC0) == 0x80) start--; // continuation bytes
        if (start < 0) return n;
        int lead = bytes[start] & 0xFF;
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start + length > n ? start : n;
    }

    private String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            filesWithMalformedInput.incrementAndGet();
            return new String(bytes, StandardCharsets.UTF_8); // replaces malformed input with U+FFFD
        }
    }

    /** How many files read so far were empty or held only whitespace. */
    public long blankFiles() {
        return blankFiles.get();
    }

    /** How many files read so far had bytes that are not valid UTF-8. */
    public long filesWithMalformedInput() {
        return filesWithMalformedInput.get();
    }
}
