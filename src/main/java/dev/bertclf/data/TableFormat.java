package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;

/** The table formats a training or test file may have; the extension decides unless the user names one. */
public enum TableFormat {
    CSV,
    TSV,
    JSONL;

    /**
     * {@code given} if not null, else the format {@code file}'s extension names (.csv, .tsv, .jsonl, .ndjson).
     *
     * @throws DataException if neither tells
     */
    public static TableFormat of(Path file, TableFormat given) {
        if (given != null) return given;
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return CSV;
        if (name.endsWith(".tsv")) return TSV;
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return JSONL;
        throw new DataException("cannot tell the format of " + file + " from its extension (.csv, .tsv, .jsonl or "
                + ".ndjson); pass --format csv|tsv|jsonl");
    }

    /**
     * How Commons CSV reads and writes this format: CSV as RFC 4180 (quoted fields with embedded commas, doubled
     * quotes and line breaks), TSV with tabs and no quoting (Python's and most tools' "excel-tab"); blank lines
     * are skipped.
     *
     * @throws IllegalStateException for JSON Lines, which is not a delimited format
     */
    public CSVFormat delimited() {
        CSVFormat csv = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
        return switch (this) {
            case CSV -> csv;
            case TSV -> csv.builder().setDelimiter('\t').setQuote(null).get();
            case JSONL -> throw new IllegalStateException("JSON Lines is not a delimited format");
        };
    }
}
