package dev.bertclf.model;

import dev.bertclf.runtime.UserError;
import java.util.List;

/** A model folder, name or config the user gave cannot be used; the message says what to fix. */
public class ModelException extends UserError {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The first five of {@code items} joined by {@code separator}, then how many more there are: a message about a
     * model that does not fit names a few of its problems, not hundreds.
     */
    public static String firstFive(List<String> items, String separator) {
        int shown = Math.min(5, items.size());
        return String.join(separator, items.subList(0, shown))
                + (items.size() > shown ? " (and " + (items.size() - shown) + " more)" : "");
    }
}
