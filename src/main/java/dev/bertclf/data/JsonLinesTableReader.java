package dev.bertclf.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * JSON Lines rows streamed a line at a time ({@link LineReader}), each parsed strictly as one JSON object: no
 * comments, no unquoted names, no key named twice, since a lenient parse would turn a broken line into a wrong
 * example. Blank lines are skipped; a line that is not one object, or whose text or label is missing or of the
 * wrong type, is a bad row, and reading goes on at the next line. The columns are the first object's keys.
 *
 * <p>A label may be a string, a number or a boolean; numbers are written without trailing zeros ({@code 1.0} and
 * {@code 1} are both class "1"), so a 0/1 label gives classes "0" and "1" whichever way the file spells them. A
 * number that would take more than {@link #MAX_NUMBER_DIGITS} digits to write out ({@code 1e2147483647}) cannot
 * name a class and is refused before it is written out, which would take gigabytes. For multi-label data a label
 * may also be a list of such values ({@code ["a", "b"]}, {@code []} for no class).
 */
final class JsonLinesTableReader extends TableReader {
    static final int MAX_NUMBER_DIGITS = 100;
    private static final TypeAdapter<JsonElement> PRIMITIVE = Json.COMPACT.getAdapter(JsonElement.class);

    private final String file;
    private final LineReader lines;
    private final String textColumn, labelColumn;
    private final boolean multiLabel;
    /** Rows read to find the first object, not yet returned. */
    private final Queue<TableRow> ahead = new ArrayDeque<>();

    private final List<String> columns;

    JsonLinesTableReader(String file, Reader text, String textColumn, String labelColumn, boolean multiLabel)
            throws IOException {
        this.file = file;
        this.lines = new LineReader(file, text, "JSON Lines has one object per line");
        this.textColumn = textColumn;
        this.labelColumn = labelColumn;
        this.multiLabel = multiLabel;
        List<String> first = List.of();
        for (TableRow row; (row = read()) != null; ) {
            ahead.add(row);
            if (row.values() instanceof JsonObject o) {
                first = List.copyOf(o.keySet());
                break;
            }
        }
        this.columns = first;
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public TableRow next() throws IOException {
        return ahead.isEmpty() ? read() : ahead.remove();
    }

    @Override
    public void close() {}

    private TableRow read() throws IOException {
        String text;
        do {
            text = lines.readLine();
            if (text == null) return null;
        } while (text.isBlank());
        long line = lines.line();
        JsonObject o;
        try {
            o = parseObject(line, text);
        } catch (DataException e) {
            return TableRow.bad(line, null, e);
        }
        try {
            return row(line, o);
        } catch (DataException e) {
            return TableRow.bad(line, o, e);
        }
    }

    /** The row of one object: its text and label as asked for. */
    private TableRow row(long line, JsonObject o) {
        String text = textColumn == null ? null : text(line, o);
        if (labelColumn == null) return new TableRow(line, text, null, null, o, null);
        JsonElement label = field(line, o, labelColumn);
        if (multiLabel && !label.isJsonArray() && !label.isJsonPrimitive()) {
            throw TableRow.error(
                    file,
                    line,
                    "'" + labelColumn + "' must be a list of labels (or a string, a number or a boolean), got "
                            + label);
        }
        return multiLabel && label.isJsonArray()
                ? new TableRow(line, text, null, labels(line, label), o, null)
                : new TableRow(line, text, label(line, label), null, o, null);
    }

    /** One line's JSON object, parsed strictly. */
    private JsonObject parseObject(long line, String text) {
        JsonElement e;
        try (JsonReader r = new JsonReader(new StringReader(text))) {
            r.setStrictness(Strictness.STRICT);
            e = read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("more than one value on the line");
        } catch (JsonParseException | IOException | IllegalStateException ex) {
            throw TableRow.error(file, line, "malformed line: not one JSON object (" + Json.whyMalformed(ex) + ")");
        }
        if (!e.isJsonObject()) throw TableRow.error(file, line, "malformed line: expected a JSON object, got " + e);
        return e.getAsJsonObject();
    }

    /**
     * One JSON value, as Gson's {@code JsonParser} reads it but refusing an object that names a key twice: Gson keeps
     * the last value without a word, so {@code {"text": "a", "text": "b"}} was scored as "b".
     */
    private static JsonElement read(JsonReader r) throws IOException {
        switch (r.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject o = new JsonObject();
                r.beginObject();
                while (r.hasNext()) {
                    String key = r.nextName();
                    if (o.has(key)) throw new JsonParseException("the key \"" + key + "\" appears twice");
                    o.add(key, read(r));
                }
                r.endObject();
                return o;
            }
            case BEGIN_ARRAY -> {
                JsonArray a = new JsonArray();
                r.beginArray();
                while (r.hasNext()) a.add(read(r));
                r.endArray();
                return a;
            }
            default -> {
                return PRIMITIVE.read(r); // Gson's own reading of a value, in the reader's strictness
            }
        }
    }

    private JsonElement field(long line, JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null) throw TableRow.noColumn(file, line, "key", key, o.keySet(), labelColumn != null);
        return v;
    }

    /** The text: a string, or empty for null. */
    private String text(long line, JsonObject o) {
        JsonElement v = field(line, o, textColumn);
        if (v.isJsonNull()) return "";
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw TableRow.error(file, line, "'" + textColumn + "' must be a string, got " + v);
        }
        return v.getAsString();
    }

    /** A multi-label list's elements, each a label as {@link #label} reads one. */
    private List<String> labels(long line, JsonElement list) {
        List<String> labels = new ArrayList<>();
        for (JsonElement v : list.getAsJsonArray()) {
            if (!v.isJsonPrimitive()) {
                throw TableRow.error(
                        file,
                        line,
                        "'" + labelColumn + "' must list strings, numbers or booleans, got an element " + v);
            }
            labels.add(label(line, v));
        }
        return labels;
    }

    private String label(long line, JsonElement v) {
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isNumber()) return number(line, p.getAsString());
            return p.getAsString(); // a string or a boolean
        }
        throw TableRow.error(file, line, "'" + labelColumn + "' must be a string, a number or a boolean, got " + v);
    }

    /** A number label written out without trailing zeros, if it has at most {@link #MAX_NUMBER_DIGITS} digits. */
    private String number(long line, String literal) {
        BigDecimal d;
        try {
            d = literal.length() > MAX_NUMBER_DIGITS ? null : new BigDecimal(literal).stripTrailingZeros();
        } catch (NumberFormatException e) {
            d = null; // an exponent beyond int
        }
        // digits before the point: precision - scale; after it: scale (both in long: scale may be near +-2^31)
        if (d == null || (long) d.precision() - d.scale() > MAX_NUMBER_DIGITS || d.scale() > MAX_NUMBER_DIGITS) {
            throw TableRow.error(
                    file,
                    line,
                    "'" + labelColumn + "' is a number too large or too long to name a class: "
                            + (literal.length() > 40 ? literal.substring(0, 40) + "..." : literal)
                            + " (at most " + MAX_NUMBER_DIGITS + " digits; quote it to use it as a string)");
        }
        return d.toPlainString();
    }
}
