package dev.bertclf.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.testutil.ChildJvm;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyClassifier;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --input FILE --output FILE} end to end through the command line, on the tiny random model: every
 * input column kept, the prediction columns added (renamed when the input has a label), the probabilities those of
 * {@code predict --json}, bad rows failing or skipped, refused outputs, and a run stopped at a bad row resumed to
 * the very output of an uninterrupted one, a half-written batch after it cut off.
 */
class PredictFileTest {
    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path model;

    @BeforeAll
    static void export() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        model = TinyClassifier.export(tmp.resolve("model"));
    }

    @AfterAll
    static void restoreHome() {
        home.close();
    }

    static Cli.Run score(Path input, Path output, String... more) {
        return score(model, input, output, more);
    }

    /** {@code predict --input} with {@code modelDir}. */
    static Cli.Run score(Path modelDir, Path input, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "predict",
                "--model-dir",
                modelDir.toString(),
                "--input",
                input.toString(),
                "--output",
                output.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    /** {@code predict --json}'s probabilities of {@code texts}. */
    static List<Double> probabilities(List<String> texts) {
        List<String> args = new ArrayList<>(List.of("predict", "--model-dir", model.toString(), "--json"));
        args.addAll(texts);
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<Double> p = new ArrayList<>();
        for (var e : JsonParser.parseString(r.out()).getAsJsonArray())
            p.add(e.getAsJsonObject().get("probability").getAsDouble());
        return p;
    }

    /** A CSV of {@code n} rows: an id and {@code text.apply(id)}. */
    static String rows(int n, java.util.function.IntFunction<String> text) {
        StringBuilder csv = new StringBuilder("id,text\n");
        for (int i = 0; i < n; i++)
            csv.append(i).append(',').append(text.apply(i)).append('\n');
        return csv.toString();
    }

    /** The output of an uninterrupted run over {@code csv}, scored with the shared model into {@code name}. */
    static Path reference(String name, String csv) throws Exception {
        return reference(model, name, csv);
    }

    /** The same with {@code modelDir}. */
    static Path reference(Path modelDir, String name, String csv) throws Exception {
        Path reference = tmp.resolve(name);
        assertEquals(
                0,
                score(modelDir, Files.writeString(tmp.resolve("clean-" + name), csv), reference)
                        .code());
        return reference;
    }

    static List<CSVRecord> csv(Path file, CSVFormat format) throws Exception {
        return format.parse(new StringReader(Files.readString(file))).getRecords();
    }

    @Test
    void csvKeepsEveryColumnAndAddsThePrediction() throws Exception {
        Path in = Files.writeString(
                tmp.resolve("test.csv"),
                "id,text,label,note\n1,a great movie,pos,\"with, comma\"\n\n2,\"awful\nplot\",neg,x\n3,so so,neg,\n");
        Path out = tmp.resolve("scored.csv");
        Cli.Run r = score(in, out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("Scored 3 rows") && r.err().contains(out.toString()), r.err());
        assertFalse(Files.exists(ResumeMarker.partOf(out)) || Files.exists(ResumeMarker.of(out)));
        List<CSVRecord> rows = csv(out, CSVFormat.RFC4180);
        assertEquals(
                List.of(
                        "id",
                        "text",
                        "label",
                        "note",
                        "predicted_label",
                        "predicted_probability",
                        "predicted_label_probability"),
                rows.get(0).toList(),
                "the input's label column keeps its name; the prediction's are prefixed");
        assertEquals(
                List.of("1", "a great movie", "pos", "with, comma"),
                rows.get(1).toList().subList(0, 4));
        assertEquals(
                List.of("2", "awful\nplot", "neg", "x"), rows.get(2).toList().subList(0, 4));
        List<Double> expected = probabilities(List.of("a great movie", "awful\nplot", "so so"));
        for (int i = 0; i < 3; i++) {
            double p = Double.parseDouble(rows.get(i + 1).get(5));
            assertEquals(expected.get(i), p, 1e-6);
            assertEquals(p > 0.5 ? "pos" : "neg", rows.get(i + 1).get(4));
            assertEquals(p > 0.5 ? p : 1 - p, Double.parseDouble(rows.get(i + 1).get(6)), 1e-12, "the label's own");
        }
    }

    @Test
    void tsvAndJsonLinesKeepTheirValues() throws Exception {
        Path tsv = Files.writeString(tmp.resolve("t.tsv"), "review\tscore\ngood \"film\"\t7\nbad one\t2\n");
        Path tsvOut = tmp.resolve("t.out.tsv");
        Cli.Run r = score(tsv, tsvOut, "--text-column", "review");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                List.of("review\tscore\tlabel\tprobability\tlabel_probability", "good \"film\"\t7\t"),
                List.of(
                        Files.readAllLines(tsvOut).get(0),
                        Files.readAllLines(tsvOut).get(1).substring(0, 14)));

        String line1 =
                "{\"text\":\"nice\",\"n\":1.50,\"tags\":[\"a\",{\"b\":null}],\"none\":null,\"big\":12345678901234567890}";
        Path jsonl = Files.writeString(tmp.resolve("j.jsonl"), line1 + "\n\n{\"n\":2,\"text\":\"dull\"}\n");
        Path jsonlOut = tmp.resolve("j.out.jsonl");
        r = score(jsonl, jsonlOut);
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(jsonlOut);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith(line1.substring(0, line1.length() - 1) + ",\"label\":"), lines.get(0));
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals(List.of("n", "text", "label", "probability", "label_probability"), List.copyOf(second.keySet()));
        assertEquals(
                probabilities(List.of("dull")).get(0), second.get("probability").getAsDouble(), 1e-6);
    }

    @Test
    void badRowsFailOrAreSkipped() throws Exception {
        Path in = Files.writeString(tmp.resolve("bad.csv"), "text,n\ngood,1\n,2\nok,3,extra\n   ,4\nfine,5\n");
        Cli.Run fail = score(in, tmp.resolve("bad.out.csv"));
        assertEquals(1, fail.code(), fail.err());
        assertTrue(fail.err().contains("error: " + in + ":3: empty text in column 'text'"), fail.err());
        assertTrue(fail.err().contains("--resume"), fail.err());

        Path out = tmp.resolve("skipped.csv");
        Cli.Run skip = score(in, out, "--on-error", "skip");
        assertEquals(0, skip.code(), skip.err());
        assertTrue(
                skip.err().contains("Scored 2 rows; 3 bad rows skipped, not in the output (lines 3, 4, 5)"),
                skip.err());
        assertTrue(skip.err().contains(in + ":4: malformed line: 3 fields, the header has 2"), skip.err());
        List<CSVRecord> rows = csv(out, CSVFormat.RFC4180);
        assertEquals(3, rows.size());
        assertEquals("good", rows.get(1).get(0));
        assertEquals("fine", rows.get(2).get(0));
    }

    /** Stopped at a bad row, a crash's half-written batch after it: fixed and resumed, as if never stopped. */
    @Test
    void resumeContinuesAfterTheLastCompleteBatch() throws Exception {
        String good = rows(700, i -> "review number " + i % 37 + " words");
        Path reference = reference("reference.csv", good);

        Path in = Files.writeString(
                tmp.resolve("resume.csv"), good.replace("\n600,review number 8 words\n", "\n600,   \n"));
        Path out = tmp.resolve("resumed.csv");
        Cli.Run stopped = score(in, out);
        assertEquals(1, stopped.code(), stopped.err());
        assertTrue(stopped.err().contains(in + ":602: only whitespace"), stopped.err());
        ResumeMarker marker = ResumeMarker.read(ResumeMarker.of(out));
        assertEquals(600, marker.rows(), "the rows before the bad one are done");
        Files.writeString(ResumeMarker.partOf(out), "600,half a ro", java.nio.file.StandardOpenOption.APPEND);

        Cli.Run refused = score(in, out);
        assertEquals(2, refused.code(), "a new run does not replace the partial output: " + refused.err());
        Cli.Run other = score(in, out, "--resume", "--text-column", "id");
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("--text-column id conflicts with the interrupted run's text"), other.err());

        Files.writeString(in, good);
        Cli.Run resumed = score(in, out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("Scored 700 rows"), resumed.err());
        assertEquals(Files.readString(reference), Files.readString(out));
        assertFalse(Files.exists(ResumeMarker.partOf(out)) || Files.exists(ResumeMarker.of(out)));
    }

    /**
     * A run that holds the partial output (here: this JVM's lock on it, as a running {@code predict --input} holds
     * it) refuses a {@code --resume} and a new run alike, and neither writes a row; once it is free, the resume
     * ends as an uninterrupted run. Without the lock the resume wrote the same rows a second time.
     */
    @Test
    void aRunningScoringRunRefusesASecondRunOnItsOutput() throws Exception {
        String good = rows(300, i -> "text " + i % 11);
        Path reference = reference("lock-reference.csv", good);
        Path in = Files.writeString(tmp.resolve("lock.csv"), good.replace("\n280,text 5\n", "\n280, \n"));
        Path out = tmp.resolve("lock-out.csv");
        assertEquals(1, score(in, out).code());
        Files.writeString(in, good);
        Path part = ResumeMarker.partOf(out);
        long size = Files.size(part);
        try (java.nio.channels.FileChannel c =
                        java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = c.lock()) {
            for (Cli.Run r : List.of(score(in, out, "--resume"), score(in, out))) {
                assertEquals(1, r.code(), r.err());
                assertTrue(r.err().contains("another 'bert-clf predict --input' is writing " + out), r.err());
            }
            assertEquals(size, Files.size(part), "nothing written while another run holds the output");
        }
        Cli.Run resumed = score(in, out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(Files.readString(reference), Files.readString(out));
    }

    /**
     * {@code --resume} checks everything the rows already written depend on: once a resume with another
     * {@code --long-text}, a model trained again into the same folder, or an input edited where the first run had
     * read it mixed two kinds of rows with exit 0.
     */
    @Test
    void resumeChecksEverythingTheRowsDependOn() throws Exception {
        Path own = TinyClassifier.export(tmp.resolve("model-to-change"));
        String good = rows(300, i -> "words " + i % 13);
        Path in = Files.writeString(tmp.resolve("checked.csv"), good.replace("\n290,words 4\n", "\n290,\n"));
        Path out = tmp.resolve("checked-out.csv");
        assertEquals(1, score(own, in, out).code());
        Files.writeString(in, good);
        long partSize = Files.size(ResumeMarker.partOf(out));

        Cli.Run otherRule = score(own, in, out, "--resume", "--long-text", "window");
        assertEquals(2, otherRule.code(), otherRule.err());
        assertTrue(otherRule.err().contains("the scoring rule"), otherRule.err());
        Cli.Run otherThreshold = score(own, in, out, "--resume", "--threshold", "0.3"); // binary: it decides too
        assertEquals(2, otherThreshold.code(), otherThreshold.err());
        assertTrue(otherThreshold.err().contains("the scoring rule"), otherThreshold.err());

        Files.writeString(in, good.replace("\n5,words 5\n", "\n5,words five\n"));
        Cli.Run edited = score(own, in, out, "--resume");
        assertEquals(1, edited.code(), edited.err());
        assertTrue(
                edited.err().contains("changed since the interrupted run in the 290 rows it had done"), edited.err());
        Files.writeString(in, good);

        Path metadata = own.resolve("metadata.json");
        String original = Files.readString(metadata);
        Files.writeString(metadata, original + " ");
        Cli.Run retrained = score(own, in, out, "--resume");
        assertEquals(1, retrained.code(), retrained.err());
        assertTrue(retrained.err().contains("changed since the interrupted run (its files' SHA-256"), retrained.err());
        Files.writeString(metadata, original);
        ModelMetadata.storeThreshold(own, 0.3); // evaluate --save-threshold: the same files, another decision
        Cli.Run stored = score(own, in, out, "--resume"); // its threshold is in the scoring rule, checked first
        assertEquals(2, stored.code(), stored.err());
        assertTrue(stored.err().contains("the scoring rule"), stored.err());
        Files.writeString(metadata, original);

        Path markerFile = ResumeMarker.of(out);
        String marker = Files.readString(markerFile);
        Files.writeString(markerFile, marker.replaceFirst("\"outputBytes\": \\d+", "\"outputBytes\": -5"));
        Cli.Run damaged = score(own, in, out, "--resume"); // once "Negative size"
        assertEquals(1, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains("is not a resume marker this bert-clf wrote"), damaged.err());
        Files.writeString(markerFile, marker);

        assertEquals(partSize, Files.size(ResumeMarker.partOf(out)), "no refused resume wrote a row");
        Cli.Run resumed = score(own, in, out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        Path reference = reference(own, "checked-reference.csv", good);
        assertEquals(Files.readString(reference), Files.readString(out));
    }

    /** Gson kept the last of two values of one key without a word: the row was scored on the other text. */
    @Test
    void aJsonLinesKeyNamedTwiceIsRefused() throws Exception {
        Path in = Files.writeString(
                tmp.resolve("twice.jsonl"), "{\"text\": \"fine\"}\n{\"text\": \"shown\", \"text\": \"scored\"}\n");
        Cli.Run r = score(in, tmp.resolve("twice-out.jsonl"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(in + ":2: malformed line") && r.err().contains("\"text\" appears twice"), r.err());
    }

    /** TSV has no quoting: a class name holding a tab or a line break would break the row it is written in. */
    @Test
    void aClassNameATsvRowCannotHoldIsRefused() throws Exception {
        Path tabbed = TinyClassifier.export(tmp.resolve("tabbed"), List.of("good\tfilm", "bad"));
        Path in = Files.writeString(tmp.resolve("t.tsv"), "text\nhello\n");
        Cli.Run r = score(tabbed, in, tmp.resolve("t-out.tsv"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("holds a tab or a line break, which a TSV row cannot hold"), r.err());
        assertFalse(Files.exists(tmp.resolve("t-out.tsv.part")), "nothing written");
    }

    @Test
    void refusesOutputsThatAreNotNew() throws Exception {
        Path in = Files.writeString(tmp.resolve("r.csv"), "text\nhello\n");
        Path existing = Files.writeString(tmp.resolve("existing.csv"), "mine\n");
        for (Cli.Run r : List.of(
                score(in, existing),
                score(in, in),
                score(in, tmp.resolve("r.jsonl")),
                score(in, tmp.resolve("never.csv"), "--resume"),
                Cli.run("predict", "--model-dir", model.toString(), "--input", in.toString()))) {
            assertEquals(2, r.code(), r.err());
        }
        assertEquals("mine\n", Files.readString(existing));
        assertEquals("text\nhello\n", Files.readString(in));
        Cli.Run column = score(in, tmp.resolve("c.csv"), "--text-column", "body");
        assertEquals(1, column.code());
        assertTrue(column.err().contains("no column 'body'; the columns are: text"), column.err());
    }

    /**
     * A 100,000-row file scored by a child JVM with a 256 MB heap (memory bounded by the batch, not the file),
     * killed with SIGKILL mid-run and resumed: every row once, in order.
     */
    @Test
    void largeFileInASmallHeapSurvivesSigkill() throws Exception {
        int n = 100_000;
        Path in = Files.writeString(tmp.resolve("large.csv"), rows(n, i -> "good " + i % 10));
        Path out = tmp.resolve("large.out.csv");
        Process child = child(in, out, "killed");
        awaitRows(child, out, "killed");
        child.destroyForcibly();
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        long done = ResumeMarker.read(ResumeMarker.of(out)).rows();
        assertTrue(done > 0 && done < n, "killed mid-run, after " + done + " rows");

        Process resumed = child(in, out, "resumed", "--resume");
        assertTrue(resumed.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, resumed.exitValue(), log("resumed"));
        assertTrue(log("resumed").contains("Scored " + n + " rows"), log("resumed"));
        try (var lines = Files.lines(out)) {
            var it = lines.iterator();
            assertEquals("id,text,label,probability,label_probability", it.next());
            for (int i = 0; i < n; i++) assertTrue(it.next().startsWith(i + ",good " + i % 10 + ","), "row " + i);
            assertFalse(it.hasNext());
        }
        System.out.println("SIGKILL after " + done + " of " + n + " rows; resumed: " + log("resumed"));
    }

    /** SIGTERM mid-file once ended with no word on how to go on. */
    @Test
    void sigtermSaysHowToResume() throws Exception {
        Path in = Files.writeString(tmp.resolve("termed.csv"), rows(100_000, i -> "fine " + i % 7));
        Path out = tmp.resolve("termed.out.csv");
        Process child = child(in, out, "termed");
        awaitRows(child, out, "termed");
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(143, child.exitValue(), log("termed"));
        assertTrue(
                log("termed").contains("Resume with: bert-clf predict --model-dir ")
                        && log("termed").contains(" --resume"),
                log("termed"));
    }

    /** Waits until the child has written rows to its marker (it is mid-file then). */
    static void awaitRows(Process child, Path out, String name) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(ResumeMarker.of(out))
                || ResumeMarker.read(ResumeMarker.of(out)).rows() == 0) {
            assertTrue(child.isAlive() && System.nanoTime() < deadline, "the child scores: " + log(name));
            Thread.sleep(20);
        }
    }

    static Process child(Path in, Path out, String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "predict",
                "--model-dir",
                model.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--batch-size",
                "128"));
        args.addAll(List.of(more));
        List<String> cmd = ChildJvm.command("256m", args);
        return new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(tmp.resolve(name + ".err").toFile())
                .start();
    }

    static String log(String name) throws java.io.IOException {
        return Files.readString(tmp.resolve(name + ".err"));
    }
}
