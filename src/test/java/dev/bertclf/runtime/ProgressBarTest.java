package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a user sees of a long step: rate and ETA while it runs, one clean line per update when not on a terminal. */
class ProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsShareRateAndEtaWhileRunningAndTheTimeTakenAtTheEnd() throws Exception {
        ProgressBar bar = new ProgressBar("Epoch 1/5", 1000, 0, ProgressBar.Unit.ITEMS, out, false);
        Thread.sleep(20);
        bar.step(250);
        bar.setExtra("loss 0.6931");
        String line = bar.render();
        assertTrue(line.startsWith("Epoch 1/5 [======                  ]  25% 250/1000 "), line);
        assertTrue(line.matches(".* \\d+ it/s ETA \\d+s loss 0\\.6931"), line);
        bar.step(750);
        bar.close();
        assertTrue(
                printed().matches("Epoch 1/5 \\[=+\\] 100% 1000/1000 \\d+ it/s in \\d+s loss 0\\.6931\\R"), printed());
    }

    @Test
    void offATerminalItPrintsPlainLinesAndNoCarriageReturns() {
        try (ProgressBar bar = new ProgressBar("Downloading", 3L << 20, 1L << 20, ProgressBar.Unit.BYTES, out, false)) {
            bar.step(1L << 20); // within the log interval: nothing yet
            assertEquals("", printed());
        }
        assertFalse(printed().contains("\r"), printed());
        assertTrue(printed().contains("2.0 MB/3.0 MB"), "a resumed download counts what it had: " + printed());
        assertEquals(1, printed().lines().count());
    }

    @Test
    void onATerminalItRedrawsOneLine() {
        try (ProgressBar bar = new ProgressBar("Tokenizing", 10, 0, ProgressBar.Unit.ITEMS, out, true)) {
            bar.step(10);
        }
        assertTrue(printed().startsWith("\r") && printed().endsWith("\n"), printed());
    }

    /** {@code TERM=dumb} once got {@code ESC [K} after every redraw. */
    @Test
    void aDumbTerminalGetsNoEscapeSequences() {
        try (ProgressBar bar = new ProgressBar("Tokenizing", 10, 0, ProgressBar.Unit.ITEMS, out, true, true)) {
            bar.step(10);
        }
        assertTrue(printed().startsWith("\r") && printed().endsWith("\n"), printed());
        assertFalse(printed().contains("\033"), printed());
    }

    @Test
    void durationsReadLikeAClock() {
        assertEquals("12s", ProgressBar.duration(12.4));
        assertEquals("3m05s", ProgressBar.duration(185));
        assertEquals("1h02m", ProgressBar.duration(3725));
    }
}
