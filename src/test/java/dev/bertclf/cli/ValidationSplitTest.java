package dev.bertclf.cli;

import static dev.bertclf.testutil.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.Cli.Run;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --split validation} draws the training run's own validation set again from its run.json: the
 * very examples {@code train} validated on (so the loss equals the saved epoch's {@code val_loss}), and nothing
 * when the data changed or the record is missing.
 */
class ValidationSplitTest {
    @TempDir
    Path tmp;

    @Test
    void theValidationSetIsTheOneTrainValidatedOn() throws IOException {
        TfRuntime.engine();
        Path csv = TinyBert.reviewsCsv(tmp.resolve("reviews.csv"), 60);
        Path model = tmp.resolve("model");
        Run trained = Cli.trainOnFile(TinyBert.write(tmp.resolve("tiny"), ""), csv, model);
        assertEquals(0, trained.code(), trained.err());

        Run r = run("evaluate", "--model-dir", model.toString(), "--split", "validation", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("Evaluating on the validation split of " + csv + " (12 examples)"), r.err());
        JsonObject metrics = JsonParser.parseString(r.out()).getAsJsonObject();
        double best = Double.MAX_VALUE;
        for (JsonElement epoch : JsonParser.parseString(Files.readString(model.resolve("history.json")))
                .getAsJsonArray()) {
            best = Math.min(best, epoch.getAsJsonObject().get("valLoss").getAsDouble());
        }
        assertEquals(best, metrics.get("loss").getAsDouble(), 1e-5, "the saved epoch's val_loss, on the same examples");
        Run test = run("evaluate", "--model-dir", model.toString(), "--test-file", csv.toString(), "--json");
        assertEquals(0, test.code(), test.err());
        assertTrue(
                Math.abs(JsonParser.parseString(test.out())
                                        .getAsJsonObject()
                                        .get("loss")
                                        .getAsDouble()
                                - best)
                        > 1e-5,
                "all 60 rows are another set");

        Run mixed = run("evaluate", "--model-dir", model.toString(), "--split", "validation", "--test-file", "x.csv");
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("--test-file names other data"), mixed.err());
        Run relocated =
                run("evaluate", "--model-dir", model.toString(), "--split", "validation", "--data-dir", tmp.toString());
        assertEquals(1, relocated.code(), relocated.err());
        assertTrue(relocated.err().contains("was trained on a --train-file"), relocated.err());

        Files.writeString(csv, "the movie was great,pos\n", StandardOpenOption.APPEND);
        Run changed = run("evaluate", "--model-dir", model.toString(), "--split", "validation");
        assertEquals(1, changed.code(), changed.err());
        assertTrue(
                changed.err().contains("is not what the model in " + model + " was trained on")
                        && changed.err().lines().count() == 1,
                changed.err());

        Files.delete(model.resolve("run.json"));
        Run unrecorded = run("evaluate", "--model-dir", model.toString(), "--split", "validation");
        assertEquals(1, unrecorded.code(), unrecorded.err());
        assertTrue(unrecorded.err().contains("has no run.json"), unrecorded.err());
    }

    /** A data folder copied elsewhere: --data-dir says where, and the digest says whether it is the same data. */
    @Test
    void aMovedDataFolderIsFoundThroughDataDir() throws IOException {
        TfRuntime.engine();
        Path data = tmp.resolve("data");
        for (int i = 0; i < 40; i++) {
            boolean pos = i % 2 == 0;
            String word = (pos ? TinyBert.POSITIVE : TinyBert.NEGATIVE).get(i % 4);
            Path file = data.resolve("train").resolve(pos ? "pos" : "neg").resolve(i + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "the movie was " + word);
        }
        Path model = tmp.resolve("model");
        Run trained = run(
                "train",
                "--model",
                TinyBert.write(tmp.resolve("tiny"), "").toString(),
                "--data-dir",
                data.toString(),
                "--epochs",
                "2",
                "--batch-size",
                "8",
                "--max-seq-len",
                "16",
                "--output",
                model.toString());
        assertEquals(0, trained.code(), trained.err());
        Run there = run("evaluate", "--model-dir", model.toString(), "--split", "validation", "--json");
        assertEquals(0, there.code(), there.err());

        Path moved = tmp.resolve("moved");
        Files.move(data, moved);
        Run gone = run("evaluate", "--model-dir", model.toString(), "--split", "validation");
        assertEquals(1, gone.code(), gone.err());
        assertTrue(gone.err().contains("is not there") && gone.err().contains("give --data-dir"), gone.err());
        Run found = run(
                "evaluate",
                "--model-dir",
                model.toString(),
                "--split",
                "validation",
                "--data-dir",
                moved.toString(),
                "--json");
        assertEquals(0, found.code(), found.err());
        assertEquals(
                JsonParser.parseString(there.out())
                        .getAsJsonObject()
                        .get("loss")
                        .getAsDouble(),
                JsonParser.parseString(found.out())
                        .getAsJsonObject()
                        .get("loss")
                        .getAsDouble(),
                "the same examples");
        Files.writeString(moved.resolve("train/pos/0.txt"), "the movie was awful");
        Run edited = run(
                "evaluate", "--model-dir", model.toString(), "--split", "validation", "--data-dir", moved.toString());
        assertEquals(1, edited.code(), edited.err());
        assertTrue(edited.err().contains("is not what the model in"), edited.err());
    }
}
