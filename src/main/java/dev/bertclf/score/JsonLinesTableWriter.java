package dev.bertclf.score;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.bertclf.data.TableRow;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.PredictionColumns;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * JSON Lines rows: every key of the input object with its value as parsed (numbers keep their digits, nulls stay),
 * then the label, its probability and, for a multi-class model, the top classes as an array of
 * {@code {"label", "probability"}} objects (a multi-label model: also the classes over its threshold, as such an
 * array).
 */
final class JsonLinesTableWriter implements TableWriter {
    private final Writer out;
    private final PredictionColumns added;

    JsonLinesTableWriter(Writer out, PredictionColumns added) {
        this.out = out;
        this.added = added;
    }

    @Override
    public void writeHeader() {}

    @Override
    public DataException conflict(Path file, TableRow row) {
        JsonObject o = (JsonObject) row.values();
        for (String name : added.names()) {
            if (o.has(name)) {
                return TableRow.error(
                        file,
                        row.line(),
                        "the row has a key '" + name + "', which the first row has not: the prediction "
                                + "columns are named after the first row's keys and would overwrite it");
            }
        }
        return null;
    }

    @Override
    public void write(TableRow row, Prediction p) throws IOException {
        JsonObject o = (JsonObject) row.values();
        o.addProperty(added.label(), p.label());
        o.add(added.probability(), new JsonPrimitive(p.probability()));
        if (added.top() != null) o.add(added.top(), Json.COMPACT.toJsonTree(p.top()));
        if (added.labels() != null) o.add(added.labels(), Json.COMPACT.toJsonTree(p.labels()));
        o.add(added.labelProbability(), new JsonPrimitive(p.labelProbability()));
        Json.COMPACT_WITH_NULLS.toJson(o, out);
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
