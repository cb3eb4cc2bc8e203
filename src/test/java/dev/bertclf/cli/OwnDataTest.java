package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on the user's own CSV and evaluating on their JSON Lines file, through {@link Main}: the file's 0/1
 * labels become the model's classes, its rows get the seeded 80/20 split, and a test file with other classes or
 * a broken line is refused with one line naming it.
 */
class OwnDataTest {
    @TempDir
    static Path tmp;

    static String previousHome;
    static Path model, output, trainCsv, testJsonl;
    static Cli.Run train;

    @BeforeAll
    static void trainOnACsv() throws Exception {
        TfRuntime.engine(); // natives stay in the suite's shared home
        previousHome = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", tmp.resolve("home").toString());
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        output = tmp.resolve("own_bert");
        Random random = new Random(5);
        StringBuilder csv = new StringBuilder("\uFEFFid,text,label\r\n");
        for (int i = 0; i < 200; i++) {
            boolean positive = i % 2 == 0;
            // Commas and quotes inside the text: only a real CSV parser keeps label and text apart.
            String review = SyntheticImdb.review(random, positive).replace(" ", i % 3 == 0 ? ", " : " ");
            csv.append(i)
                    .append(",\"")
                    .append(review)
                    .append(i % 5 == 0 ? " \"\"really\"\"" : "")
                    .append("\",")
                    .append(positive ? 1 : 0)
                    .append("\r\n");
        }
        trainCsv = Files.writeString(tmp.resolve("reviews.csv"), csv);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            boolean positive = i % 2 == 1;
            jsonl.append("{\"review\": \"")
                    .append(SyntheticImdb.review(random, positive))
                    .append("\", \"stars\": ")
                    .append(positive ? "1" : "0.0")
                    .append("}\n");
        }
        testJsonl = Files.writeString(tmp.resolve("test.jsonl"), jsonl);
        train = Cli.trainOnFile(model, trainCsv, output);
    }

    @AfterAll
    static void restoreHome() {
        if (previousHome != null) System.setProperty("bert.clf.home", previousHome);
    }

    @Test
    void trainReadsTheCsvWithTheSeededSplit() throws Exception {
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Found 200 rows belonging to 2 classes."), train.out());
        assertTrue(train.out().contains("Using 160 rows for training."), train.out());
        assertTrue(train.out().contains("Using 40 rows for validation."), train.out());
        JsonObject meta = JsonParser.parseString(Files.readString(output.resolve("metadata.json")))
                .getAsJsonObject();
        JsonArray classes = meta.get("classNames").getAsJsonArray();
        assertEquals(
                List.of("0", "1"),
                List.of(classes.get(0).getAsString(), classes.get(1).getAsString()));
        assertFalse(Files.exists(tmp.resolve("home/data/aclImdb")), "no IMDB download");
    }

    @Test
    void evaluateReadsAJsonLinesTestFile() {
        Cli.Run r = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                testJsonl.toString(),
                "--text-column",
                "review",
                "--label-column",
                "stars",
                "--json",
                "--plots-dir",
                tmp.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject m = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(40, m.get("examples").getAsInt());
        // Labels wired the wrong way round (or texts and labels shifted) would score near 0 or 0.5.
        assertTrue(m.get("accuracy").getAsDouble() >= 0.85, r.out());
    }

    @Test
    void badTestFilesGiveOneLineAndExitCodeOne() throws Exception {
        Path words = Files.writeString(tmp.resolve("words.tsv"), "text\tlabel\nnice film\tpos\nbad film\tneg\n");
        Cli.Run classes = Cli.run("evaluate", "--model-dir", output.toString(), "--test-file", words.toString());
        assertEquals(1, classes.code());
        assertTrue(classes.err().contains("has classes [neg, pos]; the model's are [0, 1]"), classes.err());
        Path broken = Files.writeString(tmp.resolve("broken.jsonl"), "{\"text\": \"a\", \"label\": 1}\n{\"text\": \n");
        Cli.Run malformed = Cli.run("evaluate", "--model-dir", output.toString(), "--test-file", broken.toString());
        assertEquals(1, malformed.code());
        assertTrue(
                malformed
                        .err()
                        .contains(broken + ":2: malformed line: not one JSON object (End of input at column 10)"),
                malformed.err());
        assertFalse(malformed.err().contains("\tat "), "no stack trace without --verbose");
        Cli.Run format = Cli.run(
                "evaluate", "--model-dir", output.toString(), "--test-file", words.toString(), "--format", "xml");
        assertEquals(2, format.code(), "an unknown --format is a usage error");
    }
}
