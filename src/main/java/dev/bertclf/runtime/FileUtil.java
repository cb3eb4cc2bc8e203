package dev.bertclf.runtime;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** The few file operations every stage needs to keep writes atomic: a reader never sees half a file. */
public final class FileUtil {
    private FileUtil() {}

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
