package dev.bertclf.train;

/**
 * An option value that only turns out impossible once the model is known (a {@code --max-seq-len} beyond its
 * positions): a usage error like a malformed option, reported as such (exit code 2) rather than as a failure.
 */
public class InvalidOptionException extends IllegalArgumentException {
    public InvalidOptionException(String message) { super(message); }
}
