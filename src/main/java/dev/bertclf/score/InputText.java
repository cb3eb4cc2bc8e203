package dev.bertclf.score;

import dev.bertclf.io.ProgressInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * An input file as text: UTF-8 with invalid bytes replaced (as {@code predict} reads stdin), a byte order mark
 * dropped.
 */
final class InputText {
    private InputText() {}

    /** {@code file}'s characters; every byte read is reported to {@code bytesRead} (for the progress bar). */
    static Reader open(Path file, LongConsumer bytesRead) throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        BufferedReader r = new BufferedReader(
                new InputStreamReader(new ProgressInputStream(Files.newInputStream(file), bytesRead), decoder),
                1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') r.reset();
        return r;
    }
}
