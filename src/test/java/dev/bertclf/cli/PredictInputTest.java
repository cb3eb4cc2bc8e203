package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict} on inputs a user may well give it: nothing, blanks, a whole book, broken UTF-8, no model yet. */
class PredictInputTest {
    @TempDir
    static Path tmp;

    static Path model, hostileLabels;
    static TemporaryHome home;

    /** A SavedModel of the tiny BERT with random weights, exported as {@code train} does (16 tokens). */
    @BeforeAll
    static void setUp() throws Exception {
        home = TemporaryHome.at(tmp.resolve("empty-home"));
        Path base = TinyBert.write(tmp.resolve("tiny_bert"), "");
        model = export(base, tmp.resolve("model"), List.of("neg", "pos"));
        // class names as a train file may give them: an escape sequence, a line feed, a bidi override
        hostileLabels = export(base, tmp.resolve("hostile"), List.of("neg\u001b[2K\rok", "pos\nfake line\u202e"));
    }

    private static Path export(Path base, Path dir, List<String> classNames) throws Exception {
        try (InferenceGraph g = new InferenceGraph(TinyBert.config(), SessionOptions.defaults())) {
            try (Weights weights = WeightInit.create(g.variables().shapes(), 0.02f, 3)) {
                SavedModelExporter.export(
                        dir,
                        TinyBert.config(),
                        weights,
                        base.resolve("vocab.txt"),
                        new ModelMetadata("tiny", true, 16, classNames, Map.of(), Map.of(), "now", "test"));
            }
        }
        return dir;
    }

    @AfterAll
    static void tearDown() {
        home.close();
    }

    static Cli.Run predict(String... args) {
        return Cli.run(predictArgs(args));
    }

    private static String[] predictArgs(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "predict";
        all[1] = "--model-dir";
        all[2] = model.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return all;
    }

    static Cli.Run predictStdin(byte[] stdin, String... args) {
        return Cli.runWithStdin(stdin, predictArgs(args));
    }

    @Test
    void emptyTextIsAUsageError() {
        Cli.Run r = predict("fine", "");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TEXT 2 is empty: there is nothing to classify"), r.err());
    }

    @Test
    void whitespaceOnlyTextIsAUsageError() {
        Cli.Run r = predict(" \t\n ");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TEXT 1 is only whitespace"), r.err());
    }

    @Test
    void onlyBlankLinesOnStdinIsAUsageError() {
        Cli.Run r = predictStdin("\n  \n\t\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no text to classify"), r.err());
    }

    /**
     * A model records its tokenizer revision and keeps the tokenization it was trained with. Special-token strings
     * in a text are words since revision 2 (once "[CLS]" in a review was the special token): a model trained before
     * says that such texts are tokenised otherwise now. A revision-2 model keeps Hugging Face's normaliser, which
     * deletes a control character where TF Text's splitting (revision 3) puts a space. A revision this build does not
     * know is refused.
     */
    @Test
    void aModelTrainedBeforeTheTokenizerChangeSaysSo() throws Exception {
        Path meta = model.resolve("metadata.json");
        String now = Files.readString(meta);
        assertTrue(now.contains("\"tokenizerRevision\": 3"), now);
        Cli.Run current = predict("a film with [CLS] in it");
        assertEquals(0, current.code(), current.err());
        assertFalse(current.err().contains("warning: the model in"), current.err());
        Path old = Files.createDirectories(tmp.resolve("before-revision-2"));
        try (var files = Files.walk(model)) {
            for (Path f : files.toList()) {
                Path to = old.resolve(model.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to);
            }
        }
        Files.writeString(old.resolve("metadata.json"), now.replaceFirst(",\\s*\"tokenizerRevision\": 3", ""));
        Cli.Run before = Cli.run("predict", "--model-dir", old.toString(), "a film");
        assertEquals(0, before.code(), before.err());
        assertTrue(before.err().contains("warning: the model in " + old + " was trained when \"[CLS]\""), before.err());

        Files.writeString(
                old.resolve("metadata.json"), now.replace("\"tokenizerRevision\": 3", "\"tokenizerRevision\": 2"));
        String joined = probability(Cli.run("predict", "--model-dir", model.toString(), "--json", "greatfilm"));
        String split = probability(Cli.run("predict", "--model-dir", model.toString(), "--json", "great\u0007film"));
        assertNotEquals(joined, split, "the test needs a text whose two tokenizations score apart");
        Cli.Run revision2 = Cli.run("predict", "--model-dir", old.toString(), "--json", "great\u0007film");
        assertEquals(joined, probability(revision2), revision2.err());
        assertFalse(revision2.err().contains("warning"), revision2.err());

        Files.writeString(
                old.resolve("metadata.json"), now.replace("\"tokenizerRevision\": 3", "\"tokenizerRevision\": 99"));
        Cli.Run newer = Cli.run("predict", "--model-dir", old.toString(), "a film");
        assertEquals(1, newer.code(), newer.err());
        assertTrue(
                newer.err().contains("asks for tokenization revision 99; this bert-clf knows revisions 1 to 3"),
                newer.err());
    }

    private static String probability(Cli.Run r) {
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out())
                .getAsJsonArray()
                .get(0)
                .getAsJsonObject()
                .get("probability")
                .toString();
    }

    /** A 300 MB line on stdin once exhausted the heap: a line is bounded as a table field is. */
    @Test
    void anEndlessStdinLineIsRefused() {
        byte[] line = new byte[(16 << 20) + 100];
        java.util.Arrays.fill(line, (byte) 'a');
        Cli.Run r = predictStdin(line);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("standard input:1: a line longer than 16777216 characters"), r.err());
    }

    /** Truncated to the model's 16 tokens: as fast as a short text, and the printed line stays short. */
    @Test
    void megabyteTextIsTruncatedToTheSequenceLength() {
        String big = "the movie was great ! ".repeat((1 << 20) / 22 + 1);
        assertTrue(big.length() >= 1 << 20);
        long t0 = System.nanoTime();
        Cli.Run r = predict(big, "the movie was great ! ".repeat(3)); // 15 words: cut to 14 as well
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("input:")).toList();
        assertEquals(2, lines.size(), r.out().length() > 2000 ? r.out().substring(0, 2000) : r.out());
        assertEquals(
                lines.get(1).replaceAll(".*score: ", ""),
                lines.get(0).replaceAll(".*score: ", ""),
                "the same first 14 words give the same score");
        assertTrue(lines.get(0).length() < 150, lines.get(0));
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    @Test
    void invalidUtf8OnStdinIsReplaced() {
        byte[] bytes = {'g', 'r', 'e', 'a', 't', ' ', (byte) 0xFF, (byte) 0xC3, ' ', 'f', 'i', 'l', 'm', '\n'};
        Cli.Run r = predictStdin(bytes, "--json");
        assertEquals(0, r.code(), r.err());
        JsonArray results = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(1, results.size());
        assertEquals(
                "great \uFFFD\uFFFD film",
                results.get(0).getAsJsonObject().get("text").getAsString());
    }

    /** After {@code --}, "-v" and "--json" are texts to classify, not options, for picocli and for the log level. */
    @Test
    void doubleDashMakesOptionLikeArgumentsTexts() {
        Cli.Run r = predict("--", "-v", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("input:")).toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("input: -v ") && lines.get(1).startsWith("input: --json "), r.out());
        assertFalse(Logging.verbose, "-v after -- does not turn on debug output");
    }

    /** Control characters in the text and in the labels are shown escaped, and each prediction stays one line. */
    @Test
    void controlCharactersInTextsAndLabelsAreEscapedOnOneLine() {
        Cli.Run r = Cli.run(
                "predict",
                "--model-dir",
                hostileLabels.toString(),
                "great\u001b]0;title\u0007 film\u202e",
                "bad \u009b31m film");
        assertEquals(0, r.code(), r.err());
        assertNoRawControls(r.out());
        assertEquals(2, r.out().lines().count(), r.out());
        assertTrue(
                r.out().contains("great\\e]0;title\\x07 film\\u202e") && r.out().contains("\\x9b31m"), r.out());
        assertTrue(r.out().contains("neg\\e[2K\\rok") || r.out().contains("pos\\nfake line\\u202e"), r.out());

        Cli.Run json =
                Cli.run("predict", "--json", "--model-dir", hostileLabels.toString(), "bad \u009b31m film\u202e");
        assertEquals(0, json.code(), json.err());
        assertNoRawControls(json.out().replace("\n", ""));
        String text = JsonParser.parseString(json.out())
                .getAsJsonArray()
                .get(0)
                .getAsJsonObject()
                .get("text")
                .getAsString();
        assertEquals("bad \u009b31m film\u202e", text, "the JSON's value is unchanged");
    }

    /** {@code evaluate} names the classes, which come from folder names or a data file, escaped too. */
    @Test
    void evaluateShowsClassNamesEscaped() throws Exception {
        Path data = tmp.resolve("hostile-data");
        for (String name : List.of("neg\u001b[2K\rok", "pos\nfake line\u202e")) {
            for (int i = 0; i < 3; i++) {
                java.nio.file.Files.createDirectories(data.resolve("test").resolve(name));
                java.nio.file.Files.writeString(
                        data.resolve("test").resolve(name).resolve(i + ".txt"), "a film " + i);
            }
        }
        Cli.Run r = Cli.run(
                "evaluate",
                "--model-dir",
                hostileLabels.toString(),
                "--data-dir",
                data.toString(),
                "--plots-dir",
                tmp.resolve("plots").toString());
        assertEquals(0, r.code(), r.err());
        assertNoRawControls(r.out());
        assertNoRawControls(r.err());
        assertTrue(r.out().contains("neg\\e[2K\\rok") && r.out().contains("pos\\nfake line\\u202e"), r.out());
    }

    /** No character a terminal acts on; line feeds only where the caller allows them (stripped before). */
    static void assertNoRawControls(String shown) {
        String lines = shown.replace("\n", "");
        assertFalse(
                lines.chars()
                        .anyMatch(c -> c < ' '
                                || (c >= 0x7f && c <= 0x9f)
                                || (c >= 0x202a && c <= 0x202e)
                                || (c >= 0x2066 && c <= 0x2069)),
                () -> "raw control character in: " + shown);
    }

    @Test
    void noTrainedModelYetSaysToTrainFirst() {
        Cli.Run r = Cli.run("predict", "a fine film");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no trained model yet: run 'bert-clf train' first"), r.err());
    }
}
