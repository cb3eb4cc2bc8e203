package dev.bertclf.runtime;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The few file operations every stage needs to keep writes atomic (a reader never sees half a file) and safe in a
 * shared folder: every file the tool opens for writing goes through {@link #openChannel}, which never follows a
 * symbolic link in the file's own name, so a link planted where bert-clf writes ({@code OUTPUT.train.log} pointing
 * at {@code ~/.bashrc}) fails the write instead of redirecting it. New files are created with {@code O_EXCL}
 * ({@link Files#createFile}), which refuses any existing name, links included; a rename replaces a link, never its
 * target.
 */
public final class FileUtil {
    private FileUtil() {}

    /**
     * Opens {@code file} for writing with {@code options}, never through a symbolic link: a link in its place is
     * refused ({@code ELOOP}, reported as "is a symbolic link").
     */
    public static FileChannel openChannel(Path file, OpenOption... options) throws IOException {
        OpenOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = LinkOption.NOFOLLOW_LINKS;
        try {
            return FileChannel.open(file, all);
        } catch (IOException e) { // java.nio reports ELOOP as a bare IOException
            if (Files.isSymbolicLink(file)) {
                throw new FileSystemException(
                        file.toString(), null, "is a symbolic link; bert-clf never writes through one");
            }
            throw e;
        }
    }

    /** A stream appending to {@code file}, created if missing, never through a symbolic link. */
    public static OutputStream openAppend(Path file) throws IOException {
        return Channels.newOutputStream(
                openChannel(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    /** A stream writing {@code file} from its start, created if missing, never through a symbolic link. */
    public static OutputStream openTruncate(Path file) throws IOException {
        return Channels.newOutputStream(openChannel(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Deletes a file or a folder tree; a missing path is fine. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    /** Moves {@code from} onto {@code to} atomically (same file system), replacing a file but not a folder. */
    public static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes a file's content to the path it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    /**
     * Writes a file through a temp sibling and a rename, so the target is either the old or the whole new file. The
     * file gets the modes the umask gives (not {@link Files#createTempFile}'s 0600), as any other file the tool writes.
     */
    public static void writeAtomic(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createFile(uniqueSibling(dir, "." + target.getFileName(), ".tmp"));
        try {
            content.writeTo(tmp);
            atomicMove(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A fresh folder in {@code parent} for writing a whole tree before it is renamed into place. Unlike
     * {@link Files#createTempDirectory} (mode 0700), it gets the modes the umask gives, as a folder made by
     * {@code mkdir} would: a model written for others to load must be readable by them.
     */
    public static Path createTempFolder(Path parent, String prefix) throws IOException {
        return Files.createDirectory(uniqueSibling(parent, prefix, ""));
    }

    /** A name in {@code dir} that nothing has yet; the caller creates it (creation fails if one raced it). */
    private static Path uniqueSibling(Path dir, String prefix, String suffix) {
        return dir.resolve(prefix + "-" + java.util.UUID.randomUUID() + suffix);
    }

    /** Writes a text file through a temp sibling and a rename. */
    public static void writeStringAtomic(Path target, String content) throws IOException {
        writeAtomic(target, tmp -> Files.writeString(tmp, content));
    }

    /** Writes a PNG image through a temp sibling and a rename. */
    public static void writePngAtomic(Path target, BufferedImage image) throws IOException {
        writeAtomic(target, tmp -> {
            if (!ImageIO.write(image, "png", tmp.toFile())) throw new IOException("no PNG writer for " + target);
        });
    }
}
