package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Review files are untrusted bytes: any bytes read as text (bad ones replaced); a cut read keeps whole characters. */
class Utf8TextReaderFuzzTest {
    @Property(tries = 200)
    void anyBytesReadAsText(@ForAll @Size(max = 2000) byte[] bytes) throws IOException {
        Path dir = Files.createTempDirectory("text-fuzz-");
        try {
            Utf8TextReader reader = new Utf8TextReader();
            Path file = Files.write(dir.resolve("a.txt"), bytes);
            assertEquals(new String(bytes, StandardCharsets.UTF_8), reader.read(file));
        } finally {
            FileUtil.deleteTree(dir);
        }
    }

    /** A read cut at any byte keeps a prefix of the text, losing at most the one character that did not fit. */
    @Property(tries = 500)
    void aCutReadKeepsWholeCharacters(@ForAll String text, @ForAll @IntRange(max = 100_000) int at) {
        byte[] all = text.replaceAll("\\p{Cs}", "\uFFFD").getBytes(StandardCharsets.UTF_8);
        byte[] cut = Arrays.copyOf(all, Math.min(at, all.length));
        int kept = Utf8TextReader.wholeCharacters(cut);
        String prefix = new String(cut, 0, kept, StandardCharsets.UTF_8);
        assertTrue(new String(all, StandardCharsets.UTF_8).startsWith(prefix));
        assertTrue(cut.length - kept < 4, "lost " + (cut.length - kept) + " bytes");
    }
}
