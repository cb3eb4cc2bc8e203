package dev.bertclf.score;

import com.google.gson.JsonObject;
import dev.bertclf.data.JsonLinesReader;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * JSON Lines rows streamed a line at a time, each parsed strictly as one JSON object (as {@code train} reads
 * them); blank lines are skipped. A line that is not one object, or whose text key is missing or not a string, is a
 * bad row, and reading goes on at the next line. The columns are the first object's keys.
 */
final class JsonLinesTableReader implements TableReader {
    private final Path file;
    private final LineReader lines;
    private final String textColumn;
    /** Rows read to find the first object, not yet returned. */
    private final Queue<InputRow> ahead = new ArrayDeque<>();

    private final List<String> columns;

    JsonLinesTableReader(Path file, Reader text, String textColumn) throws IOException {
        this.file = file;
        this.lines = new LineReader(file, text);
        this.textColumn = textColumn;
        List<String> first = List.of();
        for (InputRow row; (row = read()) != null; ) {
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
    public InputRow next() throws IOException {
        return ahead.isEmpty() ? read() : ahead.remove();
    }

    private InputRow read() throws IOException {
        String text;
        do {
            text = lines.readLine();
            if (text == null) return null;
        } while (text.isBlank());
        long line = lines.line();
        JsonObject o;
        try {
            o = JsonLinesReader.parseObject(file, line, text);
        } catch (DataException e) {
            return InputRow.bad(line, e);
        }
        try {
            return InputRow.of(file, line, JsonLinesReader.text(file, line, o, textColumn), o, textColumn);
        } catch (DataException e) {
            return new InputRow(line, null, o, e);
        }
    }

    @Override
    public void close() {}
}
