package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.data.TableFile;
import dev.bertclf.data.TableFormat;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Precision;
import dev.bertclf.text.Truncation;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code train --resume} must go on with the same data: a training file and how to read it are saved too. */
class RunSettingsTest {
    private static RunSettings settings(Path trainFile, TableFormat format, String text, String label) {
        return settings(trainFile, format, text, label, false, ClassWeights.NONE, null);
    }

    private static RunSettings settings(
            Path trainFile,
            TableFormat format,
            String text,
            String label,
            boolean multiLabel,
            ClassWeights classWeight,
            Path validationDir) {
        return RunSettingsBuilder.builder()
                .model("m")
                .epochs(2)
                .batchSize(8)
                .learningRate(1e-3)
                .maxSeqLen(16)
                .seed(7)
                .precision(Precision.fp32)
                .dataDir(Path.of("/d"))
                .url(URI.create("http://x/a.tar.gz"))
                .trainFile(trainFile)
                .format(format)
                .textColumn(text)
                .labelColumn(label)
                .output(Path.of("/out"))
                .save(SaveMode.best)
                .monitor(Monitor.val_loss)
                .classWeight(classWeight)
                .validationSplit(0.2)
                .validationDir(validationDir)
                .logEvery(10)
                .accumulate(1)
                .truncation(Truncation.HEAD_TAIL)
                .multiLabel(multiLabel)
                .labelSeparator(";")
                .threshold(0.3)
                .build();
    }

    /** The settings as a checkpoint's state.json saves and reads them. */
    private static RunSettings checkpointed(RunSettings s) {
        return TrainingCheckpoints.GSON.fromJson(TrainingCheckpoints.GSON.toJson(s), RunSettings.class);
    }

    @Test
    void aTrainFileSurvivesTheCheckpoint() {
        RunSettings tsv = settings(Path.of("/data/reviews.txt"), TableFormat.TSV, "review", "stars");
        assertEquals(tsv, checkpointed(tsv));
        assertEquals(
                new TableFile(Path.of("/data/reviews.txt"), TableFormat.TSV, "review", "stars"),
                checkpointed(tsv).table());
        RunSettings byExtension = settings(Path.of("/data/r.csv"), null, "text", "label");
        assertEquals(byExtension, checkpointed(byExtension));
    }

    @Test
    void aFolderRunAndOlderCheckpointsStayOnTheFolder() {
        assertNull(checkpointed(settings(null, null, null, null)).table());
        String older =
                "{\"model\":\"m\",\"epochs\":2,\"batchSize\":8,\"learningRate\":0.001,\"maxSeqLen\":16,\"seed\":7,"
                        + "\"maxTrainExamples\":0,\"precision\":\"fp32\",\"dataDir\":\"/d\","
                        + "\"datasetUrl\":\"http://x/a.tar.gz\","
                        + "\"checkpointEvery\":0,\"trainFileFormat\":\"CSV\"}";
        RunSettings read = TrainingCheckpoints.GSON.fromJson(older, RunSettings.class);
        assertNull(read.table());
        assertEquals(URI.create("http://x/a.tar.gz"), read.url(), "the older name of --url is read");
        assertEquals(TableFormat.CSV, read.format(), "the older name of --format is read");
        assertEquals(StepLog.DEFAULT_EVERY, read.logEvery(), "a checkpoint from before --log-every logs by default");
        assertEquals(1, read.accumulate(), "a checkpoint from before --accumulate did not accumulate");
        assertEquals(Truncation.HEAD, read.truncation(), "checkpoints before --truncation kept the head");
        assertEquals(
                new Hyperparameters(2, 8, 0.001, 16, 7, 1),
                read.hp(),
                "checkpoints before --schedule, --warmup-ratio, --weight-decay trained with the tutorial's");
    }

    /**
     * The table has one row per component, under the component's own option name (batchSize is --batch-size): a
     * setting added to the record without a row would be left out of the resume rule, the workers' check and the
     * model's record.
     */
    @Test
    void theTableHasARowForEverySetting() {
        List<String> components = java.util.Arrays.stream(RunSettings.class.getRecordComponents())
                .map(c -> "--" + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT))
                .toList();
        assertEquals(
                components,
                RunSettings.SETTINGS.stream().map(RunSettings.Setting::option).toList());
        assertEquals(
                List.of(
                        "--model",
                        "--epochs",
                        "--batch-size",
                        "--learning-rate",
                        "--max-seq-len",
                        "--seed",
                        "--precision",
                        "--class-weight",
                        "--warmup-ratio",
                        "--weight-decay",
                        "--schedule"),
                List.copyOf(settings(null, null, null, null).sharedByWorkers().keySet()));
        assertEquals(
                java.util.Map.ofEntries(
                        java.util.Map.entry("epochs", 2),
                        java.util.Map.entry("batch_size", 8),
                        java.util.Map.entry("accumulate", 1),
                        java.util.Map.entry("learning_rate", 1e-3),
                        java.util.Map.entry("max_seq_len", 16),
                        java.util.Map.entry("seed", 7L),
                        java.util.Map.entry("truncation", "head+tail"),
                        java.util.Map.entry("optimizer", "adamw"),
                        java.util.Map.entry("precision", "fp32"),
                        java.util.Map.entry("save", "best"),
                        java.util.Map.entry("monitor", "val_loss"),
                        java.util.Map.entry("min_delta", 0.0),
                        java.util.Map.entry("warmup_ratio", 0.1),
                        java.util.Map.entry("weight_decay", 0.01),
                        java.util.Map.entry("schedule", "linear")),
                settings(null, null, null, null).hyperparameters());
    }

    /** The one rule of --resume: what the run is stays, where things are may move. */
    @Test
    void aResumedRunKeepsWhatItIsAndMovesWhereThingsAre() {
        RunSettings saved = settings(Path.of("/data/r.csv"), null, "text", "label");
        RunSettings given = saved.withEpochs(9)
                .withPrecision(Precision.bf16)
                .withDataDir(Path.of("/e"))
                .withUrl(URI.create("http://y/b.tar.gz"))
                .withModelMirror("http://mirror")
                .withCheckpointEvery(50)
                .withTrainFile(Path.of("/moved/r.csv"))
                .withSave(SaveMode.last)
                .withMonitor(Monitor.val_f1)
                .withPatience(3)
                .withMinDelta(0.01)
                .withClassWeight(new ClassWeights("balanced"))
                .withValidationSplit(0.1)
                .withValidationFile(Path.of("/moved/val.csv"))
                .withLogEvery(0)
                .withAccumulate(4)
                .withTruncation(Truncation.TAIL)
                .withLabelSeparator("|")
                .withThreshold(0.5)
                .withWarmupRatio(0.2)
                .withWeightDecay(0.0)
                .withSchedule(Schedule.cosine);
        RunSettings untyped = saved.resumedWith(given, Set.of());
        assertEquals(saved, untyped, "nothing typed: the saved run as it was");
        RunSettings moved = saved.resumedWith(
                given,
                Set.of(
                        "--data-dir",
                        "--url",
                        "--model-mirror",
                        "--checkpoint-every",
                        "--train-file",
                        "--text-column",
                        "--log-every"));
        assertEquals(Path.of("/e"), moved.dataDir());
        assertEquals(Path.of("/moved/r.csv"), moved.trainFile());
        assertEquals(50, moved.checkpointEvery());
        assertEquals(0, moved.logEvery(), "--log-every may change on --resume");
        assertEquals("http://mirror", moved.modelMirror());
        for (String fixed : List.of(
                "--epochs",
                "--precision",
                "--save",
                "--monitor",
                "--patience",
                "--min-delta",
                "--class-weight",
                "--validation-split",
                "--accumulate",
                "--truncation",
                "--warmup-ratio",
                "--weight-decay",
                "--schedule")) {
            InvalidOptionException e =
                    assertThrows(InvalidOptionException.class, () -> saved.resumedWith(given, Set.of(fixed)));
            assertTrue(e.getMessage().startsWith(fixed + " "), e.getMessage());
        }
        RunSettings onFolder = settings(null, null, null, null);
        InvalidOptionException e =
                assertThrows(InvalidOptionException.class, () -> onFolder.resumedWith(given, Set.of("--train-file")));
        assertTrue(e.getMessage().contains("conflicts with the stopped run's data folder"), e.getMessage());
    }

    /** Multi-label data: only from a table file, without class weights; what it is stays under --resume. */
    @Test
    void aMultiLabelRunIsATableRunThatKeepsItsLabelRule() {
        RunSettings multi = settings(Path.of("/data/r.jsonl"), null, "text", "label", true, ClassWeights.NONE, null);
        assertEquals(multi, checkpointed(multi));
        assertEquals(
                new TableFile(Path.of("/data/r.jsonl"), null, "text", "label").multiLabel(";"),
                checkpointed(multi).table());
        assertEquals(true, multi.hyperparameters().get("multi_label"));
        assertEquals(0.3, multi.hyperparameters().get("threshold"));
        RunSettings single = settings(Path.of("/data/r.jsonl"), null, "text", "label");
        for (String fixed : List.of("--multi-label", "--label-separator", "--threshold")) {
            InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> multi.movedTo(Path.of("/out"))
                    .resumedWith(
                            single.withValidationSplit(0.2)
                                    .withLogEvery(null)
                                    .withAccumulate(null)
                                    .withTruncation(null)
                                    .withLabelSeparator("|")
                                    .withThreshold(0.5),
                            Set.of(fixed)));
            assertTrue(e.getMessage().startsWith(fixed + " "), e.getMessage());
        }
        assertEquals(false, single.multiLabel());
        InvalidOptionException folder = assertThrows(
                InvalidOptionException.class, () -> settings(null, null, null, null, true, ClassWeights.NONE, null));
        assertTrue(folder.getMessage().contains("--multi-label needs a --train-file"), folder.getMessage());
        InvalidOptionException weights = assertThrows(
                InvalidOptionException.class,
                () -> settings(Path.of("/r.csv"), null, "t", "l", true, new ClassWeights("balanced"), null));
        assertTrue(weights.getMessage().contains("--class-weight"), weights.getMessage());
        InvalidOptionException dir = assertThrows(
                InvalidOptionException.class,
                () -> settings(Path.of("/r.csv"), null, "t", "l", true, ClassWeights.NONE, Path.of("/v")));
        assertTrue(dir.getMessage().contains("--validation-dir"), dir.getMessage());
        String older = "{\"model\":\"m\",\"epochs\":2,\"batchSize\":8,\"learningRate\":0.001,\"maxSeqLen\":16,"
                + "\"seed\":7,\"precision\":\"fp32\",\"dataDir\":\"/d\"}";
        RunSettings read = TrainingCheckpoints.GSON.fromJson(older, RunSettings.class);
        assertEquals(false, read.multiLabel(), "older checkpoints are single-label");
        assertEquals("|", read.labelSeparator());
        assertEquals(0.5, read.threshold());
    }

    /** The head's shape follows the class count, so a resumed run reads it back; older checkpoints are binary. */
    @Test
    void theClassCountSurvivesTheCheckpointAndOlderOnesAreBinary() {
        var gson = TrainingCheckpoints.GSON;
        TrainingCheckpoints.State three =
                new TrainingCheckpoints.State(1, null, null, 10, 2, 4, 3, TrainingGraph.REVISION, null, null);
        assertEquals(
                3,
                gson.fromJson(gson.toJson(three), TrainingCheckpoints.State.class)
                        .classes());
        String older = "{\"format\":1,\"trainExamples\":10,\"validationExamples\":2,\"totalSteps\":4}";
        assertEquals(2, gson.fromJson(older, TrainingCheckpoints.State.class).classes());
    }
}
