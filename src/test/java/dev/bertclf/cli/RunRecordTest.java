package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.data.DataDigest;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.Version;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run.json}: after a tiny {@code train} on a data folder with every new schedule option, the record holds the
 * command as typed (credentials in a URL hidden), the effective settings, the data folder's digest (the documented
 * one), the build, the platform, how it trained and how it ended; a second run replaces it and keeps the user's file;
 * a record that cannot be written fails the run with one line and leaves no temp file.
 */
class RunRecordTest {
    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path model, data, output;
    static List<String> args;
    static Cli.Run first;

    @BeforeAll
    static void train() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        data = tmp.resolve("reviews");
        Random random = new Random(3);
        for (String c : List.of("neg", "pos")) {
            Path dir = Files.createDirectories(data.resolve("train").resolve(c));
            for (int i = 0; i < 24; i++) {
                Files.writeString(dir.resolve(i + ".txt"), SyntheticImdb.review(random, c.equals("pos")));
            }
        }
        output = tmp.resolve("model");
        args = List.of(
                "train",
                "--model",
                model.toString(),
                "--data-dir",
                data.toString(),
                "--url",
                "https://reader:s3cret@example.com/aclImdb_v1.tar.gz",
                "--epochs",
                "2",
                "--batch-size",
                "8",
                "--learning-rate",
                "2e-3",
                "--max-seq-len",
                "16",
                "--schedule",
                "cosine",
                "--warmup-ratio",
                "0.2",
                "--weight-decay",
                "0",
                "--output",
                output.toString());
        first = Cli.run(args.toArray(String[]::new));
    }

    @AfterAll
    static void restoreHome() {
        home.close();
    }

    static JsonObject record(Path folder) throws IOException {
        return JsonParser.parseString(Files.readString(folder.resolve("run.json")))
                .getAsJsonObject();
    }

    static List<String> strings(JsonArray a) {
        List<String> l = new ArrayList<>();
        a.forEach(e -> l.add(e.getAsString()));
        return l;
    }

    @Test
    void runJsonRecordsTheRun() throws Exception {
        assertEquals(0, first.code(), first.err());
        JsonObject r = record(output);
        String text = Files.readString(output.resolve("run.json"));
        assertEquals(1, r.get("schema").getAsInt());
        assertEquals(Version.get(), r.getAsJsonObject("build").get("version").getAsString());
        String commit = r.getAsJsonObject("build").get("commit").getAsString();
        assertTrue(commit.matches("[0-9a-f]{40}|unknown"), commit);
        assertFalse(text.contains("s3cret"), "no credentials: " + text);
        List<String> command = new ArrayList<>(args);
        command.set(command.indexOf("--url") + 1, "https://***@example.com/aclImdb_v1.tar.gz");
        assertEquals(command, strings(r.getAsJsonArray("command")));

        JsonObject s = r.getAsJsonObject("settings");
        assertEquals("cosine", s.get("schedule").getAsString());
        assertEquals(0.2, s.get("warmupRatio").getAsDouble());
        assertEquals(0.0, s.get("weightDecay").getAsDouble());
        assertEquals(32, s.get("maxTrainExamples").getAsInt() + 32, "defaults are recorded too");
        assertEquals("https://***@example.com/aclImdb_v1.tar.gz", s.get("url").getAsString());

        JsonObject d = r.getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals("training", d.get("role").getAsString());
        assertEquals("folder", d.get("kind").getAsString());
        assertEquals(48, d.get("files").getAsInt());
        assertEquals(
                DataDigest.folder("x", data.resolve("train")).sha256(),
                d.get("sha256").getAsString());

        JsonObject p = r.getAsJsonObject("platform");
        assertEquals(System.getProperty("java.version"), p.get("java").getAsString());
        assertEquals("0.36.0", p.get("djl").getAsString());
        assertTrue(p.get("tensorflow").getAsString().startsWith("2."), p.toString());
        assertTrue(p.has("cpu") && p.has("cpuFlags"), p.toString());

        JsonObject t = r.getAsJsonObject("training");
        assertEquals("cpu", t.get("device").getAsString());
        assertEquals("fp32", t.get("precision").getAsString());
        assertEquals(Kernels.available().fused(), t.get("fusedKernels").getAsBoolean());
        assertEquals(1, t.get("workers").getAsInt());
        assertFalse(t.has("resumedFrom"), "a fresh start");

        JsonObject time = r.getAsJsonObject("time");
        Instant started = Instant.parse(time.get("started").getAsString());
        Instant ended = Instant.parse(time.get("ended").getAsString());
        assertTrue(ended.isAfter(started) && time.get("seconds").getAsDouble() > 0, time.toString());

        JsonObject result = r.getAsJsonObject("result");
        assertTrue(result.get("finished").getAsBoolean());
        assertEquals(2, result.get("epochsCompleted").getAsInt());
        assertEquals(2, result.getAsJsonObject("last").get("epoch").getAsInt());
        assertTrue(result.getAsJsonObject("kept").has("valLoss"), result.toString());

        JsonObject hp = JsonParser.parseString(Files.readString(output.resolve("metadata.json")))
                .getAsJsonObject()
                .getAsJsonObject("hyperparameters");
        assertEquals("cosine", hp.get("schedule").getAsString());
        assertEquals(0.0, hp.get("weight_decay").getAsDouble());
        String card = Files.readString(output.resolve("README.md"));
        assertTrue(card.contains("schedule cosine") && card.contains("run.json"), card);
    }

    /** A second run replaces bert-clf's run.json and keeps the user's own file; no temp file is left behind. */
    @Test
    void aSecondRunReplacesRunJsonAndKeepsTheUsersFile() throws Exception {
        assertEquals(0, first.code(), first.err());
        Path again = tmp.resolve("again");
        List<String> firstArgs = new ArrayList<>(args);
        firstArgs.set(firstArgs.indexOf("--output") + 1, again.toString());
        assertEquals(0, Cli.run(firstArgs.toArray(String[]::new)).code());
        String before = record(again).getAsJsonObject("time").get("started").getAsString();
        Files.writeString(again.resolve("NOTES.md"), "my notes");
        List<String> second = new ArrayList<>(firstArgs);
        second.set(second.indexOf("--epochs") + 1, "1");
        Cli.Run r = Cli.run(second.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonObject rec = record(again);
        assertEquals(
                second,
                strings(rec.getAsJsonArray("command")).stream()
                        .map(a -> a.replace("***", "reader:s3cret"))
                        .toList());
        assertNotEquals(before, rec.getAsJsonObject("time").get("started").getAsString());
        assertEquals("my notes", Files.readString(again.resolve("NOTES.md")));
        assertEquals(List.of(), temps(again));
        String log = Files.readString(again.resolve("train.log"));
        assertTrue(log.contains("--url=https://***@") && !log.contains("s3cret"), "train.log shares no credential");
    }

    /** A run.json that cannot be replaced (a folder of the user's in its place): one line, exit 1, no temp file. */
    @Test
    void aRunJsonThatCannotBeWrittenFailsCleanly() throws Exception {
        assertEquals(0, first.code(), first.err());
        Path blocked = tmp.resolve("blocked");
        List<String> a = new ArrayList<>(args);
        a.set(a.indexOf("--output") + 1, blocked.toString());
        a.set(a.indexOf("--epochs") + 1, "1");
        assertEquals(0, Cli.run(a.toArray(String[]::new)).code());
        Files.delete(blocked.resolve("run.json"));
        Files.writeString(Files.createDirectories(blocked.resolve("run.json")).resolve("mine.txt"), "mine");
        Cli.Run r = Cli.run(a.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("holds run.json, which is not a file")
                        && !r.out().contains("Epoch 1/1"),
                "refused before training: " + r.out() + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("mine", Files.readString(blocked.resolve("run.json/mine.txt")));
        assertEquals(List.of(), temps(blocked));
    }

    private static List<Path> temps(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".run.json"))
                    .toList();
        }
    }
}
