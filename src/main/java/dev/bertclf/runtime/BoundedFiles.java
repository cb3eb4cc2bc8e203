package dev.bertclf.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The one way bert-clf reads a whole small file (a model's {@code metadata.json}, a checkpoint's state, an API key,
 * a config file): a regular file only, looked at before it is opened, and no more than its bound. Opening a FIFO
 * blocks for ever ({@code metadata.json} as a FIFO once hung {@code predict}), and a device never ends
 * ({@code --api-key-file /dev/zero} once grew the heap by 150 MB/s). Failures are {@link IOException}s naming the
 * file and why, which the callers' messages already carry.
 */
public final class BoundedFiles {
    /** Bounds for the kinds of files read whole. */
    public static final long SMALL = 1 << 20, LARGE = 1L << 30;

    private BoundedFiles() {}

    /** The bytes of {@code file}, a regular file of at most {@code maxBytes}. */
    public static byte[] readBytes(Path file, long maxBytes) throws IOException {
        long size = checkRegular(file, maxBytes);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Math.max(size + 1, 8192)));
            if (bytes.length > maxBytes) throw tooLarge(file, maxBytes); // it grew while read
            return bytes;
        }
    }

    /** The text of {@code file}, strict UTF-8, a regular file of at most {@code maxBytes}. */
    public static String readString(Path file, long maxBytes) throws IOException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(readBytes(file, maxBytes)))
                .toString();
    }

    /** The lines of {@code file}, as {@link #readString} reads it. */
    public static List<String> readAllLines(Path file, long maxBytes) throws IOException {
        return readString(file, maxBytes).lines().toList();
    }

    /**
     * Checks, without opening it, that {@code file} is a regular file (a link to one is fine) of at most
     * {@code maxBytes}; answers its size.
     */
    public static long checkRegular(Path file, long maxBytes) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new FileSystemException(
                    file.toString(),
                    null,
                    a.isDirectory() ? "is a folder, not a file" : "not a regular file (a FIFO, device or socket)");
        }
        if (a.size() > maxBytes) throw tooLarge(file, maxBytes);
        return a.size();
    }

    private static FileSystemException tooLarge(Path file, long maxBytes) {
        return new FileSystemException(
                file.toString(), null, "larger than the " + words(maxBytes) + " such a file may have");
    }

    private static String words(long bytes) {
        if (bytes >= 1L << 30) return (bytes >> 30) + " GiB";
        if (bytes >= 1 << 20) return (bytes >> 20) + " MiB";
        return (bytes >> 10) + " KiB";
    }
}
