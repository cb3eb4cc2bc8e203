package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CSV, TSV or JSON Lines file of labelled texts, turned into the same {@link LabeledTexts} a folder per class
 * gives. Classes are the sorted distinct label strings, as Keras sorts class folder names, so a 0/1 label column
 * gives classes "0" and "1" (labels are compared without surrounding spaces). Rows with an empty text are
 * skipped and counted (a warning, as they carry nothing to learn), an empty label is an error (guessing a class
 * would be wrong).
 *
 * @param format null to go by the extension
 */
public record TableFile(Path path, TableFormat format, String textColumn, String labelColumn) {
    private static final Logger log = LoggerFactory.getLogger(TableFile.class);
    public static final String TEXT_COLUMN = "text";
    public static final String LABEL_COLUMN = "label";
    private static final int LINES_SHOWN = 10;
    /** A table is read whole into memory; beyond this it would not fit a default heap twice (text and rows). */
    static final int MAX_BYTES = 1 << 30;
    /** A label names a class (a folder name, a line of the metrics); a longer one is a wrong column. */
    static final int MAX_LABEL_CHARS = 1000;

    /**
     * Reads the whole file (UTF-8, a byte order mark tolerated, invalid bytes replaced and reported).
     *
     * @throws DataException naming the file and line for a missing column, a malformed line or an empty or overlong
     *     label, or the file for one that is not a regular file, is over 1 GiB, cannot be read or has no row with text
     */
    public LabeledTexts read() {
        TableFormat f = TableFormat.of(path, format);
        Utf8TextReader reader = new Utf8TextReader();
        String content = reader.readWhole(path, MAX_BYTES);
        if (reader.filesWithMalformedInput() > 0) {
            log.warn("{} is not valid UTF-8; invalid bytes were replaced with U+FFFD", path);
        }
        if (content.startsWith("\uFEFF")) content = content.substring(1);
        List<TableRow> rows =
                switch (f) {
                    case CSV -> DelimitedTextReader.csv(path, content, textColumn, labelColumn);
                    case TSV -> DelimitedTextReader.tsv(path, content, textColumn, labelColumn);
                    case JSONL -> JsonLinesReader.read(path, content, textColumn, labelColumn);
                };
        return labeled(rows);
    }

    private LabeledTexts labeled(List<TableRow> rows) {
        List<TableRow> kept = new ArrayList<>();
        List<Integer> emptyLines = new ArrayList<>();
        TreeSet<String> classes = new TreeSet<>(TextDirectoryDataset::compareCodePoints);
        for (TableRow r : rows) {
            if (r.text().isBlank()) {
                emptyLines.add(r.line());
                continue;
            }
            String label = r.label().strip();
            if (label.isEmpty()) throw TableRow.error(path, r.line(), "empty label in column '" + labelColumn + "'");
            if (label.length() > MAX_LABEL_CHARS) {
                throw TableRow.error(
                        path,
                        r.line(),
                        "the label in column '" + labelColumn + "' is longer than " + MAX_LABEL_CHARS
                                + " characters; a label names a class (is it the text column?)");
            }
            kept.add(new TableRow(r.line(), r.text(), label));
            classes.add(label);
        }
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
        if (kept.isEmpty()) throw new DataException(path + " has no rows with text in column '" + textColumn + "'");
        List<String> classNames = List.copyOf(classes);
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classNames.size(); i++) labelOf.put(classNames.get(i), i);
        List<LabeledText> examples = kept.stream()
                .map(r -> LabeledText.of(r.text(), labelOf.get(r.label())))
                .toList();
        return new LabeledTexts(path.toString(), "rows", classNames, examples);
    }
}
