package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyClassifier;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained model folder damaged after training (an interrupted copy, a hand-edited metadata.json) is refused when
 * it is loaded, before any text is classified: one line naming the file and the cause, exit 1, no stack trace.
 */
class DamagedModelTest {
    @TempDir
    static Path tmp;

    static Path trained;
    static TemporaryHome home;

    @BeforeAll
    static void setUp() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        trained = TinyClassifier.export(tmp.resolve("trained"));
    }

    @AfterAll
    static void tearDown() {
        home.close();
    }

    /** A fresh copy of the trained model, for one test to damage. */
    private static Path copy(String name) throws IOException {
        Path dir = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(trained)) {
            for (Path f : files.toList()) {
                Path to = dir.resolve(trained.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        return dir;
    }

    private static void truncate(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
    }

    private static void setClassNames(Path dir, String json) throws IOException {
        Path meta = dir.resolve("metadata.json");
        String names = "\"classNames\": ";
        Files.writeString(meta, Files.readString(meta).replaceFirst("(?s)" + names + "\\[.*?\\]", names + json));
    }

    /** Exit 1 with one line naming {@code file} and containing {@code cause}; no trace, no "bug". */
    private static void refused(Path dir, String file, String cause) {
        Cli.Run r = Cli.run("predict", "--model-dir", dir.toString(), "a fine film");
        assertEquals(1, r.code(), r.err());
        assertTrue(
                r.err().contains("error: ") && r.err().contains(file) && r.err().contains(cause), r.err());
        assertFalse(r.err().contains("looks like a bug") || r.err().contains("\tat "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void undamagedModelPredicts() {
        Cli.Run r = Cli.run("predict", "--model-dir", trained.toString(), "a fine film");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void truncatedVariablesDataIsNamed() throws Exception {
        Path dir = copy("truncated-data");
        truncate(dir.resolve("variables/variables.data-00000-of-00001"));
        refused(dir, "variables.data-00000-of-00001", "truncated");
    }

    @Test
    void truncatedVariablesIndexIsNamed() throws Exception {
        Path dir = copy("truncated-index");
        truncate(dir.resolve("variables/variables.index"));
        refused(dir, "variables.index", "");
    }

    @Test
    void truncatedSavedModelPbIsNamed() throws Exception {
        Path dir = copy("truncated-pb");
        truncate(dir.resolve("saved_model.pb"));
        refused(dir, "saved_model.pb", "is not a SavedModel");
    }

    @Test
    void classNamesThatDisagreeWithTheOutputWidth() throws Exception {
        Path dir = copy("three-names");
        setClassNames(dir, "[\"neg\", \"neutral\", \"pos\"]");
        refused(dir, "metadata.json", "3 classNames but the model has 1 output");
    }

    @Test
    void emptyClassNames() throws Exception {
        Path dir = copy("no-names");
        setClassNames(dir, "[]");
        refused(dir, "metadata.json", "classNames");
    }

    @Test
    void duplicatedClassNames() throws Exception {
        Path dir = copy("twice");
        setClassNames(dir, "[\"pos\", \"pos\"]");
        refused(dir, "metadata.json", "pos twice");
    }

    @Test
    void corruptMetadata() throws Exception {
        Path dir = copy("corrupt-metadata");
        Files.writeString(dir.resolve("metadata.json"), "{\"classNames\": [\"neg\", ");
        refused(dir, "metadata.json", "cannot read");
    }

    /** Once TensorFlow's InvalidArgumentException at the first text: more tokens than the model has positions. */
    @Test
    void aMaxSeqLenBeyondThePositions() throws Exception {
        Path dir = copy("beyond-positions");
        Path meta = dir.resolve("metadata.json");
        Files.writeString(meta, Files.readString(meta).replaceFirst("\"maxSeqLen\": \\d+", "\"maxSeqLen\": 100000"));
        refused(dir, "metadata.json gives maxSeqLen 100000, more than the model's", "positions");
    }
}
