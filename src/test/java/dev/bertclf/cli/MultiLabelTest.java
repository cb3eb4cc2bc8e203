package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.serve.PredictionServer;
import dev.bertclf.testutil.Cli;
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
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --multi-label} through {@link Main}: JSON Lines texts tagged with any of three classes (none
 * included), each present class marked by one of its words, train a sigmoid per class; evaluate prints micro- and
 * macro-F1, and predict, predict --input and serve return every class over the threshold.
 */
class MultiLabelTest {
    static final List<String> CLASSES = MultiClassTest.CLASSES;

    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static Path model;
    static Path output;
    static Cli.Run train;

    /** A text with a marker word of each class in {@code classes} among filler words. */
    static String text(Random random, Set<Integer> classes) {
        List<String> words = new ArrayList<>();
        int n = 5 + random.nextInt(5);
        for (int i = 0; i < n; i++) words.add(MultiClassTest.FILLER.get(random.nextInt(MultiClassTest.FILLER.size())));
        for (int c : classes) {
            List<String> markers = MultiClassTest.MARKERS.get(c);
            words.add(random.nextInt(words.size() + 1), markers.get(random.nextInt(markers.size())));
        }
        return String.join(" ", words);
    }

    /** {@code n} JSON Lines rows, each with a seeded random subset of the classes as its label list. */
    static String jsonl(Random random, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Set<Integer> classes = new TreeSet<>();
            for (int c = 0; c < 3; c++) if (random.nextBoolean()) classes.add(c);
            List<String> names =
                    classes.stream().map(c -> "\"" + CLASSES.get(c) + "\"").toList();
            sb.append("{\"text\": \"")
                    .append(text(random, classes))
                    .append("\", \"label\": [")
                    .append(String.join(", ", names))
                    .append("]}\n");
        }
        return sb.toString();
    }

    @BeforeAll
    static void trainMultiLabel() throws Exception {
        home = TemporaryHome.at(tmp.resolve("home"));
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        output = tmp.resolve("tags");
        Path trainFile = Files.writeString(tmp.resolve("tags.jsonl"), jsonl(new Random(7), 240));
        train = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                trainFile.toString(),
                "--multi-label",
                "--epochs",
                "20",
                "--batch-size",
                "8",
                "--learning-rate",
                "2e-3",
                "--max-seq-len",
                "16",
                "--monitor",
                "val_loss",
                "--output",
                output.toString());
    }

    @AfterAll
    static void restoreHome() {
        home.close();
    }

    @Test
    void trainsASigmoidPerClass() throws Exception {
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Found 240 rows belonging to 3 classes."), train.out());
        assertTrue(train.out().contains(": val_binary_accuracy "), train.out());
        JsonArray history = JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray();
        double valF1 =
                history.get(history.size() - 1).getAsJsonObject().get("valF1").getAsDouble();
        System.out.println("multi-label validation micro-F1 " + valF1);
        assertTrue(valF1 >= 0.85, "validation micro-F1 " + valF1);
        JsonObject meta = JsonParser.parseString(Files.readString(output.resolve("metadata.json")))
                .getAsJsonObject();
        assertTrue(meta.get("multiLabel").getAsBoolean(), meta.toString());
        assertEquals(0.5, meta.get("threshold").getAsDouble());
        assertTrue(meta.getAsJsonObject("metrics").has("val_binary_accuracy"), meta.toString());
        assertTrue(meta.getAsJsonObject("hyperparameters").get("multi_label").getAsBoolean(), meta.toString());
        try (TextClassifier clf = TextClassifier.load(output)) {
            assertEquals(3, clf.logitsPerText(), "one logit per class");
        }
    }

    /**
     * {@code evaluate --errors} of a multi-label model: the examples with any class decided wrong, highest loss
     * first, as many as subset accuracy leaves, with both label sets joined by the label separator.
     */
    @Test
    void evaluateErrorsListTheExamplesWithAnyClassWrong() throws Exception {
        Path test = Files.writeString(tmp.resolve("errors-test.jsonl"), jsonl(new Random(9), 40));
        Path errors = tmp.resolve("errors.csv");
        String threshold = "0.999"; // strict: some examples miss a class
        Cli.Run r = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                test.toString(),
                "--threshold",
                threshold,
                "--errors",
                errors.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        double subsetAccuracy = JsonParser.parseString(r.out())
                .getAsJsonObject()
                .get("subset_accuracy")
                .getAsDouble();
        List<CSVRecord> rows;
        try (var parser = CSVParser.parse(
                errors,
                java.nio.charset.StandardCharsets.UTF_8,
                CSVFormat.RFC4180
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .get())) {
            assertEquals(List.of("loss", "true_labels", "predicted_labels", "text"), parser.getHeaderNames());
            rows = parser.getRecords();
        }
        assertEquals(Math.round(40 * (1 - subsetAccuracy)), rows.size(), "one row per example not exactly right");
        assertTrue(rows.size() > 0, "the strict threshold leaves some example wrong");
        assertTrue(r.err().contains(rows.size() + " of 40 examples misclassified"), r.err());
        double previous = Double.MAX_VALUE;
        for (CSVRecord row : rows) {
            double loss = Double.parseDouble(row.get("loss"));
            assertTrue(loss <= previous, "highest loss first");
            previous = loss;
            List<String> truth = split(row.get("true_labels")), predicted = split(row.get("predicted_labels"));
            assertNotEquals(truth, predicted, row.toString());
            assertTrue(CLASSES.containsAll(truth) && CLASSES.containsAll(predicted), row.toString());
            assertFalse(row.get("text").isBlank());
        }
    }

    private static List<String> split(String joined) {
        return joined.isEmpty() ? List.of() : List.of(joined.split("\\|"));
    }

    @Test
    void evaluatePrintsMicroAndMacroF1() throws Exception {
        Path test = Files.writeString(tmp.resolve("test.jsonl"), jsonl(new Random(8), 30));
        Cli.Run r = Cli.run("evaluate", "--model-dir", output.toString(), "--test-file", test.toString());
        assertEquals(0, r.code(), r.err());
        for (String line : List.of("Loss: ", "Subset accuracy: ", "Hamming loss: ", "Micro-F1: ", "Macro-F1: ")) {
            assertTrue(r.out().contains(line), line + " in:\n" + r.out());
        }
        assertTrue(r.out().contains(String.format("%10s %9s %9s %9s %9s", "", "Precision", "Recall", "F1", "Support")));
        Cli.Run json = Cli.run("evaluate", "--model-dir", output.toString(), "--test-file", test.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonObject m = JsonParser.parseString(json.out()).getAsJsonObject();
        assertTrue(m.get("micro_f1").getAsDouble() >= 0.8, json.out());
        assertEquals(3, m.getAsJsonArray("per_class").size());
        assertEquals(30, m.get("examples").getAsInt());

        // the run's own validation rows (20% of 240), drawn again from run.json; their loss is the kept epoch's
        Cli.Run validation = Cli.run("evaluate", "--model-dir", output.toString(), "--split", "validation", "--json");
        assertEquals(0, validation.code(), validation.err());
        JsonObject v = JsonParser.parseString(validation.out()).getAsJsonObject();
        assertEquals(48, v.get("examples").getAsInt());
        double best = Double.MAX_VALUE;
        for (var epoch : JsonParser.parseString(Files.readString(output.resolve("history.json")))
                .getAsJsonArray()) {
            best = Math.min(best, epoch.getAsJsonObject().get("valLoss").getAsDouble());
        }
        assertEquals(best, v.get("loss").getAsDouble(), 1e-5, validation.out());

        StringBuilder csv = new StringBuilder("text,label\n");
        for (String line : Files.readAllLines(test)) {
            JsonObject row = JsonParser.parseString(line).getAsJsonObject();
            List<String> names = new ArrayList<>();
            row.getAsJsonArray("label").forEach(l -> names.add(l.getAsString()));
            csv.append(row.get("text").getAsString())
                    .append(',')
                    .append(String.join(";", names))
                    .append('\n');
        }
        Path testCsv = Files.writeString(tmp.resolve("test.csv"), csv);
        Cli.Run fromCsv = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                testCsv.toString(),
                "--label-separator",
                ";",
                "--json");
        assertEquals(0, fromCsv.code(), fromCsv.err());
        assertEquals(
                m.get("micro_f1"),
                JsonParser.parseString(fromCsv.out()).getAsJsonObject().get("micro_f1"),
                "the same examples as a CSV of ';'-separated labels");

        Path unknown = Files.writeString(tmp.resolve("unknown.jsonl"), "{\"text\": \"a b\", \"label\": [\"cars\"]}\n");
        Cli.Run bad = Cli.run("evaluate", "--model-dir", output.toString(), "--test-file", unknown.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown.jsonl:1: label 'cars' is not one of the classes"), bad.err());
        Cli.Run noFile = Cli.run("evaluate", "--model-dir", output.toString());
        assertEquals(2, noFile.code());
        assertTrue(noFile.err().contains("is a multi-label model: evaluate it on a --test-file"), noFile.err());
    }

    /** The director (movies) and great (sports) are both marked; a filler-only text has no class. */
    @Test
    void predictReturnsEveryLabelOverTheThreshold() {
        Cli.Run r = Cli.run(
                "predict",
                "--model-dir",
                output.toString(),
                "--json",
                "the director was great",
                "it was awful",
                "the plot");
        assertEquals(0, r.code(), r.err());
        JsonArray results = JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(List.of("movies", "sports"), sorted(labels(results.get(0))), r.out());
        assertEquals(List.of("politics"), labels(results.get(1)), r.out());
        for (JsonElement p : results) {
            for (JsonElement l : p.getAsJsonObject().getAsJsonArray("labels")) {
                assertTrue(l.getAsJsonObject().get("probability").getAsDouble() > 0.5, r.out());
            }
            assertEquals(3, p.getAsJsonObject().getAsJsonArray("top").size(), "every class's sigmoid: " + r.out());
        }
        Cli.Run text = Cli.run("predict", "--model-dir", output.toString(), "the director was great");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains(": labels:  ") && text.out().contains("movies 0."), text.out());
    }

    /**
     * {@code --threshold} at predict and evaluate time replaces the trained one: near 1 no class is sure enough,
     * and evaluate reports the threshold it used; a value out of range is a usage error.
     */
    @Test
    void thresholdCanBeTunedAfterTraining() throws Exception {
        Cli.Run strict = Cli.run(
                "predict",
                "--model-dir",
                output.toString(),
                "--json",
                "--threshold",
                "0.999999",
                "the director was great");
        assertEquals(0, strict.code(), strict.err());
        assertEquals(
                List.of(),
                labels(JsonParser.parseString(strict.out()).getAsJsonArray().get(0)),
                strict.out());
        Cli.Run lax =
                Cli.run("predict", "--model-dir", output.toString(), "--json", "--threshold", "0.000001", "the plot");
        assertEquals(0, lax.code(), lax.err());
        assertEquals(
                3,
                labels(JsonParser.parseString(lax.out()).getAsJsonArray().get(0))
                        .size(),
                lax.out());

        Path test = Files.writeString(tmp.resolve("tuned.jsonl"), jsonl(new Random(9), 20));
        Cli.Run tuned = Cli.run(
                "evaluate",
                "--model-dir",
                output.toString(),
                "--test-file",
                test.toString(),
                "--threshold",
                "0.3",
                "--json");
        assertEquals(0, tuned.code(), tuned.err());
        assertEquals(
                0.3,
                JsonParser.parseString(tuned.out())
                        .getAsJsonObject()
                        .get("threshold")
                        .getAsDouble());

        Cli.Run out = Cli.run("predict", "--model-dir", output.toString(), "--threshold", "1.5", "the plot");
        assertEquals(2, out.code(), out.err());
        assertTrue(out.err().contains("--threshold: a decision threshold is above 0 and below 1, not 1.5"), out.err());
    }

    private static List<String> labels(JsonElement prediction) {
        List<String> names = new ArrayList<>();
        for (JsonElement l : prediction.getAsJsonObject().getAsJsonArray("labels")) {
            names.add(l.getAsJsonObject().get("label").getAsString());
        }
        return names;
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    @Test
    void predictInputWritesTheLabelsColumn() throws Exception {
        Path jsonl = Files.writeString(
                tmp.resolve("score.jsonl"),
                "{\"id\":1,\"text\":\"the director was great\"}\n{\"id\":2,\"text\":\"it was awful\"}\n");
        Path out = tmp.resolve("scored.jsonl");
        Cli.Run r = Cli.run(
                "predict", "--model-dir", output.toString(), "--input", jsonl.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(
                List.of("id", "text", "label", "probability", "top", "labels", "label_probability"),
                List.copyOf(first.keySet()));
        assertEquals(List.of("movies", "sports"), sorted(labels(first)));
        assertEquals(List.of("politics"), labels(JsonParser.parseString(lines.get(1))));

        Path csv = Files.writeString(tmp.resolve("score.csv"), "text,labels\nthe director was great,x\n");
        Path csvOut = tmp.resolve("scored.csv");
        r = Cli.run(
                "predict", "--model-dir", output.toString(), "--input", csv.toString(), "--output", csvOut.toString());
        assertEquals(0, r.code(), r.err());
        List<String> csvLines = Files.readAllLines(csvOut);
        assertEquals(
                "text,labels,predicted_label,predicted_probability,predicted_top,predicted_labels,"
                        + "predicted_label_probability",
                csvLines.get(0));
        assertTrue(csvLines.get(1).startsWith("the director was great,x,"), csvLines.get(1));
        assertEquals(2, csvLines.get(1).split(",\"\\[\\{").length - 1, "top and labels as JSON: " + csvLines.get(1));
    }

    @Test
    void serveReturnsTheLabels() throws Exception {
        try (PredictionServer s = PredictionServer.start(
                TextClassifier.load(output),
                output,
                new PredictionServer.Options("127.0.0.1", 0, 8, Duration.ofMillis(1), 16, 1 << 16))) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(s.uri().resolve("/predict"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"texts\": [\"the director was great\", \"the plot\"]}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonArray p = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("predictions");
            assertEquals(List.of("movies", "sports"), sorted(labels(p.get(0))), r.body());
            assertTrue(p.get(1).getAsJsonObject().has("labels"), r.body());
        }
    }

    /** Class folders give each text one class; class weights have no meaning with a sigmoid per class. */
    @Test
    void refusesWhatCannotBeMultiLabel() throws Exception {
        Cli.Run folder = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--multi-label",
                "--output",
                tmp.resolve("x").toString());
        assertEquals(2, folder.code(), folder.err());
        assertTrue(folder.err().contains("--multi-label needs a --train-file"), folder.err());
        Cli.Run weights = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                tmp.resolve("tags.jsonl").toString(),
                "--multi-label",
                "--class-weight",
                "balanced",
                "--output",
                tmp.resolve("y").toString());
        assertEquals(2, weights.code(), weights.err());
        assertTrue(weights.err().contains("--class-weight does not apply to --multi-label"), weights.err());
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"a\", \"label\": [\"x\", {\"y\": 1}]}\n");
        Cli.Run data = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                bad.toString(),
                "--multi-label",
                "--max-seq-len",
                "16",
                "--output",
                tmp.resolve("z").toString());
        assertEquals(1, data.code(), data.err());
        assertTrue(data.err().contains("bad.jsonl:1: 'label' must list strings, numbers or booleans"), data.err());
    }
}
