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
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON Lines: one JSON object per line, blank lines skipped. Strict JSON (no comments, no unquoted
 * names), since a lenient parse would turn a broken line into a wrong example. A label may be a string, a number
 * or a boolean; numbers are written without trailing zeros ({@code 1.0} and {@code 1} are both class "1"), so a
 * 0/1 label gives classes "0" and "1" whichever way the file spells them. A number that would take more than
 * {@link #MAX_NUMBER_DIGITS} digits to write out ({@code 1e2147483647}) cannot name a class and is refused
 * before it is written out, which would take gigabytes. For multi-label data a label may also be a list of such
 * values ({@code ["a", "b"]}, {@code []} for no class).
 */
public final class JsonLinesReader {
    static final int MAX_NUMBER_DIGITS = 100;

    private JsonLinesReader() {}

    static List<TableRow> read(Path file, String content, String textColumn, String labelColumn, boolean multiLabel) {
        List<TableRow> rows = new ArrayList<>();
        String[] lines = content.split("\r\n|\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            int line = i + 1;
            if (lines[i].length() > TableRow.MAX_FIELD_CHARS) {
                throw TableRow.error(
                        file,
                        line,
                        "a line longer than " + TableRow.MAX_FIELD_CHARS + " characters; "
                                + "JSON Lines has one object per line");
            }
            JsonObject o = parseObject(file, line, lines[i]);
            String text = text(file, line, o, textColumn);
            JsonElement label = field(file, line, o, labelColumn);
            if (multiLabel && !label.isJsonArray() && !label.isJsonPrimitive()) {
                throw TableRow.error(
                        file,
                        line,
                        "'" + labelColumn + "' must be a list of labels (or a string, a number or a boolean), got "
                                + label);
            }
            rows.add(
                    multiLabel && label.isJsonArray()
                            ? new TableRow(line, text, null, labels(file, line, labelColumn, label))
                            : new TableRow(line, text, label(file, line, labelColumn, label)));
        }
        return rows;
    }

    /**
     * One line's JSON object, parsed strictly.
     *
     * @throws dev.bertclf.runtime.DataException naming the file and line if it is not one JSON object
     */
    public static JsonObject parseObject(Path file, long line, String text) {
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

    private static final TypeAdapter<JsonElement> PRIMITIVE = Json.COMPACT.getAdapter(JsonElement.class);

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

    private static JsonElement field(Path file, long line, JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null) {
            throw TableRow.error(
                    file,
                    line,
                    "no key '" + key + "'; the keys are: " + String.join(", ", o.keySet())
                            + " (choose with --text-column and --label-column)");
        }
        return v;
    }

    /**
     * The text under {@code key}: a string, or empty for null.
     *
     * @throws dev.bertclf.runtime.DataException naming the file and line if the key is missing or not a string
     */
    public static String text(Path file, long line, JsonObject o, String key) {
        JsonElement v = field(file, line, o, key);
        if (v.isJsonNull()) return "";
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw TableRow.error(file, line, "'" + key + "' must be a string, got " + v);
        }
        return v.getAsString();
    }

    /** A multi-label list's elements, each a label as {@link #label} reads one. */
    private static List<String> labels(Path file, int line, String key, JsonElement list) {
        List<String> labels = new ArrayList<>();
        for (JsonElement v : list.getAsJsonArray()) {
            if (!v.isJsonPrimitive()) {
                throw TableRow.error(
                        file, line, "'" + key + "' must list strings, numbers or booleans, got an element " + v);
            }
            labels.add(label(file, line, key, v));
        }
        return labels;
    }

    private static String label(Path file, int line, String key, JsonElement v) {
        if (v.isJsonPrimitive()) {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isNumber()) return number(file, line, key, p.getAsString());
            return p.getAsString(); // a string or a boolean
        }
        throw TableRow.error(file, line, "'" + key + "' must be a string, a number or a boolean, got " + v);
    }

    /** A number label written out without trailing zeros, if it has at most {@link #MAX_NUMBER_DIGITS} digits. */
    private static String number(Path file, int line, String key, String literal) {
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
                    "'" + key + "' is a number too large or too long to name a class: "
                            + (literal.length() > 40 ? literal.substring(0, 40) + "..." : literal)
                            + " (at most " + MAX_NUMBER_DIGITS + " digits; quote it to use it as a string)");
        }
        return d.toPlainString();
    }
}
