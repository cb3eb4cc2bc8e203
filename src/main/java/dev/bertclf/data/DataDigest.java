package dev.bertclf.data;

import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 of a run's data, so that a run record says months later whether the data at hand is the data the model
 * was trained on, checkable with {@code sha256sum} alone and no bert-clf. A file's digest is its bytes' SHA-256. A
 * folder's is the SHA-256 of the text {@code sha256sum} prints for every regular file under it, at any depth
 * (symbolic links followed, as the training data's reader follows them: a linked class folder is data; hidden files
 * count), one line {@code <sha256 of the file>  <path relative to the folder, '/' separated>\n} each, the lines in
 * the byte order of their UTF-8 paths ({@code LC_ALL=C sort}):
 *
 * <pre>{@code cd DIR && find -L . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum}</pre>
 *
 * (a name holding a backslash or a line break is hashed as it is, where {@code sha256sum} would escape it). Files are
 * streamed, never read whole: a folder the size of IMDB's {@code aclImdb/train} (25,002 files, 108.5 MB with its
 * {@code .feat} files) took 1.3 to 2.1 s warm and 4.8 s cold on a 2-core machine, once per run.
 */
public final class DataDigest {
    /**
     * One input's digest: its {@code role} ("training", "validation"), where it was, whether a "file" or "folder",
     * how many files and bytes it held.
     */
    public record Entry(String role, Path path, String kind, long files, long bytes, String sha256) {}

    private static final HexFormat HEX = HexFormat.of();

    private DataDigest() {}

    /** The digest of {@code file}, a regular file. */
    public static Entry file(String role, Path file) {
        try {
            BoundedFiles.checkRegular(file, Long.MAX_VALUE);
            MessageDigest sha = sha256();
            long bytes = feed(sha, file);
            return new Entry(role, file, "file", 1, bytes, HEX.formatHex(sha.digest()));
        } catch (IOException e) {
            throw new DataException("cannot read " + file + " for its digest: " + e.getMessage(), e);
        }
    }

    /** The digest of {@code folder}, as the class comment defines it. */
    public static Entry folder(String role, Path folder) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> all = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
            all.filter(Files::isRegularFile).forEach(p -> names.add(relative(folder, p)));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataException("cannot list " + folder + " for its digest: " + e.getMessage(), e);
        }
        names.sort((a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b)));
        MessageDigest listing = sha256(), file = sha256();
        long bytes = 0;
        for (String name : names) {
            Path p = folder.resolve(name);
            try {
                bytes += feed(file, p);
            } catch (IOException e) {
                throw new DataException("cannot read " + p + " for the digest of " + folder + ": " + e.getMessage(), e);
            }
            listing.update(utf8(HEX.formatHex(file.digest()) + "  " + name + "\n"));
        }
        return new Entry(role, folder, "folder", names.size(), bytes, HEX.formatHex(listing.digest()));
    }

    private static String relative(Path folder, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : folder.relativize(file))
            sb.append(sb.length() == 0 ? "" : "/").append(part);
        return sb.toString();
    }

    /** Streams {@code file} into {@code sha}; answers its size. */
    private static long feed(MessageDigest sha, Path file) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buffer)) > 0; n += r) sha.update(buffer, 0, r);
        }
        return n;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
