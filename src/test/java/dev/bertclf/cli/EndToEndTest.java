package dev.bertclf.cli;

import static dev.bertclf.testutil.Cli.run;
import static dev.bertclf.testutil.Png.assertPng;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.model.ModelCatalog;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli.Run;
import dev.bertclf.testutil.GraphLogits;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * The tutorial's four commands through {@link Main}, offline: a synthetic IMDB archive served on loopback, a tiny
 * random BERT in Google's layout, training to high validation accuracy, the exported SavedModel reloaded through
 * DJL, evaluate and predict. Each test runs alone and in any order: the data is downloaded before all of them, and
 * the tutorial's model is trained once, by the first test that needs it ({@link #trained}); trainings of other
 * models write the last-model pointer into a home of their own, so evaluate and predict find the tutorial's model.
 */
class EndToEndTest {
    @TempDir
    static Path tmp;

    static LoopbackServer server;
    static String previousHome;
    static Path dataDir, modelDir, output;
    private static Run trained;

    @BeforeAll
    static void setUp() throws Exception {
        TfRuntime.engine(); // natives stay in the suite's shared home
        previousHome = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", tmp.resolve("home").toString());
        server = new LoopbackServer();
        server.serve("/aclImdb_v1.tar.gz", SyntheticImdb.archive(200, 11), LoopbackServer.Fault.NONE);
        dataDir = tmp.resolve("data");
        modelDir = TinyBert.write(tmp.resolve("tiny_bert"), "");
        output = tmp.resolve("imdb_bert");
        Run r = run("download", "--url", server.uri("/aclImdb_v1.tar.gz").toString(), "--data-dir", dataDir.toString());
        assertEquals(0, r.code(), r.err());
    }

    /** The tutorial's training of the tiny model into {@link #output}: run once, by the first test that needs it. */
    static synchronized Run trained() {
        if (trained == null) {
            trained = run(
                    "train",
                    "--model",
                    modelDir.toString(),
                    "--epochs",
                    "10",
                    "--batch-size",
                    "16",
                    "--learning-rate",
                    "2e-3",
                    "--max-seq-len",
                    "32",
                    "--data-dir",
                    dataDir.toString(),
                    "--output",
                    output.toString());
        }
        return trained;
    }

    /** {@link #output} once trained; the home's last-model pointer names it. */
    static Path trainedModel() {
        assertEquals(0, trained().code(), trained().err());
        return output;
    }

    @AfterAll
    static void tearDown() {
        server.close();
        if (previousHome != null) System.setProperty("bert.clf.home", previousHome);
    }

    @Test
    void downloadFetchesVerifiesAndUnpacks() {
        String url = server.uri("/aclImdb_v1.tar.gz").toString();
        Path dataDir = tmp.resolve("download"); // not the shared data, which setUp downloaded already
        Run r = run("download", "--url", url, "--data-dir", dataDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isDirectory(dataDir.resolve("aclImdb/train/pos")));
        assertEquals(1, occurrences(r.out() + r.err(), "Dataset ready in "), "said once: " + r.out() + r.err());
        assertFalse(Files.exists(dataDir.resolve("aclImdb/train/unsup")), "train/unsup is removed as in the tutorial");
        Run again = run("download", "--url", url, "--data-dir", dataDir.toString());
        assertEquals(0, again.code());
        assertTrue((again.err() + again.out()).toLowerCase().contains("nothing to do"), again.err());
    }

    @Test
    void trainLearnsTheSyntheticTaskAndSavesAModel() throws Exception {
        Run r = trained();
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Found 400 files belonging to 2 classes."), r.out());
        assertTrue(r.out().contains("Using 320 files for training."), r.out());
        assertTrue(r.out().contains("Using 80 files for validation."), r.out());
        for (String fact : List.of("Found 400 files", "Using 320 files", "Using 80 files")) {
            assertEquals(1, occurrences(r.out() + r.err(), fact), "once on a terminal: " + r.out() + r.err());
        }
        for (String f : List.of(
                "saved_model.pb",
                "variables/variables.index",
                "assets/vocab.txt",
                "bert_config.json",
                "metadata.json",
                "history.json",
                "training_curves.png")) {
            assertTrue(Files.isRegularFile(output.resolve(f)), f);
        }
        JsonArray history = JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray();
        assertEquals(10, history.size());
        double valAccuracy = history.get(9).getAsJsonObject().get("valAccuracy").getAsDouble();
        assertTrue(valAccuracy >= 0.9, "validation accuracy " + valAccuracy);
        String log = Files.readString(output.resolve("train.log"));
        assertTrue(
                log.contains("Found 400 files belonging to 2 classes.")
                        && log.contains("INFO")
                        && log.contains("Epoch 10/10")
                        && log.contains("Saved the model after epoch 10"),
                log);
        assertFalse(Files.exists(tmp.resolve("imdb_bert.train.log")), "the log was moved into the model folder");
        assertTrue(
                r.out().contains("  best epoch ")
                        && r.out().contains("  log         " + output.resolve("train.log"))
                        && r.out().contains("  curves      " + output.resolve("training_curves.png")),
                r.out());
    }

    /** DJL's predictor on the SavedModel gives the logits of our own graph restored from the same variables. */
    @Test
    void exportedModelReloadsThroughDjlWithIdenticalLogits() throws Exception {
        List<String> texts = List.of("the movie was great !", "awful boring film", "the plot and the cast");
        float[] djl;
        try (TextClassifier clf = TextClassifier.load(trainedModel())) {
            djl = clf.logits(texts, 2);
        }
        float[] ours = GraphLogits.of(output, 2, 32, texts, g -> {});
        for (int i = 0; i < texts.size(); i++) assertEquals(ours[i], djl[i], 1e-5, "text " + i);
        assertTrue(
                djl[0] > 0 && djl[1] < 0, "positive and negative texts told apart: " + java.util.Arrays.toString(djl));
    }

    @Test
    void evaluateUsesTheLastTrainedModel() throws IOException {
        trainedModel();
        Run r = run("evaluate", "--data-dir", dataDir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject m = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(400, m.get("examples").getAsInt());
        assertTrue(m.get("accuracy").getAsDouble() >= 0.9, r.out());
        assertTrue(m.get("loss").getAsDouble() < 0.5, r.out());
        assertTrue(m.get("roc_auc").getAsDouble() >= 0.95, r.out());
        assertEquals(2, m.get("confusion_matrix").getAsJsonArray().size());
        assertEquals(2, m.get("plots").getAsJsonArray().size());
        assertPng(output.resolve("confusion_matrix.png"));
        assertPng(output.resolve("roc_curve.png"));
        Path plots = tmp.resolve("plots");
        Run subset = run(
                "evaluate", "--data-dir", dataDir.toString(), "--max-examples", "50", "--plots-dir", plots.toString());
        assertEquals(0, subset.code(), subset.err());
        assertTrue(
                subset.out().contains("Accuracy:")
                        && subset.out().contains("Confusion matrix")
                        && subset.out().contains("ROC AUC: "),
                subset.out());
        assertPng(plots.resolve("confusion_matrix.png"));
        assertPng(plots.resolve("roc_curve.png"));
    }

    @Test
    void predictClassifiesNewText() {
        trainedModel();
        Run r = run("predict", "--json", "this film was wonderful , I loved it", "boring and terrible");
        assertEquals(0, r.code(), r.err());
        JsonArray results = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals("pos", results.get(0).getAsJsonObject().get("label").getAsString());
        assertEquals("neg", results.get(1).getAsJsonObject().get("label").getAsString());
        assertTrue(results.get(0).getAsJsonObject().get("probability").getAsDouble() > 0.5);
        Run text = run("predict", "this film was wonderful");
        assertEquals(0, text.code());
        assertTrue(text.out().contains("score:") && text.out().contains("pos"), text.out());
    }

    @Test
    void predictReadsLinesFromStdin() {
        trainedModel();
        java.io.InputStream in = System.in;
        System.setIn(new java.io.ByteArrayInputStream(
                "a wonderful film\n\nterrible and boring\n".getBytes(StandardCharsets.UTF_8)));
        try {
            Run r = run("predict", "--json");
            assertEquals(0, r.code(), r.err());
            JsonArray results = JsonParser.parseString(r.out()).getAsJsonArray();
            assertEquals(2, results.size(), "blank lines are skipped");
            assertEquals(
                    "terrible and boring",
                    results.get(1).getAsJsonObject().get("text").getAsString());
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void maxTrainExamplesTrainsOnASeededSubset() throws Exception {
        Path quick = tmp.resolve("quick");
        Run r;
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home-quick"))) { // the pointer stays on the tutorial's
            r = run(
                    "train",
                    "--model",
                    modelDir.toString(),
                    "--epochs",
                    "1",
                    "--batch-size",
                    "8",
                    "--max-seq-len",
                    "16",
                    "--max-train-examples",
                    "40",
                    "--data-dir",
                    dataDir.toString(),
                    "--output",
                    quick.toString(),
                    "-q");
        }
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("40 training and 10 validation examples"), "-q hides INFO lines: " + r.err());
        assertTrue(
                Files.readString(quick.resolve("train.log")).contains("40 training and 10 validation examples"),
                "the log file keeps them: " + Files.readString(quick.resolve("train.log")));
        JsonObject meta = JsonParser.parseString(Files.readString(quick.resolve("metadata.json")))
                .getAsJsonObject();
        assertEquals(16, meta.get("maxSeqLen").getAsInt());
        assertEquals(
                List.of("neg", "pos"),
                List.of(
                        meta.get("classNames").getAsJsonArray().get(0).getAsString(),
                        meta.get("classNames").getAsJsonArray().get(1).getAsString()));
    }

    /** bf16 compute with float32 master weights learns the synthetic task as fp32 does. */
    @Test
    void bf16TrainingLearnsTheTaskToo() throws Exception {
        Path bf16 = tmp.resolve("bf16");
        trainedModel();
        Run r;
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home-bf16"))) { // the pointer stays on the tutorial's
            r = run(
                    "train",
                    "--model",
                    modelDir.toString(),
                    "--epochs",
                    "10",
                    "--batch-size",
                    "16",
                    "--learning-rate",
                    "2e-3",
                    "--max-seq-len",
                    "32",
                    "--precision",
                    "bf16",
                    "--data-dir",
                    dataDir.toString(),
                    "--output",
                    bf16.toString());
        }
        assertEquals(0, r.code(), r.err());
        JsonArray history = JsonParser.parseString(Files.readString(bf16.resolve("history.json")))
                .getAsJsonArray();
        assertTrue(history.get(9).getAsJsonObject().get("valAccuracy").getAsDouble() >= 0.9, history.toString());
        JsonArray fp32 = JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray();
        assertTrue(
                !fp32.get(0)
                        .getAsJsonObject()
                        .get("valLoss")
                        .equals(history.get(0).getAsJsonObject().get("valLoss")),
                "bf16 rounding shows in the losses, so the mixed-precision rewrite ran");
        JsonObject meta = JsonParser.parseString(Files.readString(bf16.resolve("metadata.json")))
                .getAsJsonObject();
        assertEquals(
                "bf16", meta.getAsJsonObject("hyperparameters").get("precision").getAsString());
        // bf16 training runs TensorFlow-internal ops (_FusedMatMul with its own gradient); the exported model must
        // hold only public ops, so that any TensorFlow build can serve it.
        SavedModel exported = SavedModel.parseFrom(Files.readAllBytes(bf16.resolve("saved_model.pb")));
        List<String> internal = exported.getMetaGraphs(0).getGraphDef().getNodeList().stream()
                .map(NodeDef::getOp)
                .filter(op -> op.startsWith("_"))
                .toList();
        assertEquals(List.of(), internal, "TensorFlow-internal ops in the exported graph");
    }

    @Test
    void userErrorsGiveAMessageAndExitCodeOne() throws IOException {
        Path failed = tmp.resolve("failed");
        Run r = run(
                "train",
                "--model",
                "small_bert/L-4_H-513_A-8",
                "--data-dir",
                dataDir.toString(),
                "--output",
                failed.toString());
        assertEquals(1, r.code());
        assertFalse(
                Files.exists(tmp.resolve("failed.checkpoints")) || Files.exists(tmp.resolve("failed.train.log")),
                "a run that never started training leaves no log behind");
        assertTrue(r.err().contains("unknown model") && r.err().contains("small_bert/L-4_H-512_A-8"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
        Run usage = run("train", "--epochs", "zero");
        assertEquals(2, usage.code());
        Run missing = run("predict", "--model-dir", tmp.resolve("nothing").toString(), "hello");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("run 'bert-clf train' first"), missing.err());
    }

    /**
     * The README's "What it looks like" shows real output: each command there is run here and its console lines
     * (stdout and stderr, numbers and this test's folders masked) must be the README's, in both directions, except
     * where the README elides lines with "...". A change to what the tool prints fails here until the README
     * follows. {@code preprocess} runs on a cached tutorial model holding the real uncased vocabulary.
     */
    @Test
    void readmeSamplesAreTheToolsOutput() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int from = readme.indexOf("### What it looks like");
        String section = readme.substring(from, readme.indexOf("\n## ", from));
        Path home = tmp.resolve("readme-home");
        ModelCatalog.Entry tutorial =
                ModelCatalog.standard().find(ModelOptions.DEFAULT).orElseThrow();
        Path cached = home.resolve("models").resolve(tutorial.folder());
        Files.createDirectories(cached);
        Files.copy(Path.of("src/test/resources/vocab-bert-uncased.txt"), cached.resolve(tutorial.vocabulary()));
        int checked = 0;
        for (String block : section.split("```")) {
            String[] commands = block.split("\n(?=\\$ scripts/bert-clf )");
            for (String sample : commands) {
                if (!sample.startsWith("$ scripts/bert-clf ")) continue;
                String command = sample.lines().findFirst().orElseThrow().substring(2);
                Run r = readmeRun(command, home);
                assertEquals(0, r.code(), command + ": " + r.err());
                List<String> shown = masked(sample.lines().skip(1).toList(), home);
                List<String> printed = masked((r.out() + r.err()).lines().toList(), home);
                for (String line : shown) {
                    if (!line.equals("..."))
                        assertTrue(printed.contains(line), command + " prints no\n" + line + "\n" + printed);
                }
                if (!shown.contains("...")) {
                    for (String line : printed)
                        assertTrue(shown.contains(line), command + " prints\n" + line + "\nnot in README");
                }
                checked++;
            }
        }
        assertEquals(7, checked, "a command of the README's samples this test does not know");
    }

    /** One of the README's sample commands, on this test's data, models and server. */
    private Run readmeRun(String command, Path home) {
        trainedModel(); // trained in this class's home, whose last-model pointer the other tests read
        String previous = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", home.toString());
        try {
            return switch (command) {
                case "scripts/bert-clf train --model tiny_bert --data-dir data --epochs 10 --batch-size 16 "
                        + "--learning-rate 2e-3 --max-seq-len 32" -> trained();
                case "scripts/bert-clf evaluate --data-dir data" ->
                    run("evaluate", "--model-dir", trainedModel().toString(), "--data-dir", dataDir.toString());
                case "scripts/bert-clf predict \"a wonderful film, I loved it\" \"boring and terrible\"" ->
                    run(
                            "predict",
                            "--model-dir",
                            trainedModel().toString(),
                            "a wonderful film, I loved it",
                            "boring and terrible");
                case "scripts/bert-clf download --url http://127.0.0.1:8765/aclImdb_v1.tar.gz" ->
                    run("download", "--url", server.uri("/aclImdb_v1.tar.gz").toString());
                case "scripts/bert-clf preprocess \"this is such an amazing movie!\"" ->
                    run("preprocess", "this is such an amazing movie!");
                case "scripts/bert-clf embed --model tiny_bert --max-seq-len 16 \"the movie was great\"" ->
                    run("embed", "--model", modelDir.toString(), "--max-seq-len", "16", "the movie was great");
                case "scripts/bert-clf models" -> run("models");
                default -> throw new AssertionError("the README shows a command this test does not run: " + command);
            };
        } finally {
            System.setProperty("bert.clf.home", previous);
        }
    }

    /**
     * Lines as compared: this test's folders as the README names them, every number as N (timings and sizes vary),
     * runs of spaces as one, blank lines and the README's "(progress, on stderr)" notes left out.
     */
    private static List<String> masked(List<String> lines, Path home) {
        String server = EndToEndTest.server.uri("/").toString();
        return lines.stream()
                .filter(l -> !l.isBlank() && !l.contains("(progress, on stderr)"))
                .map(l -> l.replace(server, "http://127.0.0.1:8765/")
                        .replace(home.toString(), "~/.bert-clf")
                        .replace(tmp.toString() + "/", "")
                        .replaceAll("\\d+(\\.\\d+)?", "N")
                        .replaceAll("\\s+", " ")
                        .strip())
                .toList();
    }

    private static int occurrences(String text, String fact) {
        return text.split(java.util.regex.Pattern.quote(fact), -1).length - 1;
    }
}
