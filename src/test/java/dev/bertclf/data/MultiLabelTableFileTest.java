package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-label tables: a JSON list or a separated field per row, any number of classes, errors by file and line. */
class MultiLabelTableFileTest {
    @TempDir
    Path tmp;

    private LabeledTexts read(String name, String content, String separator) throws IOException {
        Path p = Files.writeString(tmp.resolve(name), content);
        return new TableFile(p, null, "text", "label").multiLabel(separator).read();
    }

    private static List<int[]> labels(LabeledTexts t) {
        return t.examples().stream().map(LabeledText::labels).toList();
    }

    @Test
    void jsonLinesListsGiveSetsOfClasses() throws IOException {
        LabeledTexts t = read(
                "a.jsonl",
                """
                {"text": "one", "label": ["sports", "news"]}
                {"text": "two", "label": []}
                {"text": "three", "label": "arts"}
                {"text": "four", "label": ["news", "news", 1]}
                """,
                "|");
        assertEquals(List.of("1", "arts", "news", "sports"), t.classNames());
        assertTrue(t.multiLabel());
        List<int[]> l = labels(t);
        assertArrayEquals(new int[] {2, 3}, l.get(0));
        assertArrayEquals(new int[] {}, l.get(1), "an empty list is a text of no class");
        assertArrayEquals(new int[] {1}, l.get(2), "a string is one label (or several, separated)");
        assertArrayEquals(new int[] {0, 2}, l.get(3), "a repeated label counts once");
        assertArrayEquals(new float[] {0, 0, 1, 1}, t.examples().get(0).multiHot(4));
    }

    @Test
    void csvAndTsvFieldsAreSplitAtTheSeparator() throws IOException {
        LabeledTexts csv = read("a.csv", "text,label\none,b|a\ntwo,\n\"three, four\",\" c | a \"\n", "|");
        assertEquals(List.of("a", "b", "c"), csv.classNames());
        assertArrayEquals(new int[] {0, 1}, labels(csv).get(0));
        assertArrayEquals(new int[] {}, labels(csv).get(1), "an empty field: no class");
        assertArrayEquals(new int[] {0, 2}, labels(csv).get(2), "labels are stripped");
        LabeledTexts tsv = read("a.tsv", "text\tlabel\none\tx;y\n", ";");
        assertEquals(List.of("x", "y"), tsv.classNames());
        assertNull(
                new TableFile(tmp.resolve("a.tsv"), null, "text", "label")
                        .read()
                        .examples()
                        .get(0)
                        .labels(),
                "without --multi-label a field is one label");
    }

    @Test
    void badLabelsAreErrorsNamingTheFileAndLine() throws IOException {
        DataException object = assertThrows(
                DataException.class,
                () -> read(
                        "b.jsonl", "{\"text\": \"a\", \"label\": [\"x\"]}\n{\"text\": \"b\", \"label\": {}}\n", "|"));
        assertTrue(
                object.getMessage()
                        .endsWith("b.jsonl:2: 'label' must be a list of labels (or a string, a number "
                                + "or a boolean), got {}"),
                object.getMessage());
        DataException nested = assertThrows(
                DataException.class, () -> read("c.jsonl", "{\"text\": \"a\", \"label\": [[\"x\"]]}\n", "|"));
        assertTrue(
                nested.getMessage().contains("c.jsonl:1: 'label' must list strings, numbers or booleans"),
                nested.getMessage());
        DataException empty = assertThrows(DataException.class, () -> read("d.csv", "text,label\na,x\nb,x||y\n", "|"));
        assertTrue(empty.getMessage().endsWith("d.csv:3: empty label in column 'label'"), empty.getMessage());
        Path test = Files.writeString(tmp.resolve("e.csv"), "text,label\na,x\nb,y|z\n");
        DataException unknown = assertThrows(
                DataException.class,
                () -> new TableFile(test, null, "text", "label").multiLabel("|").read(List.of("x", "y")));
        assertTrue(
                unknown.getMessage()
                        .endsWith("e.csv:3: label 'z' is not one of the classes [x, y] (the training " + "data's)"),
                unknown.getMessage());
        LabeledTexts fixed =
                new TableFile(test, null, "text", "label").multiLabel("|").read(List.of("x", "y", "z"));
        assertEquals(List.of("x", "y", "z"), fixed.classNames());
        assertArrayEquals(new int[] {1, 2}, fixed.examples().get(1).labels());
    }
}
