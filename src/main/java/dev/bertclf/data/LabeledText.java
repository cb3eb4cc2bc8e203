package dev.bertclf.data;

import java.nio.file.Path;

/**
 * One example, whatever it came from: a folder's text stays on disk until it is tokenised (25,000 reviews need
 * not sit in memory twice), a table file's row is already in memory. Exactly one of {@code file} and
 * {@code text} is set.
 *
 * @param label the class id; -1 for a multi-label example
 * @param labels a multi-label example's class ids, ascending (possibly none); null for a single-label one
 */
public record LabeledText(int label, Path file, String text, int[] labels) {
    public LabeledText {
        if ((file == null) == (text == null)) throw new IllegalArgumentException("exactly one of file and text");
    }

    public static LabeledText ofFile(Path file, int label) {
        return new LabeledText(label, file, null, null);
    }

    public static LabeledText of(String text, int label) {
        return new LabeledText(label, null, text, null);
    }

    /** A multi-label example: any number of classes, none included. */
    public static LabeledText ofLabels(String text, int[] labels) {
        return new LabeledText(-1, null, text, labels.clone());
    }

    /** The example's classes as a multi-hot row of {@code numClasses} 0s and 1s (one 1 for a single label). */
    public float[] multiHot(int numClasses) {
        float[] row = new float[numClasses];
        if (labels == null) row[label] = 1;
        else for (int c : labels) row[c] = 1;
        return row;
    }

    /** The text, read through {@code reader} (which counts invalid UTF-8) when it is a file. */
    public String read(Utf8TextReader reader) {
        return text != null ? text : reader.read(file);
    }
}
