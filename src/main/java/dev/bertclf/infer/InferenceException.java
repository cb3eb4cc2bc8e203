package dev.bertclf.infer;

import dev.bertclf.runtime.UserError;

/** A trained model cannot be loaded or used; the message tells the user what to do. */
public class InferenceException extends UserError {
    /** With the message the user reads: what is wrong and what to do. */
    public InferenceException(String message) {
        super(message);
    }

    /** As {@link #InferenceException(String)}, with the failure it explains. */
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
