package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.serve.PredictionServer;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.GraphLogits;
import dev.bertclf.testutil.Png;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * Three classes through {@link Main}: a CSV labelled movies/politics/sports, each class with its own marker words,
 * trains a softmax head to high validation accuracy; the exported SavedModel gives the graph's logits; predict
 * lists the top classes and evaluate a 3x3 confusion matrix.
 */
class MultiClassTest {
    /** Marker words of each class, in class order (sorted names); the rest of the vocabulary is filler. */
    static final List<String> CLASSES = List.of("movies", "politics", "sports");

    static final List<List<String>> MARKERS =
            List.of(List.of("actor", "director", "cast", "music"), TinyBert.NEGATIVE, TinyBert.POSITIVE);
    static final List<String> FILLER =
            TinyBert.NEUTRAL.stream().filter(w -> !MARKERS.get(0).contains(w)).toList();

    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path output;
    static Cli.Run train;

    static String text(Random random, int cls) {
        List<String> words = new ArrayList<>();
        int n = 6 + random.nextInt(6);
        for (int i = 0; i < n; i++) words.add(FILLER.get(random.nextInt(FILLER.size())));
        List<String> markers = MARKERS.get(cls);
        words.add(random.nextInt(words.size() + 1), markers.get(random.nextInt(markers.size())));
        return String.join(" ", words);
    }

    @BeforeAll
    static void trainThreeClasses() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        output = tmp.resolve("topics");
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 240; i++)
            csv.append(text(random, i % 3))
                    .append(',')
                    .append(CLASSES.get(i % 3))
                    .append('\n');
        Path trainCsv = Files.writeString(tmp.resolve("topics.csv"), csv);
        train = Cli.trainOnFile(model, trainCsv, output);
    }

    @AfterAll
    static void restoreHome() {
        home.close();
    }

    @Test
    void trainsASoftmaxHeadToHighAccuracy() throws Exception {
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Found 240 rows belonging to 3 classes."), train.out());
        assertTrue(train.out().contains(": val_accuracy ") && !train.out().contains("binary_accuracy"), train.out());
        JsonArray history = JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray();
        double valAccuracy = history.get(history.size() - 1)
                .getAsJsonObject()
                .get("valAccuracy")
                .getAsDouble();
        System.out.println("3-class validation accuracy " + valAccuracy);
        assertTrue(valAccuracy >= 0.9, "validation accuracy " + valAccuracy);
        JsonObject meta = JsonParser.parseString(Files.readString(output.resolve("metadata.json")))
                .getAsJsonObject();
        assertEquals(3, meta.get("classNames").getAsJsonArray().size());
        assertTrue(meta.getAsJsonObject("metrics").has("val_accuracy"), meta.toString());
    }

    /** DJL's predictor on the SavedModel gives [batch, 3] logits equal to our own graph's from the same variables. */
    @Test
    void exportedModelGivesTheGraphsLogits() throws Exception {
        List<String> texts = List.of("the actor and the music", "it was awful", "great ending", "the plot");
        float[] djl;
        try (TextClassifier clf = TextClassifier.load(output)) {
            assertEquals(3, clf.logitsPerText());
            djl = clf.logits(texts, 3);
        }
        float[] ours = GraphLogits.of(output, 3, 16, texts, g -> {
            assertEquals(Shape.of(32, 3), g.variables().shapes().get("classifier/kernel"));
            assertEquals(Shape.of(3), g.variables().shapes().get("classifier/bias"));
        });
        assertEquals(texts.size() * 3, djl.length);
        for (int i = 0; i < ours.length; i++) assertEquals(ours[i], djl[i], 1e-5, "logit " + i);
    }

    @Test
    void predictListsTheTopClassesBestFirst() {
        Cli.Run r = Cli.run(
                "predict",
                "--model-dir",
                output.toString(),
                "--json",
                "the director and the cast",
                "a terrible hated story");
        assertEquals(0, r.code(), r.err());
        JsonArray results = JsonParser.parseString(r.out()).getAsJsonArray();
        List<String> expected = List.of("movies", "politics");
        for (int i = 0; i < 2; i++) {
            JsonObject p = results.get(i).getAsJsonObject();
            assertEquals(expected.get(i), p.get("label").getAsString(), r.out());
            JsonArray top = p.getAsJsonArray("top");
            assertEquals(3, top.size(), "--top defaults to 3");
            assertEquals(
                    expected.get(i), top.get(0).getAsJsonObject().get("label").getAsString());
            assertEquals(
                    p.get("probability").getAsDouble(),
                    top.get(0).getAsJsonObject().get("probability").getAsDouble());
            double sum = 0, previous = 1;
            for (var t : top) {
                double prob = t.getAsJsonObject().get("probability").getAsDouble();
                assertTrue(prob <= previous, "best first: " + top);
                previous = prob;
                sum += prob;
            }
            assertTrue(sum <= 1 + 1e-9 && sum > 0.99, "three of three classes sum to one: " + sum);
        }
        Cli.Run text = Cli.run("predict", "--model-dir", output.toString(), "--top", "2", "the director and the cast");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("movies") && !text.out().contains("score:"), text.out());
        assertEquals(2, text.out().split("\\s0\\.\\d{6}").length - 1, "two classes shown: " + text.out());
        assertEquals(
                2,
                Cli.run("predict", "--model-dir", output.toString(), "--top", "6", "x")
                        .code());
    }

    /** {@code predict --input} adds the top classes: a JSON array in JSON Lines, its JSON text in CSV. */
    @Test
    void scoringAFileAddsTheTopClasses() throws Exception {
        Path jsonl = Files.writeString(
                tmp.resolve("score.jsonl"),
                "{\"id\":1,\"text\":\"the director and the cast\"}\n{\"id\":2,\"text\":\"a terrible hated story\"}\n");
        Path out = tmp.resolve("scored.jsonl");
        Cli.Run r = Cli.run(
                "predict", "--model-dir", output.toString(), "--input", jsonl.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        Cli.Run json = Cli.run(
                "predict",
                "--model-dir",
                output.toString(),
                "--json",
                "the director and the cast",
                "a terrible hated story");
        JsonArray expected = JsonParser.parseString(json.out()).getAsJsonArray();
        List<String> lines = Files.readAllLines(out);
        for (int i = 0; i < 2; i++) {
            JsonObject row = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            JsonObject p = expected.get(i).getAsJsonObject();
            assertEquals(
                    List.of("id", "text", "label", "probability", "top", "label_probability"),
                    List.copyOf(row.keySet()));
            assertEquals(row.get("probability"), row.get("label_probability"), "the label's, as probability is");
            assertEquals(p.get("label"), row.get("label"));
            assertEquals(
                    p.get("probability").getAsDouble(), row.get("probability").getAsDouble(), 1e-6);
            assertEquals(
                    p.getAsJsonArray("top").size(), row.getAsJsonArray("top").size());
        }
        Path csv = Files.writeString(tmp.resolve("score.csv"), "text\nthe director and the cast\n");
        Path csvOut = tmp.resolve("scored.csv");
        r = Cli.run(
                "predict",
                "--model-dir",
                output.toString(),
                "--input",
                csv.toString(),
                "--output",
                csvOut.toString(),
                "--top",
                "2");
        assertEquals(0, r.code(), r.err());
        List<String> csvLines = Files.readAllLines(csvOut);
        assertEquals("text,label,probability,top,label_probability", csvLines.get(0));
        assertTrue(csvLines.get(1).startsWith("the director and the cast,movies,"), csvLines.get(1));
        assertTrue(csvLines.get(1).contains(",\"[{\"\"label\"\":\"\"movies\"\",\"\"probability\"\":"), csvLines.get(1));
        assertEquals(2, csvLines.get(1).split("label").length - 1, "--top 2: " + csvLines.get(1));
    }

    /** {@code serve} answers the same records, with up to five (here all three) classes in {@code top}. */
    @Test
    void serveAnswersTheTopClasses() throws Exception {
        try (PredictionServer s = PredictionServer.start(
                TextClassifier.load(output),
                output,
                new PredictionServer.Options("127.0.0.1", 0, 8, Duration.ofMillis(1), 16, 1 << 16))) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(s.uri().resolve("/predict"))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"wonderful and great\"}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject p = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(0)
                    .getAsJsonObject();
            assertEquals("sports", p.get("label").getAsString(), r.body());
            assertEquals(3, p.getAsJsonArray("top").size(), r.body());
        }
    }

    @Test
    void evaluatePrintsAThreeByThreeConfusionMatrix() throws Exception {
        Random random = new Random(8);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 30; i++)
            csv.append(text(random, i % 3))
                    .append(',')
                    .append(CLASSES.get(i % 3))
                    .append('\n');
        Path test = Files.writeString(tmp.resolve("test.csv"), csv);
        Cli.Run r = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                test.toString(),
                "--plots-dir",
                tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ROC AUC: binary models only") && r.out().contains("Macro-F1: "), r.out());
        String[] lines = r.out().split("\n");
        int header = List.of(lines).indexOf(String.format("%10s %8s %8s %8s", "", "movies", "politics", "sports"));
        assertTrue(header >= 0, r.out());
        long sum = 0;
        for (int row = 1; row <= 3; row++) {
            String[] cells = lines[header + row].trim().split("\\s+");
            assertEquals(CLASSES.get(row - 1), cells[0]);
            assertEquals(4, cells.length, lines[header + row]);
            for (int c = 1; c < 4; c++) sum += Long.parseLong(cells[c]);
        }
        assertEquals(30, sum);
        Png.assertPng(tmp.resolve("confusion_matrix.png"));
        assertFalse(Files.exists(tmp.resolve("roc_curve.png")), "no ROC curve for three classes");

        Cli.Run json = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                test.toString(),
                "--plots-dir",
                tmp.toString(),
                "--json");
        assertEquals(0, json.code(), json.err());
        JsonObject m = JsonParser.parseString(json.out()).getAsJsonObject();
        assertEquals(3, m.getAsJsonArray("confusion_matrix").size());
        assertEquals(
                3, m.getAsJsonArray("confusion_matrix").get(0).getAsJsonArray().size());
        assertEquals(3, m.getAsJsonArray("per_class").size());
        assertTrue(m.get("accuracy").getAsDouble() >= 0.9 && m.get("macro_f1").getAsDouble() >= 0.85, json.out());
    }
}
