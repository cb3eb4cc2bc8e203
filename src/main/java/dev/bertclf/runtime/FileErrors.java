package dev.bertclf.runtime;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Words for a failed file operation. java.nio's exceptions often carry only the path as their message (an
 * {@link AccessDeniedException}'s is just {@code /data/x}), so {@code "Cannot write " + path + ": " + e.getMessage()}
 * reads "Cannot write /data/x: /data/x" and names no cause; the cause is in the exception's type.
 */
public final class FileErrors {
    private FileErrors() {}

    /** Why the operation failed, e.g. "permission denied"; never null, never only a path. */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fs) {
            if (fs.getReason() != null && !fs.getReason().isBlank()) return fs.getReason();
            if (fs instanceof AccessDeniedException) return "permission denied";
            if (fs instanceof NoSuchFileException) return "no such file or folder";
            if (fs instanceof FileAlreadyExistsException) return "file already exists";
            if (fs instanceof NotDirectoryException) return "not a folder";
            if (fs instanceof DirectoryNotEmptyException) return "the folder is not empty";
            if (fs instanceof NotLinkException) return "not a symbolic link";
            if (fs instanceof FileSystemLoopException) return "a loop of symbolic links";
            return words(fs);
        }
        return e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : words(e);
    }

    /** The files involved and the reason: {@code "/data/x: permission denied"}, or {@code reason} if no file. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            String files = fs.getOtherFile() == null ? fs.getFile() : fs.getFile() + " -> " + fs.getOtherFile();
            return files + ": " + reason(e);
        }
        return reason(e);
    }

    /** Like {@link #describe(IOException)}, without the file when it is {@code path}, which the caller names. */
    public static String describe(IOException e, Path path) {
        boolean same = e instanceof FileSystemException fs
                && fs.getOtherFile() == null
                && String.valueOf(path).equals(fs.getFile());
        return same ? reason(e) : describe(e);
    }

    /**
     * Rewrites {@code message} where it quotes a path-only message of a {@link FileSystemException} in
     * {@code error}'s causes: "Cannot write X: X" becomes "Cannot write X: permission denied", a bare "X" becomes
     * "X: permission denied". Messages that already name a reason are returned as they are.
     */
    public static String explain(String message, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (!(t instanceof FileSystemException fs) || fs.getReason() != null || fs.getFile() == null) continue;
            String bare = fs.getMessage();
            if (message.contains(reason(fs))) return message;
            int at = message.lastIndexOf(bare);
            if (at < 0) continue;
            boolean named = at >= 2
                    && message.startsWith(": ", at - 2)
                    && message.substring(0, at - 2).endsWith(bare);
            String replacement = named ? reason(fs) : describe(fs);
            return message.substring(0, at) + replacement + message.substring(at + bare.length());
        }
        return message;
    }

    /** "ConnectException" as "connect error", for an exception without a message. */
    private static String words(Exception e) {
        String name = e.getClass().getSimpleName().replaceFirst("Exception$", "");
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT) + " error";
    }
}
