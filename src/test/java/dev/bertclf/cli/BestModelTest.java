package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.train.TrainingCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --save best|last}, {@code --monitor}, {@code --patience} and {@code --min-delta} end to end: a
 * {@code --min-delta} no accuracy can beat makes the first epoch the best for certain, so which model is kept and
 * when the run stops are known in advance whatever the tiny model learns.
 */
class BestModelTest {
    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path model, reviews;

    @BeforeAll
    static void setUp() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 24; i++) csv.append(i % 2 == 0 ? "great film,pos\n" : "awful film,neg\n");
        reviews = Files.writeString(tmp.resolve("reviews.csv"), csv);
    }

    @AfterAll
    static void tearDown() {
        home.close();
    }

    static Cli.Run train(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                reviews.toString(),
                "--epochs",
                "4",
                "--batch-size",
                "8",
                "--learning-rate",
                "2e-3",
                "--max-seq-len",
                "8",
                "--monitor",
                "val_accuracy",
                "--min-delta",
                "1.0",
                "--output",
                output.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    static JsonObject metrics(Path output) throws Exception {
        return JsonParser.parseString(Files.readString(output.resolve("metadata.json")))
                .getAsJsonObject()
                .getAsJsonObject("metrics");
    }

    static int epochs(Path output) throws Exception {
        return JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray()
                .size();
    }

    @Test
    void patienceStopsTheRunAndTheBestEpochIsKept() throws Exception {
        Path out = tmp.resolve("early");
        Cli.Run r = train(out, "--patience", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, epochs(out), "epochs 2 and 3 did not improve: stopped after 3 of 4");
        assertEquals(1, metrics(out).get("epochs_done").getAsInt(), "the model of the best epoch, the first");
        String log = Files.readString(out.resolve("train.log"));
        assertTrue(
                log.contains("Early stopping after epoch 3: val_accuracy has not improved by more than 1.0 for 2"),
                log);
        assertTrue(
                log.contains("Epoch 2 is not better than epoch 1 (highest val_accuracy): the model of epoch 1 is kept"),
                log);
        assertTrue(
                r.out().contains("  best epoch  1: ") && r.out().contains("(highest val_accuracy: the saved model)"),
                r.out());
        assertFalse(Files.exists(TrainingCheckpoints.besideOutput(out).dir()), "a stopped run is a finished one");
    }

    /** The model folder explains itself: a README.md describing the kept model, rewritten with every export. */
    @Test
    void theModelFolderHasAModelCard() throws Exception {
        Path out = tmp.resolve("card");
        assertEquals(0, train(out, "--patience", "1").code());
        String card = Files.readString(out.resolve("README.md"));
        for (String expected : List.of(
                "# card: a text classifier fine-tuned with bert-clf",
                "| base model | `" + model.toAbsolutePath().normalize(),
                "| data | " + reviews + ": 20 training and 4 validation examples (a seeded 20% split) |",
                "| classes | `neg`, `pos` |",
                "| kept epoch | 1 of 2 trained (highest val_accuracy) |",
                "![training curves](training_curves.png)",
                "bert-clf predict --model-dir card",
                "TextClassifier.load(Path.of(\"card\"))")) {
            assertTrue(card.contains(expected), expected + " in:\n" + card);
        }
    }

    @Test
    void saveLastKeepsTheLastEpochAndEveryEpochRunsWithoutPatience() throws Exception {
        Path out = tmp.resolve("last");
        Cli.Run r = train(out, "--save", "last");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, epochs(out));
        assertEquals(4, metrics(out).get("epochs_done").getAsInt());
        List<String> table = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,val_f1,seconds,examples_per_second", table.get(0));
        assertEquals(5, table.size(), "a row per epoch: " + table);
        assertTrue(table.get(4).startsWith("4,"), table.toString());
        assertTrue(metrics(out).has("val_f1"), metrics(out).toString());
        assertTrue(r.out().contains("  last epoch  4: ") && r.out().contains("(the saved model)"), r.out());
    }

    @Test
    void impossibleValuesAreUsageErrors() {
        Cli.Run patience = train(tmp.resolve("never"), "--patience", "-1");
        assertEquals(2, patience.code(), patience.err());
        assertTrue(patience.err().contains("--patience must be 0 (off) or more, got -1"), patience.err());
        Cli.Run delta = train(tmp.resolve("never"), "--min-delta", "NaN");
        assertEquals(2, delta.code(), delta.err());
        Cli.Run monitor = train(tmp.resolve("never"), "--monitor", "val_auc");
        assertEquals(2, monitor.code(), monitor.err());
        assertFalse(Files.exists(tmp.resolve("never")));
    }
}
