package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.Fifo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TableFileTest {
    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static LabeledTexts read(Path file) {
        return new TableFile(file, null, TableFile.TEXT_COLUMN, TableFile.LABEL_COLUMN).read();
    }

    private static List<String> texts(LabeledTexts t) {
        return t.examples().stream().map(LabeledText::text).toList();
    }

    private static List<Integer> labels(LabeledTexts t) {
        return t.examples().stream().map(LabeledText::label).toList();
    }

    private String error(String name, String content) throws IOException {
        Path p = write(name, content);
        return assertThrows(DataException.class, () -> new DataSource(
                                null, null, new TableFile(p, null, TableFile.TEXT_COLUMN, TableFile.LABEL_COLUMN))
                        .load("train"))
                .getMessage();
    }

    /** Reading {@code content} as file {@code name} fails with a message that contains {@code expected}. */
    private void assertError(String name, String content, String expected) throws IOException {
        String m = error(name, content);
        assertTrue(m.contains(expected), m);
    }

    @Test
    void csvFollowsRfc4180() throws IOException {
        String csv = "\uFEFFid,text,label\r\n"
                + "1,\"a, b\",pos\r\n"
                + "2,\"she said \"\"hi\"\"\",neg\r\n"
                + "3,\"two\nlines\",pos\r\n"
                + "\r\n"
                + "4,plain,neg"; // no line end at the end
        LabeledTexts t = read(write("reviews.csv", csv));
        assertEquals(List.of("neg", "pos"), t.classNames());
        assertEquals(List.of("a, b", "she said \"hi\"", "two\nlines", "plain"), texts(t));
        assertEquals(List.of(1, 0, 1, 0), labels(t));
        assertEquals("rows", t.split(0.5, 1).messages().get(0).split(" ")[2]);
    }

    @Test
    void csvEmptyFieldsAndColumnChoice() throws IOException {
        Path p = write("x.CSV", "review,,sentiment\ngood film,,1\nbad film,,0\n\"\",,1\n");
        LabeledTexts t = new TableFile(p, null, "review", "sentiment").read();
        assertEquals(List.of("0", "1"), t.classNames(), "a 0/1 column gives classes 0 and 1");
        assertEquals(List.of("good film", "bad film"), texts(t), "the row with empty text is skipped");
        assertEquals(List.of(1, 0), labels(t));
    }

    @Test
    void tsvHasNoQuoting() throws IOException {
        LabeledTexts t = read(write("d.tsv", "label\ttext\r\nb\t\"quoted\" as is\na\tcomma, fine\n"));
        assertEquals(List.of("a", "b"), t.classNames());
        assertEquals(List.of("\"quoted\" as is", "comma, fine"), texts(t));
        assertEquals(List.of(1, 0), labels(t));
    }

    @Test
    void jsonLinesLabelsMayBeNumbersOrStrings() throws IOException {
        LabeledTexts numbers = read(
                write(
                        "n.jsonl",
                        "{\"text\": \"good\", \"label\": 1}\n\n{\"text\": \"bad\", \"label\": 0.0, \"x\": [1]}\n{\"text\":\"ok\",\"label\":1.0}\n"));
        assertEquals(List.of("0", "1"), numbers.classNames());
        assertEquals(List.of(1, 0, 1), labels(numbers));
        LabeledTexts strings = read(write(
                "s.ndjson",
                "\uFEFF{\"text\": \"caf\\u00e9\\nbar\", \"label\": \"pos\"}\r\n"
                        + "{\"text\": \"bad\", \"label\": \"neg\"}"));
        assertEquals(List.of("neg", "pos"), strings.classNames());
        assertEquals(List.of("café\nbar", "bad"), texts(strings));
    }

    @Test
    void formatComesFromTheExtensionOrIsGiven() throws IOException {
        Path txt = write("data.txt", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"}\n");
        DataException e = assertThrows(DataException.class, () -> new TableFile(txt, null, "text", "label").read());
        assertTrue(e.getMessage().contains("--format csv|tsv|jsonl"), e.getMessage());
        assertEquals(
                2, new TableFile(txt, TableFormat.JSONL, "text", "label").read().size());
        Path csvNamedTsv = write("really.tsv", "text,label\na,x\n");
        assertEquals(List.of("a"), texts(new TableFile(csvNamedTsv, TableFormat.CSV, "text", "label").read()));
    }

    @Test
    void missingColumnListsThePresentOnes() throws IOException {
        assertError(
                "m.csv", "review,sentiment\na,pos\n", "m.csv:1: no column 'text'; the columns are: review, sentiment");
        assertError(
                "m.tsv", "text\tsentiment\na\tpos\n", "m.tsv:1: no column 'label'; the columns are: text, sentiment");
        assertError(
                "m.jsonl",
                "{\"text\": \"a\", \"label\": \"x\"}\n{\"review\": \"b\", \"label\": \"y\"}\n",
                "m.jsonl:2: no key 'text'; the keys are: review, label");
        assertError("empty.csv", "\n\n", "empty.csv:1: empty file");
    }

    @Test
    void malformedLinesAreNamed() throws IOException {
        assertError("f.csv", "text,label\na,pos\nb,c,neg\n", "f.csv:3: malformed line: 3 fields, the header has 2");
        assertError(
                "q.csv",
                "text,label\n\"multi\nline\",pos\n\"never closed,neg\nx,pos\n",
                "q.csv:4: malformed line: a quoted field is never closed");
        assertError(
                "s.csv", "text,label\nsay \"hi\",pos\n", "s.csv:2: malformed line: a quote inside an unquoted field");
        assertError("a.csv", "text,label\n\"x\"y,pos\n", "a.csv:2: malformed line: text after a closing quote");
        assertError("t.tsv", "text\tlabel\na\n", "t.tsv:2: malformed line: 1 field, the header has 2");
        assertError(
                "j.jsonl",
                "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", label: \"y\"}\n",
                "j.jsonl:2: malformed line: not one JSON object");
        assertError("k.jsonl", "[\"a\", \"x\"]\n", "k.jsonl:1: malformed line: expected a JSON object");
        assertError(
                "two.jsonl",
                "{\"text\": \"a\", \"label\": \"x\"} {\"text\": \"b\", \"label\": \"y\"}\n",
                "two.jsonl:1: malformed line");
        assertError("n.jsonl", "{\"text\": 5, \"label\": \"x\"}\n", "n.jsonl:1: 'text' must be a string");
        assertError(
                "o.jsonl",
                "{\"text\": \"a\", \"label\": {\"k\": 1}}\n",
                "o.jsonl:1: 'label' must be a string, a number or a boolean");
        assertError("l.csv", "text,label\na,pos\nb, \n", "l.csv:3: empty label");
    }

    @Test
    void emptyTextsAreSkippedButNotAllOfThem() throws IOException {
        LabeledTexts t = read(write(
                "e.jsonl",
                "{\"text\": \"\", \"label\": 1}\n{\"text\": \"a\", \"label\": 1}\n"
                        + "{\"text\": null, \"label\": 0}\n{\"text\": \"b\", \"label\": 0}\n"));
        assertEquals(List.of("a", "b"), texts(t));
        assertError("none.csv", "text,label\n,pos\n  ,neg\n", "none.csv has no rows with text");
    }

    /** One class is refused; three are the sorted distinct labels, each text with its own class id. */
    @Test
    void oneClassIsRefusedAndThreeAreMultiClass() throws IOException {
        assertError(
                "one.csv",
                "text,label\na,pos\nb,pos\n",
                "one.csv has only one class [pos]; a classifier needs examples of at least two");
        LabeledTexts three = read(write(
                        "three.jsonl",
                        "{\"text\":\"a\",\"label\":\"b\"}\n"
                                + "{\"text\":\"b\",\"label\":\"a\"}\n{\"text\":\"c\",\"label\":\"c\"}\n"))
                .requireClasses();
        assertEquals(List.of("a", "b", "c"), three.classNames());
        assertEquals(
                List.of(1, 0, 2),
                three.examples().stream().map(LabeledText::label).toList());
    }

    /** Rows split exactly like files: the same seeded permutation of the list, the last 20% for validation. */
    @Test
    void rowsSplitLikeFiles() throws IOException {
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 10; i++)
            csv.append("t").append(i).append(',').append(i % 2).append('\n');
        LabeledTexts rows = read(write("r.csv", csv.toString()));
        KerasSplit.Parts<LabeledText> s = rows.split(0.2, 42);
        assertEquals(
                List.of(
                        "Found 10 rows belonging to 2 classes.",
                        "Using 8 rows for training.",
                        "Using 2 rows for validation."),
                s.messages());
        List<Integer> permutation = KerasSplit.shuffled(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 42);
        assertEquals(
                permutation.subList(8, 10).stream().map(i -> "t" + i).toList(),
                s.validation().stream().map(LabeledText::text).toList());
        assertEquals(
                permutation.subList(0, 8).stream().map(i -> "t" + i).toList(),
                s.training().stream().map(LabeledText::text).toList());
        assertTrue(!permutation.equals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), "the seed does shuffle");
    }

    /** Once a NegativeArraySizeException and a heap exhausted from a 40-byte line. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void hugeNumberLabelsAreRefusedWithTheirLine() throws IOException {
        for (String n :
                List.of("1e2147483647", "1e1500000000", "1e-2147483647", "1e99999999999", "1e100", "-1.5E-100")) {
            assertError(
                    "h.jsonl",
                    "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": " + n + "}\n",
                    "h.jsonl:2: 'label' is a number too large or too long to name a class");
        }
        assertError(
                "g.jsonl",
                "{\"text\": \"b\", \"label\": 1" + "0".repeat(200) + "}\n",
                "g.jsonl:1: malformed line: not one JSON object (malformed JSON at column 24)"); // Gson's own limit
        LabeledTexts t = read(write(
                "ok.jsonl",
                "{\"text\": \"a\", \"label\": 1e2}\n{\"text\": \"b\", \"label\": 0E9}\n"
                        + "{\"text\": \"c\", \"label\": 2.50}\n"));
        assertEquals(List.of("0", "100", "2.5"), t.classNames());
    }

    /** Lines are counted across blank lines and quoted line breaks; quoted fields with doubled quotes are fine. */
    @Test
    void errorsNameTheLineAfterBlankLinesAndQuotedLineBreaks() throws IOException {
        String ok = "text,label\n\n\"q\"\"\r\nr\",\"x\"\"y\"\n\r\n";
        assertEquals(List.of("q\"\r\nr", "b"), texts(read(write("ok.csv", ok + "b,z\n"))));
        assertError("u.csv", ok + "b,say \"hi\"\n", "u.csv:6: malformed line: a quote inside an unquoted field");
        assertError("c.csv", ok + "\n\"never closed,neg\n", "c.csv:7: malformed line: a quoted field is never closed");
        assertError("n.csv", ok + "a,b,c\n", "n.csv:6: malformed line: 3 fields, the header has 2");
    }

    @Test
    void labelsAndFieldsHaveABound() throws IOException {
        assertError(
                "long.csv",
                "text,label\na,\"" + "x".repeat(TableFile.MAX_LABEL_CHARS + 1) + "\"\n",
                "long.csv:2: the label in column 'label' is longer than 1000 characters");
        String huge = "y".repeat(TableRow.MAX_FIELD_CHARS + 1);
        assertError("big.csv", "text,label\n\"" + huge + "\",pos\n", "big.csv:2: a field longer than");
        assertError("big.tsv", "text\tlabel\n" + huge + "\tpos\n", "big.tsv:2: a field longer than");
        assertError("big.jsonl", "{\"text\": \"" + huge + "\", \"label\": 1}\n", "big.jsonl:1: a line longer than");
    }

    @Test
    void aColumnNamedTwiceIsRefused() throws IOException {
        assertError("d.csv", "text,label,text\na,pos,b\n", "d.csv:1: the header names column 'text' twice");
        assertError("d.tsv", "id\ttext\tlabel\tid\n1\ta\tpos\t2\n", "d.tsv:1: the header names column 'id' twice");
        assertEquals(2, read(write("e.csv", "text,label,,\na,pos,,\nb,neg,,\n")).size()); // unnamed columns are fine
    }

    /** A named pipe as a table would be read until its writer closes it, or forever: only regular files are read. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aFifoAsTableIsRefused() throws Exception {
        Path fifo = Fifo.create(tmp.resolve("pipe.csv"));
        DataException e = assertThrows(DataException.class, () -> read(fifo));
        assertTrue(e.getMessage().contains("pipe.csv: not a regular file"), e.getMessage());
    }
}
