package dev.bertclf.infer;

import dev.bertclf.runtime.UserError;

/** A trained model cannot be loaded or used; the message tells the user what to do. */
public class InferenceException extends UserError {
    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
