package dev.bertclf.infer;

import dev.bertclf.runtime.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a scored table gets, one rule for every scorer ({@code predict --input} and the Spark job), so that
 * their outputs compare row for row: every input column as it was, then {@code label}, {@code probability} (a
 * binary model's positive class's, whatever the label; the label's for other models), for a multi-class or
 * multi-label model {@code top} (the most probable classes, best first), for a multi-label model {@code labels}
 * (every class over the model's threshold with its probability, best first), and last {@code label_probability}
 * (the label's own probability, {@link Prediction#labelProbability}; last so that the columns before it keep the
 * places they had before it was added). A test file often has a {@code label} column of its own: when an input
 * column already has one of these names, all of the added ones are named {@code predicted_label},
 * {@code predicted_probability}, {@code predicted_top} instead (and so on, one more prefix each time), so no input
 * column is ever overwritten.
 *
 * @param label the name of the label column
 * @param probability the name of the probability column
 * @param top the name of the top-classes column, or null for a binary model
 * @param labels the name of the column of classes over the threshold, or null for a single-label model
 * @param labelProbability the name of the column of the label's own probability
 */
public record PredictionColumns(String label, String probability, String top, String labels, String labelProbability) {
    private static final String PREFIX = "predicted_";

    /** The names for a table with {@code inputColumns}, scored by a single-label model of {@code classes} classes. */
    public static PredictionColumns forInput(List<String> inputColumns, int classes) {
        return forInput(inputColumns, classes, false);
    }

    /** The names for a table with {@code inputColumns}, scored by a model of {@code classes} classes. */
    public static PredictionColumns forInput(List<String> inputColumns, int classes, boolean multiLabel) {
        boolean hasTop = classes > 2 || multiLabel;
        String prefix = "";
        while (new PredictionColumns(prefix, hasTop, multiLabel)
                .names().stream().anyMatch(inputColumns::contains)) {
            prefix += PREFIX;
        }
        return new PredictionColumns(prefix, hasTop, multiLabel);
    }

    private PredictionColumns(String prefix, boolean hasTop, boolean multiLabel) {
        this(
                prefix + "label",
                prefix + "probability",
                hasTop ? prefix + "top" : null,
                multiLabel ? prefix + "labels" : null,
                prefix + Prediction.LABEL_PROBABILITY);
    }

    /** The added columns' names, in order. */
    public List<String> names() {
        List<String> names = new ArrayList<>(List.of(label, probability));
        if (top != null) names.add(top);
        if (labels != null) names.add(labels);
        names.add(labelProbability);
        return names;
    }

    /** The classes over the threshold as a text column holds them, as {@link #topAsJson}; null if not multi-label. */
    public static String labelsAsJson(Prediction p) {
        return p.labels() == null ? null : Json.COMPACT.toJson(p.labels());
    }

    /**
     * The top classes as a text column holds them (CSV, TSV, Spark's CSV): a JSON array of
     * {@code {"label": ..., "probability": ...}}, best first; null for a binary prediction.
     */
    public static String topAsJson(Prediction p) {
        return p.top() == null ? null : Json.COMPACT.toJson(p.top());
    }
}
