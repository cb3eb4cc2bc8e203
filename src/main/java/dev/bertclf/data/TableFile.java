package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CSV, TSV or JSON Lines file of labelled texts, turned into the same {@link LabeledTexts} a folder per class
 * gives. Classes are the sorted distinct label strings, as Keras sorts class folder names, so a 0/1 label column
 * gives classes "0" and "1" (labels are compared without surrounding spaces). Rows with an empty text are
 * skipped and counted (a warning, as they carry nothing to learn), an empty label is an error (guessing a class
 * would be wrong).
 *
 * <p>Multi-label data ({@code labelSeparator} set) gives each row a set of classes: a JSON Lines label may be a list
 * ({@code ["a", "b"]}), and a string label (a CSV or TSV field) is split at the separator ({@code a|b}). An empty
 * list or field is a row of no class; an empty label inside one ({@code a||b}) is an error.
 *
 * @param format null to go by the extension
 * @param labelSeparator null for single-label data, else the separator of a multi-label field
 */
public record TableFile(Path path, TableFormat format, String textColumn, String labelColumn, String labelSeparator) {
    private static final Logger log = LoggerFactory.getLogger(TableFile.class);
    public static final String TEXT_COLUMN = "text";
    public static final String LABEL_COLUMN = "label";
    private static final int LINES_SHOWN = 10;
    /** A table's rows are kept in memory; beyond this they would not fit a default heap. */
    static final int MAX_BYTES = 1 << 30;
    /** A label names a class (a folder name, a line of the metrics); a longer one is a wrong column. */
    static final int MAX_LABEL_CHARS = 1000;
    /** {@code --label-separator}'s default: a comma is CSV's own delimiter, a bar is rare in class names. */
    public static final String LABEL_SEPARATOR = "|";

    /** A single-label table. */
    public TableFile(Path path, TableFormat format, String textColumn, String labelColumn) {
        this(path, format, textColumn, labelColumn, null);
    }

    /** This table read as multi-label data, labels separated by {@code separator} in a text field. */
    public TableFile multiLabel(String separator) {
        return new TableFile(path, format, textColumn, labelColumn, separator);
    }

    public boolean isMultiLabel() {
        return labelSeparator != null;
    }

    /**
     * Reads the whole file (UTF-8, a byte order mark tolerated, invalid bytes replaced and reported).
     *
     * @throws DataException naming the file and line for a missing column, a malformed line or an empty or overlong
     *     label, or the file for one that is not a regular file, is over 1 GiB, cannot be read or has no row with text
     */
    public LabeledTexts read() {
        return read(null);
    }

    /**
     * As {@link #read()}, a multi-label table's classes fixed to {@code classNames} (null: the file's own), as a
     * multi-label validation or test file is read against the training data's classes, which it need not all hold. A
     * single-label table keeps its own classes (the caller compares them).
     *
     * @throws DataException also naming the file and line of a label that is not one of {@code classNames}
     */
    public LabeledTexts read(List<String> classNames) {
        TableFormat f = TableFormat.of(path, format);
        List<TableRow> rows = new ArrayList<>();
        long[] bytes = {0};
        try (TableReader reader =
                TableReader.open(path, f, textColumn, labelColumn, isMultiLabel(), n -> requireFits(bytes[0] += n))) {
            for (TableRow r; (r = reader.next()) != null; ) {
                if (r.problem() != null) throw r.problem();
                rows.add(r);
            }
        } catch (IOException e) {
            throw new DataException("Cannot read " + path + ": " + e.getMessage(), e);
        }
        return isMultiLabel() ? multiLabeled(rows, classNames) : labeled(rows);
    }

    /** The rows are kept in memory: a file beyond {@link #MAX_BYTES} would not fit a default heap. */
    private void requireFits(long bytesRead) {
        if (bytesRead > MAX_BYTES) {
            throw new DataException(path + " is larger than " + MAX_BYTES + " bytes, too large to read into memory; "
                    + "split it into smaller files");
        }
    }

    private LabeledTexts labeled(List<TableRow> rows) {
        List<String> texts = new ArrayList<>(), labels = new ArrayList<>();
        List<Long> emptyLines = new ArrayList<>();
        TreeSet<String> classes = new TreeSet<>(TextDirectoryDataset::compareCodePoints);
        for (TableRow r : rows) {
            if (r.text().isBlank()) {
                emptyLines.add(r.line());
                continue;
            }
            String label = label(r.line(), r.label());
            texts.add(r.text());
            labels.add(label);
            classes.add(label);
        }
        warnEmpty(emptyLines);
        if (texts.isEmpty()) throw new DataException(path + " has no rows with text in column '" + textColumn + "'");
        List<String> classNames = List.copyOf(classes);
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) labelOf.put(classNames.get(i), i);
        List<LabeledText> examples = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) examples.add(LabeledText.of(texts.get(i), labelOf.get(labels.get(i))));
        return new LabeledTexts(path.toString(), "rows", classNames, examples);
    }

    /** One label, stripped, checked to be a class name. */
    private String label(long line, String raw) {
        String label = raw.strip();
        if (label.isEmpty()) throw TableRow.error(path, line, "empty label in column '" + labelColumn + "'");
        if (label.length() > MAX_LABEL_CHARS) {
            throw TableRow.error(
                    path,
                    line,
                    "the label in column '" + labelColumn + "' is longer than " + MAX_LABEL_CHARS
                            + " characters; a label names a class (is it the text column?)");
        }
        return label;
    }

    /** Each row's set of labels: a JSON list's elements, or the field split at the separator (blank: none). */
    private List<String> labels(TableRow r) {
        if (r.labels() != null)
            return r.labels().stream().map(l -> label(r.line(), l)).distinct().toList();
        if (r.label().isBlank()) return List.of();
        return Arrays.stream(r.label().split(Pattern.quote(labelSeparator), -1))
                .map(l -> label(r.line(), l))
                .distinct()
                .toList();
    }

    private LabeledTexts multiLabeled(List<TableRow> rows, List<String> fixedClasses) {
        List<TableRow> kept = new ArrayList<>();
        List<List<String>> labelSets = new ArrayList<>();
        List<Long> emptyLines = new ArrayList<>();
        TreeSet<String> classes = new TreeSet<>(TextDirectoryDataset::compareCodePoints);
        for (TableRow r : rows) {
            if (r.text().isBlank()) {
                emptyLines.add(r.line());
                continue;
            }
            List<String> labels = labels(r);
            for (String label : labels) {
                if (fixedClasses != null && !fixedClasses.contains(label)) {
                    throw TableRow.error(
                            path,
                            r.line(),
                            "label '" + label + "' is not one of the classes " + fixedClasses
                                    + " (the training data's)");
                }
            }
            kept.add(r);
            labelSets.add(labels);
            classes.addAll(labels);
        }
        warnEmpty(emptyLines);
        if (kept.isEmpty()) throw new DataException(path + " has no rows with text in column '" + textColumn + "'");
        List<String> classNames = fixedClasses != null ? List.copyOf(fixedClasses) : List.copyOf(classes);
        List<LabeledText> examples = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            int[] ids = labelSets.get(i).stream()
                    .mapToInt(classNames::indexOf)
                    .sorted()
                    .toArray();
            examples.add(LabeledText.ofLabels(kept.get(i).text(), ids));
        }
        return new LabeledTexts(path.toString(), "rows", classNames, examples);
    }

    private void warnEmpty(List<Long> emptyLines) {
        if (!emptyLines.isEmpty()) {
            log.warn(
                    "{}: skipped {} row{} with empty text (line{} {}{})",
                    path,
                    emptyLines.size(),
                    emptyLines.size() == 1 ? "" : "s",
                    emptyLines.size() == 1 ? "" : "s",
                    String.join(
                            ", ",
                            emptyLines.stream()
                                    .limit(LINES_SHOWN)
                                    .map(String::valueOf)
                                    .toList()),
                    emptyLines.size() > LINES_SHOWN ? ", ..." : "");
        }
    }
}
