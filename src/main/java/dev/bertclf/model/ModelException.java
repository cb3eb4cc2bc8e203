package dev.bertclf.model;

/** A model folder, name or config the user gave cannot be used; the message says what to fix. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
