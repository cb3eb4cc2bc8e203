package dev.bertclf.score;

import dev.bertclf.data.TableRow;
import dev.bertclf.infer.Prediction;
import dev.bertclf.runtime.DataException;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.file.Path;

/** Scored rows written in the input's format: the row's values as they were, then the prediction's columns. */
interface TableWriter extends Closeable, Flushable {
    /** Writes the header, if the format has one; only at the start of a new output. */
    void writeHeader() throws IOException;

    /**
     * Why {@code row} of {@code file} cannot be written without losing one of its values (a JSON object with a key
     * the prediction columns take, which the first row did not have), or null.
     */
    default DataException conflict(Path file, TableRow row) {
        return null;
    }

    void write(TableRow row, Prediction prediction) throws IOException;
}
