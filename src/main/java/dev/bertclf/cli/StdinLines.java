package dev.bertclf.cli;

import dev.bertclf.data.LineReader;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts a command reads from standard input when it is given none: one per non-blank line, invalid UTF-8
 * replaced rather than fatal, each line bounded ({@link LineReader}: a 300 MB line once exhausted the heap).
 */
final class StdinLines {
    /** The most characters {@link #readAll} keeps: more texts than that belong in a file ({@code --input}). */
    static final long MAX_CHARS = 256L << 20;

    /** What a command does with each text as it is read. */
    interface Action {
        void accept(String text) throws IOException;
    }

    private StdinLines() {}

    /** Every text, at most {@link #MAX_CHARS} characters of them. */
    static List<String> readAll() throws IOException {
        List<String> lines = new ArrayList<>();
        long[] chars = {0};
        forEach(line -> {
            chars[0] += line.length();
            if (chars[0] > MAX_CHARS) {
                throw new DataException("standard input holds more than " + (MAX_CHARS >> 20) + " Mi "
                        + "characters of text: score a file of that size with --input FILE --output FILE");
            }
            lines.add(line);
        });
        return lines;
    }

    /** Each text in turn, none kept: any amount of input streams through. */
    static void forEach(Action action) throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        LineReader r = new LineReader("standard input", new InputStreamReader(System.in, decoder), "one text per line");
        for (String line; (line = r.readLine()) != null; ) {
            if (!line.isBlank()) action.accept(line);
        }
    }
}
