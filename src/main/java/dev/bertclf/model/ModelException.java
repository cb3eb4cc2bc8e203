package dev.bertclf.model;

import dev.bertclf.runtime.UserError;

/** A model folder, name or config the user gave cannot be used; the message says what to fix. */
public class ModelException extends UserError {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
