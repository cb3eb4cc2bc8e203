package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.Gson;
import dev.bertclf.data.TableFile;
import dev.bertclf.data.TableFormat;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code train --resume} must go on with the same data: a training file and how to read it are saved too. */
class RunSettingsTest {
    private static final Hyperparameters HP = new Hyperparameters(2, 8, 1e-3, 16, 7);

    private static FineTuneRun.Request resumed(FineTuneRun.Request req) {
        Gson gson = new Gson(); // checkpoints keep the settings as JSON
        RunSettings saved = gson.fromJson(gson.toJson(FineTuneRun.settings(req, 0)), RunSettings.class);
        return FineTuneRun.request(saved, req.output(), false);
    }

    @Test
    void aTrainFileSurvivesTheCheckpoint() {
        TableFile file = new TableFile(Path.of("/data/reviews.txt"), TableFormat.TSV, "review", "stars");
        FineTuneRun.Request req = new FineTuneRun.Request("m", HP, Path.of("/d"), URI.create("http://x/a.tar.gz"),
                Path.of("/out"), 0, null, SessionOptions.defaults(), file);
        assertEquals(file, resumed(req).trainFile());
        TableFile byExtension = new TableFile(Path.of("/data/r.csv"), null, "text", "label");
        assertEquals(byExtension, resumed(new FineTuneRun.Request("m", HP, Path.of("/d"),
                URI.create("http://x/a.tar.gz"), Path.of("/out"), 0, null, SessionOptions.defaults(), byExtension))
                .trainFile());
    }

    @Test
    void aFolderRunAndOlderCheckpointsStayOnTheFolder() {
        FineTuneRun.Request req = new FineTuneRun.Request("m", HP, Path.of("/d"), URI.create("http://x/a.tar.gz"),
                Path.of("/out"), 0, null, SessionOptions.defaults());
        assertNull(resumed(req).trainFile());
        String older = "{\"model\":\"m\",\"epochs\":2,\"batchSize\":8,\"learningRate\":0.001,\"maxSeqLen\":16,\"seed\":7,"
                + "\"maxTrainExamples\":0,\"precision\":\"fp32\",\"dataDir\":\"/d\",\"datasetUrl\":\"http://x/a.tar.gz\","
                + "\"checkpointEvery\":0}";
        assertNull(FineTuneRun.request(new Gson().fromJson(older, RunSettings.class), Path.of("/out"), false).trainFile());
    }

    /** The head's shape follows the class count, so a resumed run reads it back; older checkpoints are binary. */
    @Test
    void theClassCountSurvivesTheCheckpointAndOlderOnesAreBinary() {
        Gson gson = new Gson();
        TrainingCheckpoints.State three = new TrainingCheckpoints.State(1, null, null, 10, 2, 4, 3, TrainingGraph.REVISION,
                null);
        assertEquals(3, gson.fromJson(gson.toJson(three), TrainingCheckpoints.State.class).classes());
        String older = "{\"format\":1,\"trainExamples\":10,\"validationExamples\":2,\"totalSteps\":4}";
        assertEquals(2, gson.fromJson(older, TrainingCheckpoints.State.class).classes());
    }
}
