package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * A CSV, TSV or JSON Lines file is untrusted text: any content gives either labelled texts or a
 * {@link DataException} with a message (naming the file), in bounded time; never another exception.
 */
class TableFileFuzzTest {
    private static final String[] FRAGMENTS = {
        "text",
        "label",
        "a review",
        "pos",
        "neg",
        "0",
        "1",
        ",",
        ",",
        "\t",
        "\t",
        "\"",
        "\"\"",
        "\n",
        "\n",
        "\r",
        "\r\n",
        " ",
        "{",
        "}",
        "[",
        "]",
        ":",
        "\"text\"",
        "\"label\"",
        "\"text\": \"x\"",
        "\"label\": ",
        "1e2147483647",
        "1e1500000000",
        "-0.0",
        "1.5E-300",
        "9".repeat(120),
        "true",
        "null",
        "NaN",
        "\\u0000",
        "\\",
        "\\\"",
        "\u0000",
        "\u0001",
        "\u001F",
        "\u007F",
        "\u0085",
        "\u2028",
        "\uFEFF",
        "\uD800",
        "\uDC00",
        "\uD83D\uDC4D",
        "caf\u00E9",
        "\u4E2D",
        "x".repeat(1000),
        "{\"text\": \"t\", \"label\": 2}\n"
    };

    @Provide
    Arbitrary<String> contents() {
        Arbitrary<String> body = Arbitraries.of(FRAGMENTS).list().ofMaxSize(60).map(l -> String.join("", l));
        Arbitrary<String> header = Arbitraries.of(
                "", "text,label\n", "label,text\n", "text\tlabel\n", "text,label,text\n", "\uFEFFtext,label\r\n");
        return Arbitraries.oneOf(body, header.flatMap(h -> body.map(b -> h + b)));
    }

    @Property(tries = 400)
    void anyTextIsReadOrRefused(@ForAll("contents") String content, @ForAll("formats") TableFormat format)
            throws IOException {
        readsOrRefuses(content.getBytes(java.nio.charset.StandardCharsets.UTF_8), format);
    }

    @Property(tries = 150)
    void anyBytesAreReadOrRefused(@ForAll @Size(max = 3000) byte[] bytes, @ForAll("formats") TableFormat format)
            throws IOException {
        readsOrRefuses(bytes, format);
    }

    @Provide
    Arbitrary<TableFormat> formats() {
        return Arbitraries.of(TableFormat.class);
    }

    private static void readsOrRefuses(byte[] bytes, TableFormat format) throws IOException {
        Path dir = Files.createTempDirectory("table-fuzz-");
        try {
            Path file = Files.write(dir.resolve("t.data"), bytes);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    LabeledTexts t = new TableFile(file, format, TableFile.TEXT_COLUMN, TableFile.LABEL_COLUMN).read();
                    assertFalse(t.examples().isEmpty());
                    t.examples()
                            .forEach(e -> assertTrue(
                                    e.label() >= 0 && e.label() < t.classNames().size()));
                } catch (DataException e) {
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                }
            });
        } finally {
            FileUtil.deleteTree(dir);
        }
    }
}
