package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.testutil.ChildJvm;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.EventFiles;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.train.TrainingCheckpoints;
import dev.bertclf.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interruption and resume with real processes: a {@code train} child JVM killed with SIGKILL mid-epoch, or stopped
 * with SIGTERM, continues with {@code train --resume} to the very same metrics as an uninterrupted run of the same
 * seed; a second run into a locked output, a diverging loss and contradicting options are refused clearly. Each
 * test runs alone and in any order: the uninterrupted reference run ({@link #uninterrupted}) and the run stopped by
 * SIGTERM ({@link #terminated}) are made once, by the first test that needs them.
 */
class ResumeTest {
    private static final int EPOCHS = 2, EXAMPLES = 80, EVERY = 5, STEPS = EPOCHS * EXAMPLES / 4;

    @TempDir
    static Path tmp;

    static LoopbackServer server;
    static TemporaryHome home;
    static Path data, model;
    private static Cli.Run uninterrupted;
    private static Integer terminatedExit;

    @BeforeAll
    static void setUp() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        server = new LoopbackServer();
        server.serve("/aclImdb_v1.tar.gz", SyntheticImdb.archive(100, 5), LoopbackServer.Fault.NONE);
        data = tmp.resolve("data");
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        Cli.Run r = Cli.run(
                "download", "--url", server.uri("/aclImdb_v1.tar.gz").toString(), "--data-dir", data.toString());
        assertEquals(0, r.code(), r.err());
    }

    @AfterAll
    static void tearDown() {
        server.close();
        home.close();
    }

    /** The options of every run here: 20 steps an epoch, a checkpoint every 5. */
    static List<String> recipe(Path output) {
        return new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--epochs",
                "" + EPOCHS,
                "--batch-size",
                "4",
                "--learning-rate",
                "2e-3",
                "--max-seq-len",
                "32",
                "--max-train-examples",
                "" + EXAMPLES,
                "--data-dir",
                data.toString(),
                "--checkpoint-every",
                "" + EVERY,
                "--output",
                output.toString()));
    }

    /** The run every interrupted one must end as, into {@code tmp/reference}: made once. */
    static synchronized Cli.Run uninterrupted() {
        if (uninterrupted == null)
            uninterrupted = Cli.run(recipe(tmp.resolve("reference")).toArray(String[]::new));
        return uninterrupted;
    }

    /** The history of {@link #uninterrupted}. */
    static JsonArray reference() throws IOException {
        assertEquals(0, uninterrupted().code(), uninterrupted().err());
        return history(tmp.resolve("reference"));
    }

    /** A run into {@code tmp/terminated} stopped with SIGTERM after its first checkpoint: made once; its exit code. */
    static synchronized int terminated() throws Exception {
        if (terminatedExit == null) {
            Path out = tmp.resolve("terminated");
            Process child = start(out);
            awaitCheckpoint(child, out);
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            terminatedExit = child.exitValue();
        }
        return terminatedExit;
    }

    @Test
    void uninterruptedRunLeavesNoCheckpoints() throws Exception {
        Path out = tmp.resolve("reference");
        Cli.Run r = uninterrupted();
        assertEquals(0, r.code(), r.err());
        JsonArray reference = history(out);
        assertEquals(EPOCHS, reference.size());
        assertFalse(Files.exists(checkpointDir(out)), "checkpoints are removed once the run has finished");
    }

    @Test
    void resumeAfterSigkillEndsAsTheUninterruptedRun() throws Exception {
        Path out = tmp.resolve("killed");
        Process child = start(out);
        long first = awaitCheckpoint(child, out);
        // While the child trains, it holds the output's lock: a second run is refused at once.
        Cli.Run second = Cli.run(recipe(out).toArray(String[]::new));
        assertEquals(1, second.code(), second.err());
        assertTrue(second.err().contains("another 'bert-clf train' is writing to " + out), second.err());

        child.destroyForcibly();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL, not finished: " + log(out));
        long killedAt = stepOf(latestCheckpoint(out));
        assertTrue(
                killedAt >= EVERY && killedAt < STEPS,
                "killed mid-run, at checkpoint step " + killedAt + " (first " + first + ")");

        Cli.Run resumed = Cli.run("train", "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("Resuming from step " + killedAt + " of " + STEPS), resumed.err());
        JsonArray reference = reference();
        assertSameMetrics(reference, history(out));
        assertFalse(Files.exists(checkpointDir(out)));
        // run.json: the resumed run says it resumed, from which checkpoint and step, and that it finished
        JsonObject record = JsonParser.parseString(Files.readString(out.resolve("run.json")))
                .getAsJsonObject();
        JsonObject from = record.getAsJsonObject("training").getAsJsonObject("resumedFrom");
        assertEquals(killedAt, from.get("step").getAsLong(), record.toString());
        assertTrue(
                from.get("checkpoint")
                        .getAsString()
                        .startsWith(checkpointDir(out).toString()),
                from.toString());
        assertEquals(List.of("train", "--resume", out.toString()), strings(record.getAsJsonArray("command")));
        assertTrue(record.getAsJsonObject("result").get("finished").getAsBoolean(), record.toString());
        String runLog = Files.readString(out.resolve("train.log"));
        int started = runLog.indexOf(" train, options: "),
                resumedAt = runLog.indexOf(" train --resume: the stopped run goes on as ");
        assertTrue(started >= 0 && resumedAt > started, "both parts of the run in one log: " + runLog);
        assertTrue(runLog.substring(resumedAt).contains("epochs=" + EPOCHS), "with the run's own settings: " + runLog);
        // TensorBoard's logs: the resumed run adds its event files, its steps going on from the checkpoint's.
        List<EventFiles.Scalar> steps = EventFiles.scalars(out.resolve("logs/train")).stream()
                .filter(s -> s.tag().equals("loss"))
                .toList();
        assertEquals(STEPS, steps.get(steps.size() - 1).step(), steps.toString());
        assertTrue(steps.stream().allMatch(s -> s.step() % 10 == 0), "every --log-every (10) steps: " + steps);
        StringBuilder files = new StringBuilder();
        for (Path f : EventFiles.in(out.resolve("logs/validation"))) {
            files.append(f.getFileName()).append(' ');
            for (var e : EventFiles.events(f))
                files.append(e.getStep()).append('@').append(e.getWallTime()).append(' ');
        }
        assertEquals(
                List.of(1L, 2L),
                EventFiles.scalars(out.resolve("logs/validation")).stream()
                        .filter(s -> s.tag().equals("epoch_loss"))
                        .map(EventFiles.Scalar::step)
                        .distinct()
                        .toList(),
                files.toString());
        System.out.println("SIGKILL at checkpoint step " + killedAt + " of " + STEPS + "; final epoch resumed "
                + metrics(history(out)) + ", uninterrupted " + metrics(reference));
    }

    @Test
    void sigtermSavesACheckpointAndSaysHowToResume() throws Exception {
        Path out = tmp.resolve("terminated");
        int exit = terminated();
        String err = log(out);
        assertEquals(143, exit, err);
        assertTrue(err.contains("SIGTERM: stopping after this step to save a checkpoint"), err);
        assertTrue(err.contains("Resume with: bert-clf train --resume " + out), err);
        long stoppedAt = stepOf(latestCheckpoint(out));
        assertTrue(err.contains("stopped by SIGTERM at step " + stoppedAt + " of " + STEPS), err);
        assertTrue(
                Files.readString(latestCheckpoint(out).resolve("state.json"))
                        .contains("\"graphRevision\": " + TrainingGraph.REVISION),
                "the checkpoint says which graph wrote it");
        assertTrue(Files.isRegularFile(latestCheckpoint(out).resolve("model.ckpt.index")));

        String stoppedLog = Files.readString(checkpointDir(out).resolve("train.log"));
        assertTrue(stoppedLog.contains("stopped by SIGTERM at step " + stoppedAt), stoppedLog);
        Cli.Run fresh = Cli.run(recipe(out).toArray(String[]::new));
        assertEquals(1, fresh.code());
        assertTrue(fresh.err().contains("unfinished run") && fresh.err().contains("--resume " + out), fresh.err());
        assertEquals(
                stoppedLog,
                Files.readString(checkpointDir(out).resolve("train.log")),
                "the refused run writes nothing into the stopped run's log");
        Cli.Run conflicting = Cli.run("train", "--resume", checkpointDir(out).toString(), "--epochs", "5");
        assertEquals(2, conflicting.code());
        assertTrue(conflicting.err().contains("--epochs 5 conflicts with the stopped run's 2"), conflicting.err());
        // --accumulate sets the effective batch, and so the steps and the schedule: fixed like --batch-size
        Cli.Run accumulating = Cli.run("train", "--resume", out.toString(), "--accumulate", "2");
        assertEquals(2, accumulating.code(), accumulating.err());
        assertTrue(
                accumulating.err().contains("--accumulate 2 conflicts with the stopped run's 1"), accumulating.err());
        // the schedule and the weight decay change every step's numbers: fixed too
        Cli.Run cosine = Cli.run("train", "--resume", out.toString(), "--schedule", "cosine");
        assertEquals(2, cosine.code(), cosine.err());
        assertTrue(cosine.err().contains("--schedule cosine conflicts with the stopped run's linear"), cosine.err());
        Cli.Run decay = Cli.run("train", "--resume", out.toString(), "--weight-decay", "0");
        assertEquals(2, decay.code(), decay.err());
        assertTrue(decay.err().contains("--weight-decay 0.0 conflicts with the stopped run's 0.01"), decay.err());
    }

    /** The stopped run's task stays: its data source, format and columns; its data only moves, it is not swapped. */
    @Test
    void resumeCannotChangeTheTask() throws Exception {
        terminated();
        Path out = tmp.resolve("terminated");
        Path file = Files.writeString(tmp.resolve("other.csv"), "text,label\ngood,pos\nbad,neg\n");
        Cli.Run toFile = Cli.run("train", "--resume", out.toString(), "--train-file", file.toString());
        assertEquals(2, toFile.code(), toFile.err());
        assertTrue(
                toFile.err().contains("--train-file " + file + " conflicts with the stopped run's data folder"),
                toFile.err());
        Cli.Run column = Cli.run("train", "--resume", out.toString(), "--text-column", "body");
        assertEquals(2, column.code(), column.err());
        assertTrue(column.err().contains("--text-column body conflicts with the stopped run's text"), column.err());

        // The same folder layout and counts, the reviews edited: another data set, which the resumed run refuses.
        Path moved = tmp.resolve("moved-data");
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.toList()) {
                Path q = moved.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        try (Stream<Path> reviews = Files.list(moved.resolve("aclImdb/train/pos"))) {
            for (Path review : reviews.toList()) Files.writeString(review, "weather " + Files.readString(review));
        }
        Cli.Run edited = Cli.run("train", "--resume", out.toString(), "--data-dir", moved.toString());
        assertEquals(1, edited.code(), edited.err());
        assertTrue(
                edited.err().contains("the data changed since the checkpoint")
                        && edited.err().contains("other texts"),
                edited.err());
        assertTrue(Files.isDirectory(latestCheckpoint(out)), "the stopped run's checkpoint is kept");
    }

    @Test
    void resumeWithNoCheckpointIsAUsageError() throws Exception {
        Cli.Run r = Cli.run("train", "--resume", tmp.resolve("never").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume: no checkpoint beside " + tmp.resolve("never")), r.err());
        Cli.Run root = Cli.run("train", "--resume", "/"); // once "This looks like a bug"
        assertEquals(2, root.code(), root.err());
        assertTrue(root.err().contains("/ is the root folder"), root.err());

        // a state edited to impossible settings (once "This looks like a bug"): the checkpoint is not trusted
        terminated();
        Path saved = latestCheckpoint(tmp.resolve("terminated"));
        Path edited =
                Files.createDirectories(checkpointDir(tmp.resolve("edited")).resolve(saved.getFileName()));
        try (Stream<Path> files = Files.list(saved)) {
            for (Path f : files.toList()) Files.copy(f, edited.resolve(f.getFileName()));
        }
        Path state = edited.resolve("state.json");
        Files.writeString(state, Files.readString(state).replaceFirst("\"epochs\": \\d+", "\"epochs\": 0"));
        Cli.Run impossible = Cli.run("train", "--resume", tmp.resolve("edited").toString());
        assertEquals(1, impossible.code(), impossible.err());
        assertTrue(
                impossible.err().contains("impossible settings: epochs must be at least 1, got 0"), impossible.err());
        assertFalse(impossible.err().contains("looks like a bug"), impossible.err());
    }

    /**
     * The fused kernels and TensorFlow's ops draw other dropout masks: a run stopped on one and resumed on the other
     * once went on silently and was no longer the same run. Refused, unless the user accepts it.
     */
    @Test
    void aResumeOnOtherKernelsIsRefusedUnlessAllowed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.bertclf.runtime.FusedKernels.available(), "a build that carries the fused kernels");
        terminated();
        Path saved = latestCheckpoint(tmp.resolve("terminated"));
        assertTrue(Files.readString(saved.resolve("state.json")).contains("\"fusedKernels\": true"));
        Path copy =
                Files.createDirectories(checkpointDir(tmp.resolve("kernels")).resolve(saved.getFileName()));
        try (Stream<Path> files = Files.list(saved)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        System.setProperty(dev.bertclf.runtime.FusedKernels.SWITCH, "off");
        try {
            Cli.Run refused =
                    Cli.run("train", "--resume", tmp.resolve("kernels").toString());
            assertEquals(1, refused.code(), refused.err());
            assertTrue(
                    refused.err()
                            .contains("was trained with bert-clf's fused kernels on, and this run would train "
                                    + "with them off"),
                    refused.err());
            Cli.Run allowed =
                    Cli.run("train", "--resume", tmp.resolve("kernels").toString(), "--allow-kernel-change");
            assertEquals(0, allowed.code(), allowed.err());
            assertTrue(
                    allowed.err().contains("no longer")
                            || allowed.out().contains("bit for bit")
                            || Files.readString(tmp.resolve("kernels/train.log"))
                                    .contains("--allow-kernel-change"),
                    allowed.err());
        } finally {
            System.clearProperty(dev.bertclf.runtime.FusedKernels.SWITCH);
        }
    }

    @Test
    void divergingLossStopsAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path out = tmp.resolve("diverged");
        List<String> args = recipe(out);
        args.set(args.indexOf("--learning-rate") + 1, "1e10"); // weight decay alone multiplies weights by -1e8 a step
        args.set(args.indexOf("--checkpoint-every") + 1, "1");
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("the loss became") && r.err().contains("try a lower --learning-rate"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        String line = r.err()
                .lines()
                .filter(l -> l.contains("the loss became"))
                .findFirst()
                .orElseThrow();
        long divergedAt = Long.parseLong(line.replaceAll(".* at step (\\d+) .*", "$1"));
        assertTrue(divergedAt >= 3, line);
        Path kept = latestCheckpoint(out);
        assertTrue(line.contains("The last good checkpoint (step " + stepOf(kept) + ") is kept in " + kept), line);
        assertEquals(divergedAt - 2, stepOf(kept), "the checkpoint whose weights gave the bad loss is removed");
    }

    static String metrics(JsonArray history) {
        var last = history.get(history.size() - 1).getAsJsonObject();
        return List.of("loss", "accuracy", "valLoss", "valAccuracy").stream()
                .map(k -> k + " " + last.get(k))
                .toList()
                .toString();
    }

    /** Identical, not merely close: same data order, same dropout masks, same arithmetic. */
    /**
     * A multi-label run (JSON Lines, one sigmoid per class, multi-hot labels) killed after a checkpoint and resumed
     * ends as the uninterrupted run: the same history and the same task in its metadata.
     */
    @Test
    void multiLabelRunResumesToTheSameEnd() throws Exception {
        Path tags = Files.writeString(tmp.resolve("tags.jsonl"), MultiLabelTest.jsonl(new Random(5), EXAMPLES));
        Function<Path, List<String>> recipe = out -> {
            List<String> args = recipe(out);
            int dataDir = args.indexOf("--data-dir");
            args.set(dataDir, "--train-file");
            args.set(dataDir + 1, tags.toString());
            args.remove(args.indexOf("--max-train-examples") + 1);
            args.remove("--max-train-examples");
            args.addAll(List.of("--multi-label", "--threshold", "0.4"));
            return args;
        };
        Path reference = tmp.resolve("tags-reference"), out = tmp.resolve("tags-killed");
        Cli.Run whole = Cli.run(recipe.apply(reference).toArray(String[]::new));
        assertEquals(0, whole.code(), whole.err());

        Process child = start(out, recipe.apply(out));
        awaitCheckpoint(child, out);
        child.destroyForcibly();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL, not finished: " + log(out));
        long killedAt = stepOf(latestCheckpoint(out));
        Cli.Run resumed = Cli.run("train", "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("Resuming from step " + killedAt + " of "), resumed.err());

        assertSameMetrics(history(reference), history(out));
        ModelMetadata expected = ModelMetadata.read(reference), actual = ModelMetadata.read(out);
        assertTrue(actual.isMultiLabel());
        assertEquals(0.4, actual.decisionThreshold());
        assertEquals(expected.classNames(), actual.classNames());
        assertEquals(MultiLabelTest.CLASSES, sorted(actual.classNames()));
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    static List<String> strings(JsonArray a) {
        List<String> l = new java.util.ArrayList<>();
        a.forEach(e -> l.add(e.getAsString()));
        return l;
    }

    static void assertSameMetrics(JsonArray expected, JsonArray actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            for (String k : List.of("loss", "accuracy", "valLoss", "valAccuracy")) {
                double e = expected.get(i).getAsJsonObject().get(k).getAsDouble();
                double a = actual.get(i).getAsJsonObject().get(k).getAsDouble();
                assertEquals(e, a, "epoch " + (i + 1) + " " + k);
            }
            JsonElement f1 = expected.get(i).getAsJsonObject().get("valF1");
            if (f1 != null) assertEquals(f1, actual.get(i).getAsJsonObject().get("valF1"), "epoch " + (i + 1));
        }
    }

    /** Starts {@code train} in a child JVM with this suite's classpath, natives and home; output to files. */
    static Process start(Path out) throws IOException {
        return start(out, recipe(out));
    }

    /** As {@link #start(Path)}, with the run's arguments. */
    static Process start(Path out, List<String> args) throws IOException {
        List<String> cmd = ChildJvm.command("1g", args);
        Files.createDirectories(tmp.resolve("logs"));
        return new ProcessBuilder(cmd)
                .redirectOutput(
                        tmp.resolve("logs/" + out.getFileName() + ".out").toFile())
                .redirectError(tmp.resolve("logs/" + out.getFileName() + ".err").toFile())
                .start();
    }

    static String log(Path out) throws IOException {
        return Files.readString(tmp.resolve("logs/" + out.getFileName() + ".err"));
    }

    /** Waits for the child's first step checkpoint; returns its step. */
    static long awaitCheckpoint(Process child, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) throw new AssertionError("the child ended early: " + log(out));
            Path latest = Files.isDirectory(checkpointDir(out)) ? latestCheckpoint(out) : null;
            if (latest != null) return stepOf(latest);
            Thread.sleep(2);
        }
        child.destroyForcibly();
        throw new AssertionError("no checkpoint in time: " + log(out));
    }

    static Path checkpointDir(Path out) {
        return out.resolveSibling(out.getFileName() + TrainingCheckpoints.SUFFIX);
    }

    static Path latestCheckpoint(Path out) throws IOException {
        try (Stream<Path> s = Files.list(checkpointDir(out))) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElse(null);
        }
    }

    static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().replaceAll("step-(\\d+)-e\\d+", "$1"));
    }

    static JsonArray history(Path out) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("history.json")))
                .getAsJsonArray();
    }
}
