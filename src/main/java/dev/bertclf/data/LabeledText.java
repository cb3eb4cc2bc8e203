package dev.bertclf.data;

import java.nio.file.Path;

/**
 * One example, whatever it came from: a folder's text stays on disk until it is tokenised (25,000 reviews need
 * not sit in memory twice), a table file's row is already in memory. Exactly one of {@code file} and
 * {@code text} is set.
 */
public record LabeledText(int label, Path file, String text) {
    public LabeledText {
        if ((file == null) == (text == null)) throw new IllegalArgumentException("exactly one of file and text");
    }

    public static LabeledText ofFile(Path file, int label) {
        return new LabeledText(label, file, null);
    }

    public static LabeledText of(String text, int label) {
        return new LabeledText(label, null, text);
    }

    /** The text, read through {@code reader} (which counts invalid UTF-8) when it is a file. */
    public String read(Utf8TextReader reader) {
        return text != null ? text : reader.read(file);
    }
}
