package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one table reader's error policy as file scoring sees it: a bad row is returned with its problem (the same
 * message training stops with) and reading goes on; damage no row can be read past is thrown.
 */
class TableReaderTest {
    @TempDir
    Path tmp;

    /** Each row as its text, or as its problem's message. */
    private List<String> rows(String name, String content) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), content);
        List<String> rows = new ArrayList<>();
        try (TableReader r = TableReader.open(p, TableFormat.of(p, null), "text", null, false, n -> {})) {
            for (TableRow row; (row = r.next()) != null; ) {
                rows.add(
                        row.problem() == null
                                ? row.line() + ":" + row.text()
                                : row.problem().getMessage());
            }
        }
        return rows;
    }

    /**
     * Once {@code predict --input} scored {@code say "hi"} as a text where {@code train} refused the row, and
     * reported a field count without the hint training gave: one reader, one message.
     */
    @Test
    void badRowsCarryTrainingsMessageAndReadingGoesOn() throws IOException {
        Path csv = tmp.resolve("s.csv");
        assertEquals(
                List.of(
                        "2:fine",
                        csv + ":3: malformed line: a quote inside an unquoted field; quote the whole field and double "
                                + "the quotes inside it (\"say \"\"hi\"\"\")",
                        csv + ":4: malformed line: 3 fields, the header has 2 (quote fields that hold commas)",
                        "6:\"quoted\" well"),
                rows("s.csv", "text,n\nfine,1\nsay \"hi\",2\na,b,c\n\n\"\"\"quoted\"\" well\",5\n"));
        Path jsonl = tmp.resolve("j.jsonl");
        assertEquals(
                List.of(
                        jsonl + ":1: malformed line: not one JSON object (malformed JSON at column 3)",
                        jsonl + ":2: no key 'text'; the keys are: body (choose with --text-column)",
                        "3:ok"),
                rows("j.jsonl", "{x}\n{\"body\": \"a\"}\n{\"text\": \"ok\"}\n"));
        DataException unclosed =
                assertThrows(DataException.class, () -> rows("u.csv", "text\nfine\n\n\"never closed\nnext\n"));
        assertEquals(
                tmp.resolve("u.csv") + ":4: malformed line: a quoted field is never closed", unclosed.getMessage());
    }

    /** Invalid UTF-8 is replaced, as in a folder of reviews, not fatal. */
    @Test
    void invalidUtf8IsReplaced() throws IOException {
        Path p = tmp.resolve("b.tsv");
        Files.write(p, new byte[] {'t', 'e', 'x', 't', '\n', 'c', 'a', 'f', (byte) 0xE9, '!', '\n'});
        try (TableReader r = TableReader.open(p, TableFormat.TSV, "text", null, false, n -> {})) {
            assertEquals("caf\uFFFD!", r.next().text());
            assertNull(r.next());
        }
    }

    /** The Spark job's check: damage named by file and line; bad rows and an empty input are Spark's business. */
    @Test
    void readingThroughFindsOnlyDamage() throws IOException {
        TableReader.requireReadable("empty.csv", new ByteArrayInputStream(new byte[0]), TableFormat.CSV);
        TableReader.requireReadable("bad.csv", stream("a,b\n1,2,3\nsay \"hi\",x\n"), TableFormat.CSV);
        DataException e = assertThrows(
                DataException.class,
                () -> TableReader.requireReadable(
                        "hdfs://nn/in/part-0.csv", stream("id,text\n0,\"never closed\n1,x\n"), TableFormat.CSV));
        assertTrue(
                e.getMessage().startsWith("hdfs://nn/in/part-0.csv:2: malformed line: a quoted field is never closed"),
                e.getMessage());
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
