package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.nio.file.Path;
import java.util.Locale;

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
}
