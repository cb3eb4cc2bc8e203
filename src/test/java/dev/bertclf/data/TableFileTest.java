package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableFileTest {
    @TempDir Path tmp;

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
        return assertThrows(DataException.class, () -> new DataSource(null, null,
                new TableFile(p, null, TableFile.TEXT_COLUMN, TableFile.LABEL_COLUMN)).load("train")).getMessage();
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
        LabeledTexts numbers = read(write("n.jsonl",
                "{\"text\": \"good\", \"label\": 1}\n\n{\"text\": \"bad\", \"label\": 0.0, \"x\": [1]}\n{\"text\":\"ok\",\"label\":1.0}\n"));
        assertEquals(List.of("0", "1"), numbers.classNames());
        assertEquals(List.of(1, 0, 1), labels(numbers));
        LabeledTexts strings = read(write("s.ndjson", "\uFEFF{\"text\": \"caf\\u00e9\\nbar\", \"label\": \"pos\"}\r\n"
                + "{\"text\": \"bad\", \"label\": \"neg\"}"));
        assertEquals(List.of("neg", "pos"), strings.classNames());
        assertEquals(List.of("café\nbar", "bad"), texts(strings));
    }

    @Test
    void formatComesFromTheExtensionOrIsGiven() throws IOException {
        Path txt = write("data.txt", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"}\n");
        DataException e = assertThrows(DataException.class,
                () -> new TableFile(txt, null, "text", "label").read());
        assertTrue(e.getMessage().contains("--format csv|tsv|jsonl"), e.getMessage());
        assertEquals(2, new TableFile(txt, TableFormat.JSONL, "text", "label").read().size());
        Path csvNamedTsv = write("really.tsv", "text,label\na,x\n");
        assertEquals(List.of("a"), texts(new TableFile(csvNamedTsv, TableFormat.CSV, "text", "label").read()));
    }

    @Test
    void missingColumnListsThePresentOnes() throws IOException {
        String m = error("m.csv", "review,sentiment\na,pos\n");
        assertTrue(m.contains("m.csv:1: no column 'text'; the columns are: review, sentiment"), m);
        m = error("m.tsv", "text\tsentiment\na\tpos\n");
        assertTrue(m.contains("m.tsv:1: no column 'label'; the columns are: text, sentiment"), m);
        m = error("m.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"review\": \"b\", \"label\": \"y\"}\n");
        assertTrue(m.contains("m.jsonl:2: no key 'text'; the keys are: review, label"), m);
        m = error("empty.csv", "\n\n");
        assertTrue(m.contains("empty.csv:1: empty file"), m);
    }

    @Test
    void malformedLinesAreNamed() throws IOException {
        String m = error("f.csv", "text,label\na,pos\nb,c,neg\n");
        assertTrue(m.contains("f.csv:3: malformed line: 3 fields, the header has 2"), m);
        m = error("q.csv", "text,label\n\"multi\nline\",pos\n\"never closed,neg\nx,pos\n");
        assertTrue(m.contains("q.csv:4: malformed line: a quoted field is never closed"), m);
        m = error("s.csv", "text,label\nsay \"hi\",pos\n");
        assertTrue(m.contains("s.csv:2: malformed line: a quote inside an unquoted field"), m);
        m = error("a.csv", "text,label\n\"x\"y,pos\n");
        assertTrue(m.contains("a.csv:2: malformed line: text after a closing quote"), m);
        m = error("t.tsv", "text\tlabel\na\n");
        assertTrue(m.contains("t.tsv:2: malformed line: 1 field, the header has 2"), m);
        m = error("j.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", label: \"y\"}\n");
        assertTrue(m.contains("j.jsonl:2: malformed line: not one JSON object"), m);
        m = error("k.jsonl", "[\"a\", \"x\"]\n");
        assertTrue(m.contains("k.jsonl:1: malformed line: expected a JSON object"), m);
        m = error("two.jsonl", "{\"text\": \"a\", \"label\": \"x\"} {\"text\": \"b\", \"label\": \"y\"}\n");
        assertTrue(m.contains("two.jsonl:1: malformed line"), m);
        m = error("n.jsonl", "{\"text\": 5, \"label\": \"x\"}\n");
        assertTrue(m.contains("n.jsonl:1: 'text' must be a string"), m);
        m = error("o.jsonl", "{\"text\": \"a\", \"label\": {\"k\": 1}}\n");
        assertTrue(m.contains("o.jsonl:1: 'label' must be a string, a number or a boolean"), m);
        m = error("l.csv", "text,label\na,pos\nb, \n");
        assertTrue(m.contains("l.csv:3: empty label"), m);
    }

    @Test
    void emptyTextsAreSkippedButNotAllOfThem() throws IOException {
        LabeledTexts t = read(write("e.jsonl", "{\"text\": \"\", \"label\": 1}\n{\"text\": \"a\", \"label\": 1}\n"
                + "{\"text\": null, \"label\": 0}\n{\"text\": \"b\", \"label\": 0}\n"));
        assertEquals(List.of("a", "b"), texts(t));
        String m = error("none.csv", "text,label\n,pos\n  ,neg\n");
        assertTrue(m.contains("none.csv has no rows with text"), m);
    }

    @Test
    void classCountMustBeTwo() throws IOException {
        String one = error("one.csv", "text,label\na,pos\nb,pos\n");
        assertTrue(one.contains("one.csv has only one class [pos]; a classifier needs examples of at least two"), one);
        String three = error("three.jsonl", "{\"text\":\"a\",\"label\":\"b\"}\n{\"text\":\"b\",\"label\":\"a\"}\n"
                + "{\"text\":\"c\",\"label\":\"c\"}\n");
        assertTrue(three.contains("multi-class is not supported yet: found 3 classes: a, b, c"), three);
    }

    /** Rows split exactly like files: the same seeded permutation of the list, the last 20% for validation. */
    @Test
    void rowsSplitLikeFiles() throws IOException {
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 10; i++) csv.append("t").append(i).append(',').append(i % 2).append('\n');
        LabeledTexts rows = read(write("r.csv", csv.toString()));
        KerasSplit.Parts<LabeledText> s = rows.split(0.2, 42);
        assertEquals(List.of("Found 10 rows belonging to 2 classes.", "Using 8 rows for training.",
                "Using 2 rows for validation."), s.messages());
        List<Integer> permutation = KerasSplit.shuffled(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 42);
        assertEquals(permutation.subList(8, 10).stream().map(i -> "t" + i).toList(),
                s.validation().stream().map(LabeledText::text).toList());
        assertEquals(permutation.subList(0, 8).stream().map(i -> "t" + i).toList(),
                s.training().stream().map(LabeledText::text).toList());
        assertTrue(!permutation.equals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), "the seed does shuffle");
    }
}
