package dev.bertclf.runtime;

/**
 * An option value that is impossible: a negative seed, a {@code --max-seq-len} beyond the model's positions, an
 * {@code --output} that must not be replaced. Any layer may find one (some only once the model or the data is
 * known); the command line reports it as a usage error (the message, the usage hint, exit code 2) rather than as
 * a failure, always before the run has done any work it would lose.
 */
public class InvalidOptionException extends UserError {
    /** With the message the user reads: the option, the value and what it must be. */
    public InvalidOptionException(String message) {
        super(message);
    }
}
