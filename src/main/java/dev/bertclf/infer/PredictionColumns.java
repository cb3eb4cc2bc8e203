package dev.bertclf.infer;

import dev.bertclf.runtime.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a scored table gets, one rule for every scorer ({@code predict --input} and the Spark job), so that
 * their outputs compare row for row: every input column as it was, then {@code label}, {@code probability} (the
 * label's) and, for a multi-class model, {@code top} (the most probable classes, best first). A test file often has
 * a {@code label} column of its own: when an input column already has one of these names, all of the added ones
 * are named {@code predicted_label}, {@code predicted_probability}, {@code predicted_top} instead (and so on, one
 * more prefix each time), so no input column is ever overwritten.
 *
 * @param label the name of the label column
 * @param probability the name of the probability column
 * @param top the name of the top-classes column, or null for a binary model
 */
public record PredictionColumns(String label, String probability, String top) {
    private static final String PREFIX = "predicted_";

    /** The names for a table with {@code inputColumns}, scored by a model of {@code classes} classes. */
    public static PredictionColumns forInput(List<String> inputColumns, int classes) {
        String prefix = "";
        while (collides(inputColumns, prefix, classes > 2)) prefix += PREFIX;
        return new PredictionColumns(prefix + "label", prefix + "probability", classes > 2 ? prefix + "top" : null);
    }

    private static boolean collides(List<String> input, String prefix, boolean multiClass) {
        return input.contains(prefix + "label")
                || input.contains(prefix + "probability")
                || multiClass && input.contains(prefix + "top");
    }

    /** The added columns' names, in order. */
    public List<String> names() {
        List<String> names = new ArrayList<>(List.of(label, probability));
        if (top != null) names.add(top);
        return names;
    }

    /**
     * The top classes as a text column holds them (CSV, TSV, Spark's CSV): a JSON array of
     * {@code {"label": ..., "probability": ...}}, best first; null for a binary prediction.
     */
    public static String topAsJson(Prediction p) {
        return p.top() == null ? null : Json.COMPACT.toJson(p.top());
    }
}
