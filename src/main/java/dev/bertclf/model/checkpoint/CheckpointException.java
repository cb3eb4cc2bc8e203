package dev.bertclf.model.checkpoint;

import dev.bertclf.runtime.UserError;

/**
 * A checkpoint that cannot be used as asked: missing, truncated, corrupt, or without the variables a model needs.
 * Unchecked because callers can rarely recover; the message is written for the user (which file, which variable,
 * which shapes) so the command line can print it as is.
 */
public class CheckpointException extends UserError {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
