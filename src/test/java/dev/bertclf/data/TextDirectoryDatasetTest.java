package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.data.TextDirectoryDataset.Example;
import dev.bertclf.data.TextDirectoryDataset.Split;
import dev.bertclf.data.TextDirectoryDataset.Subset;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.Fifo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TextDirectoryDatasetTest {
    @TempDir
    Path tmp;

    private Path file(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** The tree used to compute the Keras golden below (Keras' index_directory logic on os.walk, numpy 2.4.6). */
    private Path kerasGoldenTree() throws IOException {
        for (String f :
                List.of("10_2.txt", "1_4.txt", "2_1.TXT", "a-b.txt", "note.md", "sub/0_1.txt", "sub-x/5_5.txt")) {
            file("d/neg/" + f, "neg" + f);
        }
        for (String f : List.of("3_7.txt", "0_9.txt", "11_8.txt", "B.txt", "a.txt")) file("d/pos/" + f, "pos" + f);
        file("d/.hidden/x.txt", "hidden");
        file("d/not_a_class.txt", "x");
        return tmp.resolve("d");
    }

    private static List<String> names(Path root, List<Example> examples) {
        return examples.stream().map(e -> root.relativize(e.file()).toString()).toList();
    }

    @Test
    void ordersFilesAndClassesLikeKeras() throws IOException {
        Path d = kerasGoldenTree();
        TextDirectoryDataset ds = TextDirectoryDataset.scan(d);
        assertEquals(List.of("neg", "pos"), ds.classNames());
        assertEquals(
                List.of(
                        "neg/10_2.txt",
                        "neg/1_4.txt",
                        "neg/2_1.TXT",
                        "neg/a-b.txt",
                        "neg/sub/0_1.txt",
                        "neg/sub-x/5_5.txt",
                        "pos/0_9.txt",
                        "pos/11_8.txt",
                        "pos/3_7.txt",
                        "pos/B.txt",
                        "pos/a.txt"),
                names(d, ds.examples()));
        for (Example e : ds.examples()) {
            assertEquals(
                    ds.classNames().get(e.label()),
                    d.relativize(e.file()).getName(0).toString());
        }
    }

    @Test
    void splitMatchesKerasGolden() throws IOException {
        Path d = kerasGoldenTree();
        Split split = TextDirectoryDataset.scan(d).split(Subset.BOTH, 0.2, 42);
        assertEquals(
                List.of(
                        "neg/sub-x/5_5.txt",
                        "neg/10_2.txt",
                        "pos/B.txt",
                        "pos/a.txt",
                        "neg/2_1.TXT",
                        "neg/1_4.txt",
                        "pos/3_7.txt",
                        "neg/sub/0_1.txt",
                        "pos/11_8.txt"),
                names(d, split.training()));
        assertEquals(List.of("neg/a-b.txt", "pos/0_9.txt"), names(d, split.validation()));
        assertEquals(
                List.of(0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1),
                Stream.concat(split.training().stream(), split.validation().stream())
                        .map(Example::label)
                        .toList());
        assertEquals(
                List.of(
                        "Found 11 files belonging to 2 classes.",
                        "Using 9 files for training.",
                        "Using 2 files for validation."),
                split.messages());
    }

    @Test
    void splitCountsAndDeterminism() throws IOException {
        for (int i = 0; i < 50; i++) {
            file("big/neg/" + i + ".txt", "n" + i);
            file("big/pos/" + i + ".txt", "p" + i);
        }
        TextDirectoryDataset ds = TextDirectoryDataset.scan(tmp.resolve("big"));
        Split a = ds.split(Subset.BOTH, 0.2, 42);
        assertEquals(80, a.training().size());
        assertEquals(20, a.validation().size());
        Set<Example> union = new HashSet<>(a.training());
        union.addAll(a.validation());
        assertEquals(100, union.size(), "training and validation are disjoint and cover everything");

        assertEquals(a, ds.split(Subset.BOTH, 0.2, 42));
        assertNotEquals(a.training(), ds.split(Subset.BOTH, 0.2, 43).training());

        Split onlyTraining = ds.split(Subset.TRAINING, 0.2, 42);
        assertEquals(a.training(), onlyTraining.training());
        assertTrue(onlyTraining.validation().isEmpty());
        assertEquals(
                List.of("Found 100 files belonging to 2 classes.", "Using 80 files for training."),
                onlyTraining.messages());
        Split onlyValidation = ds.split(Subset.VALIDATION, 0.2, 42);
        assertEquals(a.validation(), onlyValidation.validation());
        assertEquals("Using 20 files for validation.", onlyValidation.messages().get(1));

        Split none = ds.split(Subset.BOTH, 0, 42);
        assertEquals(100, none.training().size());
        assertTrue(none.validation().isEmpty());
    }

    @Test
    void clearErrors() throws IOException {
        DataException missing = assertThrows(DataException.class, () -> TextDirectoryDataset.scan(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"));

        Files.createDirectories(tmp.resolve("noclasses"));
        assertThrows(DataException.class, () -> TextDirectoryDataset.scan(tmp.resolve("noclasses")));

        file("empty/pos/1.txt", "good");
        Files.createDirectories(tmp.resolve("empty/neg"));
        DataException empty = assertThrows(DataException.class, () -> TextDirectoryDataset.scan(tmp.resolve("empty")));
        assertTrue(empty.getMessage().contains("neg"), empty.getMessage());

        file("small/neg/1.txt", "a");
        file("small/pos/1.txt", "b");
        TextDirectoryDataset small = TextDirectoryDataset.scan(tmp.resolve("small"));
        assertThrows(DataException.class, () -> small.split(Subset.BOTH, 0.2, 1), "0.2 * 2 = 0 validation files");
        assertThrows(DataException.class, () -> small.split(Subset.BOTH, 1.0, 1));
        assertThrows(DataException.class, () -> small.split(Subset.BOTH, 0.5, -1));
    }

    @Test
    void readsBadUtf8WithReplacementAndCountsIt() throws IOException {
        Path good = file("t/good.txt", "caf\u00e9 \ud83c\udfac");
        Path bad = tmp.resolve("t/bad.txt");
        Files.write(bad, new byte[] {'o', 'k', (byte) 0xE9, ' ', (byte) 0xFF});
        Utf8TextReader reader = new Utf8TextReader();
        assertEquals("caf\u00e9 \ud83c\udfac", reader.read(good));
        assertEquals(0, reader.filesWithMalformedInput());
        assertEquals("ok\ufffd \ufffd", reader.read(bad));
        assertEquals(1, reader.filesWithMalformedInput());
        assertThrows(DataException.class, () -> reader.read(tmp.resolve("t/missing.txt")));
    }

    @Test
    void sortsByCodePointLikePython() {
        assertTrue(TextDirectoryDataset.compareCodePoints("B", "a") < 0);
        assertTrue(TextDirectoryDataset.compareCodePoints("\uffff", "\ud83c\udfac") < 0, "U+FFFF < U+1F3AC");
        assertTrue(TextDirectoryDataset.compareCodePoints("ab", "abc") < 0);
    }

    /** A FIFO named *.txt once blocked training forever: it is skipped when listing, and refused when read. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void fifoInAClassFolderIsNeverRead() throws Exception {
        file("d/neg/a.txt", "bad");
        file("d/pos/b.txt", "good");
        Path fifo = Fifo.create(tmp.resolve("d/pos/pipe.txt"));

        TextDirectoryDataset ds = TextDirectoryDataset.scan(tmp.resolve("d"));
        assertEquals(List.of("neg/a.txt", "pos/b.txt"), names(tmp.resolve("d"), ds.examples()));
        Utf8TextReader reader = new Utf8TextReader();
        ds.labeledTexts().examples().forEach(e -> e.read(reader));
        DataException e = assertThrows(DataException.class, () -> reader.read(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    /** An --output inside the data folder (a model, its checkpoints, its log) is not read as a class next run. */
    @Test
    void modelsAndCheckpointsInsideTheDataFolderAreNotClasses() throws IOException {
        file("d/neg/a.txt", "bad");
        file("d/pos/b.txt", "good");
        file("d/model/saved_model.pb", "graph");
        file("d/model/assets/vocab.txt", "[PAD]");
        file("d/exported/metadata.json", "{}");
        file("d/exported/vocab.txt", "[PAD]");
        file("d/run.checkpoints/step-1/notes.txt", "x");
        file("d/run.train.log", "log");

        TextDirectoryDataset ds = TextDirectoryDataset.scan(tmp.resolve("d"));
        assertEquals(List.of("neg", "pos"), ds.classNames());
        assertEquals(List.of("neg/a.txt", "pos/b.txt"), names(tmp.resolve("d"), ds.examples()));
    }
}
