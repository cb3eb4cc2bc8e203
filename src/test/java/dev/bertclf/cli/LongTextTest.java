package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.bertclf.infer.LongText;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.serve.PredictionServer;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyClassifier;
import dev.bertclf.text.Truncation;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Texts longer than the window: a model trained with {@code --truncation tail} records it and every command then
 * reads a long text's tail; {@code --long-text window} scores the mean of the windows' logits, and a short text as
 * truncation does. The expected scores are computed apart, from the texts the rule keeps, each short enough to fit.
 */
class LongTextTest {
    private static final Pattern SCORE = Pattern.compile("score: ([0-9.]+)");

    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path tiny;

    @BeforeAll
    static void setUp() throws Exception {
        TfRuntime.engine();
        home = TemporaryHome.at(tmp.resolve("home"));
        tiny = TinyClassifier.export(tmp.resolve("tiny")); // 32 tokens: windows of 30
    }

    @AfterAll
    static void tearDown() {
        home.close();
    }

    /** {@code n} words of the tiny vocabulary, one token each, seeded. */
    private static List<String> words(int n, long seed) {
        List<String> all = new ArrayList<>(TinyBert.NEUTRAL);
        all.addAll(TinyBert.POSITIVE);
        all.addAll(TinyBert.NEGATIVE);
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(all.get(random.nextInt(all.size())));
        return out;
    }

    private static String join(List<String> words, int from, int to) {
        return String.join(" ", words.subList(from, to));
    }

    private static double score(Cli.Run r) {
        assertEquals(0, r.code(), r.err());
        Matcher m = SCORE.matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    private static double probability(Path model, String text) {
        try (TextClassifier clf = TextClassifier.load(model)) {
            return TextClassifier.sigmoid(clf.logits(List.of(text), 8)[0]);
        }
    }

    @Test
    void aModelTrainedOnTailsRecordsItAndPredictReadsTheTail() throws Exception {
        Path bert = TinyBert.write(tmp.resolve("tiny_bert"), "");
        StringBuilder csv = new StringBuilder("text,label\n");
        Random random = new Random(3);
        for (int i = 0; i < 32; i++) {
            boolean positive = i % 2 == 0;
            List<String> sentiment = positive ? TinyBert.POSITIVE : TinyBert.NEGATIVE;
            csv.append(join(words(20, i), 0, 20))
                    .append(' ')
                    .append(sentiment.get(random.nextInt(sentiment.size())))
                    .append(',')
                    .append(positive ? 1 : 0)
                    .append('\n');
        }
        Path out = tmp.resolve("tail_bert");
        Cli.Run train = Cli.run(
                "train",
                "--model",
                bert.toString(),
                "--train-file",
                Files.writeString(tmp.resolve("tails.csv"), csv).toString(),
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--max-seq-len",
                "16",
                "--truncation",
                "tail",
                "--output",
                out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.readString(out.resolve(ModelMetadata.FILE)).contains("\"truncation\": \"tail\""));
        assertEquals(Truncation.TAIL, ModelMetadata.read(out).truncationRule());

        List<String> review = words(40, 99); // 40 tokens: the model sees its last 14
        String text = join(review, 0, 40);
        double predicted = score(Cli.run("predict", "--model-dir", out.toString(), text));
        assertEquals(probability(out, join(review, 26, 40)), predicted, 2e-6, "the tail's 14 words");
        assertNotEquals(probability(out, join(review, 0, 14)), predicted, 1e-7, "not the head's");

        Path input = Files.writeString(tmp.resolve("long.csv"), "text\n" + text + "\n");
        Path scored = tmp.resolve("long-scored.csv");
        Cli.Run file = Cli.run(
                "predict", "--model-dir", out.toString(), "--input", input.toString(), "--output", scored.toString());
        assertEquals(0, file.code(), file.err());
        List<String> lines = Files.readAllLines(scored);
        int column = List.of(lines.get(0).split(",")).indexOf("probability");
        assertEquals(predicted, Double.parseDouble(lines.get(1).split(",")[column]), 2e-6, "--input reads it too");
    }

    @Test
    void aShortTextScoresTheSameInWindowsAsTruncated() {
        String text = join(words(20, 1), 0, 20);
        double truncated = score(Cli.run("predict", "--model-dir", tiny.toString(), text));
        double windowed = score(Cli.run("predict", "--model-dir", tiny.toString(), "--long-text", "window", text));
        assertEquals(truncated, windowed);
    }

    /** 50 tokens, windows of 30 every 15: starts 0, 15 and 20 (the last ends at the text's end). */
    @Test
    void aLongTextScoresTheMeanOfItsWindowsLogits() throws Exception {
        List<String> review = words(50, 2);
        String text = join(review, 0, 50);
        float[] logits;
        try (TextClassifier clf = TextClassifier.load(tiny)) {
            logits = clf.logits(List.of(join(review, 0, 30), join(review, 15, 45), join(review, 20, 50)), 8);
        }
        double mean = (float) ((logits[0] + (double) logits[1] + logits[2]) / 3);
        double expected = TextClassifier.sigmoid(mean);

        double truncated = score(Cli.run("predict", "--model-dir", tiny.toString(), text));
        double windowed = score(Cli.run("predict", "--model-dir", tiny.toString(), "--long-text", "window", text));
        assertEquals(expected, windowed, 2e-6);
        assertNotEquals(truncated, windowed);
        assertEquals(TextClassifier.sigmoid(logits[0]), truncated, 2e-6, "truncate: the first window");

        Path input = Files.writeString(tmp.resolve("windows.csv"), "text\n" + text + "\n");
        Path scored = tmp.resolve("windows-scored.csv");
        Cli.Run file = Cli.run(
                "predict",
                "--model-dir",
                tiny.toString(),
                "--long-text",
                "window",
                "--input",
                input.toString(),
                "--output",
                scored.toString());
        assertEquals(0, file.code(), file.err());
        List<String> lines = Files.readAllLines(scored);
        int column = List.of(lines.get(0).split(",")).indexOf("probability");
        assertEquals(expected, Double.parseDouble(lines.get(1).split(",")[column]), 2e-6);

        // serve, as 'serve --long-text window' sets it up: the same mean over HTTP.
        TextClassifier clf = TextClassifier.load(tiny);
        clf.useLongText(new LongText(LongText.Mode.window, null, LongText.MAX_WINDOWS));
        try (PredictionServer s = PredictionServer.start(
                clf, tiny, new PredictionServer.Options("127.0.0.1", 0, 8, Duration.ofMillis(1), 16, 1 << 16))) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(s.uri().resolve("/predict"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            Json.COMPACT.toJson(Map.of("texts", List.of(text)))))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            double served = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(0)
                    .getAsJsonObject()
                    .get("probability")
                    .getAsDouble();
            assertEquals(expected, served, 2e-6, "serve scores the windows too");
        }
    }

    /** --stride 10: starts 0, 10 and 20; --max-windows 2 keeps the first two (the first 40 tokens). */
    @Test
    void strideAndMaxWindowsChooseTheWindows() {
        List<String> review = words(50, 4);
        String text = join(review, 0, 50);
        float[] logits;
        try (TextClassifier clf = TextClassifier.load(tiny)) {
            logits = clf.logits(List.of(join(review, 0, 30), join(review, 10, 40), join(review, 20, 50)), 8);
        }
        double three = score(
                Cli.run("predict", "--model-dir", tiny.toString(), "--long-text", "window", "--stride", "10", text));
        assertEquals(TextClassifier.sigmoid((float) ((logits[0] + (double) logits[1] + logits[2]) / 3)), three, 2e-6);
        Cli.Run capped = Cli.run(
                "predict",
                "--model-dir",
                tiny.toString(),
                "--long-text",
                "window",
                "--stride",
                "10",
                "--max-windows",
                "2",
                text);
        assertEquals(TextClassifier.sigmoid((float) ((logits[0] + (double) logits[1]) / 2)), score(capped), 2e-6);
        assertTrue(capped.err().contains("only their first 40 tokens were scored"), capped.err());
    }

    @Test
    void aStrideLongerThanTheWindowIsAUsageErrorOfEveryScoringCommand() throws Exception {
        Path test = Files.writeString(
                tmp.resolve("test.csv"),
                "text,label\n" + join(words(60, 5), 0, 60) + ",pos\n" + "a great film,pos\n"
                        + "the plot was boring,neg\n");
        Cli.Run evaluate = Cli.run(
                "evaluate", "--model-dir", tiny.toString(), "--test-file", test.toString(), "--long-text", "window");
        assertEquals(0, evaluate.code(), evaluate.err());
        for (String command : List.of("predict", "evaluate", "serve")) {
            List<String> args = new ArrayList<>(List.of(command, "--model-dir", tiny.toString()));
            Collections.addAll(args, "--long-text", "window", "--stride", "31");
            if (command.equals("predict")) args.add("a text");
            if (command.equals("serve")) Collections.addAll(args, "--port", "0");
            if (command.equals("evaluate")) Collections.addAll(args, "--test-file", test.toString());
            Cli.Run r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("--stride must be 1 to 30"), r.err());
        }
    }

    /** {@code --stride} and {@code --max-windows} without windows were ignored without a word. */
    @Test
    void windowOptionsWithoutWindowsAreUsageErrors() {
        for (String[] option : List.of(new String[] {"--stride", "8"}, new String[] {"--max-windows", "4"})) {
            Cli.Run r = Cli.run("predict", "--model-dir", tiny.toString(), option[0], option[1], "a text");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(option[0] + " applies to --long-text window only"), r.err());
        }
    }
}
