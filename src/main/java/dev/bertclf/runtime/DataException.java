package dev.bertclf.runtime;

/**
 * A problem with getting or reading data that the user can fix (network, disk, a bad archive, a wrong folder).
 * Unchecked so it crosses stream and lambda code untouched; the CLI prints only its message, so every message
 * must say what went wrong and what to do next.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
