package dev.bertclf.cli;

import dev.bertclf.data.TableFile;
import dev.bertclf.data.TableFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to read a {@code --train-file} or {@code --test-file}; the same options on train and evaluate. */
final class TableFileOptions {
    @Option(
            names = "--format",
            paramLabel = "csv|tsv|jsonl",
            description = "Format of the file (default: from its extension, .csv, .tsv, .jsonl or .ndjson).")
    TableFormat format;

    @Option(
            names = "--text-column",
            paramLabel = "NAME",
            defaultValue = TableFile.TEXT_COLUMN,
            description = "Column (JSON Lines: key) holding the text.")
    String textColumn;

    @Option(
            names = "--label-column",
            paramLabel = "NAME",
            defaultValue = TableFile.LABEL_COLUMN,
            description = "Column (JSON Lines: key) holding the label; classes are its sorted distinct values.")
    String labelColumn;

    @Option(
            names = "--label-separator",
            paramLabel = "SEP",
            defaultValue = TableFile.LABEL_SEPARATOR,
            description = "Multi-label data: what separates the labels of a text field (CSV, TSV, a JSON string; "
                    + "a JSON list needs none).")
    String labelSeparator;

    /** {@code file} read with these options, or null (the data folder) when no file was given. */
    TableFile of(Path file) {
        return file == null ? null : new TableFile(file, format, textColumn, labelColumn);
    }
}
