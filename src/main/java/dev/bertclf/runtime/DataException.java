package dev.bertclf.runtime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A problem with getting or reading data that the user can fix (network, disk, a bad archive, a wrong folder).
 * Unchecked so it crosses stream and lambda code untouched; the CLI prints only its message, so every message
 * must say what went wrong and what to do next.
 */
public class DataException extends UserError {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A file or folder that cannot be written: the path, the cause in words, and what to check. */
    public static DataException cannotWrite(Path path, IOException e) {
        return new DataException(
                "Cannot write " + path + ": " + FileErrors.describe(e, path)
                        + ". Check free disk space and permissions.",
                e);
    }
}
