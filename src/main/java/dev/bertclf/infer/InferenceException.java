package dev.bertclf.infer;

/** A trained model cannot be loaded or used; the message tells the user what to do. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
