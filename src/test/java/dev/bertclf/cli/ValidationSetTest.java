package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --validation-split}, {@code --validation-file} and {@code --validation-dir} instead of the fixed 20%. */
class ValidationSetTest {
    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path model, reviews;

    @BeforeAll
    static void setUp() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        reviews = Files.writeString(tmp.resolve("reviews.csv"), rows(20));
    }

    @AfterAll
    static void tearDown() {
        home.close();
    }

    static String rows(int n) {
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < n; i++) csv.append(i % 2 == 0 ? "great film,pos\n" : "awful film,neg\n");
        return csv.toString();
    }

    static Cli.Run train(String output, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                reviews.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--max-seq-len",
                "8",
                "--output",
                tmp.resolve(output).toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aSplitOfYourChoice() {
        Cli.Run r = train("split", "--validation-split", "0.5");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("Using 10 rows for training.") && r.out().contains("Using 10 rows for validation."),
                r.out());
    }

    @Test
    void aValidationFileOrFolderOfItsOwn() throws Exception {
        Path file = Files.writeString(tmp.resolve("validation.csv"), rows(6));
        Cli.Run r = train("file", "--validation-file", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("Found 20 rows belonging to 2 classes.")
                        && r.out().contains("Using 6 examples of " + file + " for validation."),
                r.out());
        Path dir = tmp.resolve("validation");
        for (String c : List.of("neg", "pos")) {
            Files.createDirectories(dir.resolve(c));
            Files.writeString(dir.resolve(c + "/1.txt"), c.equals("pos") ? "great film" : "awful film");
        }
        Cli.Run d = train("dir", "--validation-dir", dir.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("Using 2 examples of "), d.out());
    }

    @Test
    void impossibleValidationSetsAreRefusedBeforeTraining() throws Exception {
        Cli.Run none = train("none", "--validation-split", "0");
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("--validation-split must be above 0 and below 1"), none.err());
        Cli.Run both = train("both", "--validation-file", "a.csv", "--validation-dir", "b");
        assertEquals(2, both.code(), both.err());
        Path other = Files.writeString(tmp.resolve("other.csv"), "text,label\ngood,yes\nbad,no\n");
        Cli.Run classes = train("classes", "--validation-file", other.toString());
        assertEquals(1, classes.code(), classes.err());
        assertTrue(classes.err().contains("has classes [no, yes]; the training data's are [neg, pos]"), classes.err());
    }
}
