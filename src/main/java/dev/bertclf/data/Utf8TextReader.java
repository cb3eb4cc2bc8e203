package dev.bertclf.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads review files as UTF-8 without ever failing on bad bytes: one stray Latin-1 byte in 25,000 files must not
 * stop a training run. Bad sequences become U+FFFD, and the reader counts the files that needed it so the run can
 * report them instead of hiding them; it counts empty (or whitespace-only) files too, which train as empty texts
 * and are worth a warning. Safe to share between threads.
 */
public final class Utf8TextReader {
    private final AtomicLong filesWithMalformedInput = new AtomicLong();
    private final AtomicLong blankFiles = new AtomicLong();

    /** @throws DataException if the file cannot be read at all */
    public String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = decode(bytes);
        if (text.isBlank()) blankFiles.incrementAndGet();
        return text;
    }

    private String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
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
