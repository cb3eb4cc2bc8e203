package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyClassifier;
import dev.bertclf.train.TrainingCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binary model's decision threshold, end to end on the tiny random model: {@code --threshold} moves the labels
 * of {@code predict} (texts and {@code --input}) and of the library at the boundary, {@code evaluate
 * --find-threshold} finds the threshold a crafted test file makes exact, {@code --save-threshold} stores it (under
 * the model folder's lock, nothing else of the file changed) and every scorer then decides by it unless
 * {@code --threshold} says otherwise; bad values and models are refused.
 */
class BinaryThresholdTest {
    @TempDir
    static Path tmp;

    static List<String> texts;
    /** Each text's probability of the positive class, by the library at its default settings. */
    static double[] p;

    @BeforeAll
    static void scores() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("reference"));
        texts = texts(40);
        try (TextClassifier c = TextClassifier.load(model)) {
            p = c.predict(texts, 8).stream()
                    .mapToDouble(Prediction::probability)
                    .toArray();
        }
    }

    static List<String> texts(int n) {
        List<String> words = new ArrayList<>(TinyBert.POSITIVE);
        words.addAll(TinyBert.NEGATIVE);
        words.addAll(TinyBert.NEUTRAL);
        Random random = new Random(11);
        Set<String> out = new LinkedHashSet<>();
        while (out.size() < n) {
            StringBuilder t = new StringBuilder();
            for (int k = 0, len = 2 + random.nextInt(6); k < len; k++) {
                t.append(k == 0 ? "" : " ").append(words.get(random.nextInt(words.size())));
            }
            out.add(t.toString());
        }
        return List.copyOf(out);
    }

    /** A threshold between two neighbouring probabilities near the median, where they are furthest apart. */
    static double[] splitNearTheMedian() {
        double[] s = Arrays.stream(p).distinct().sorted().toArray();
        int best = s.length / 2;
        for (int i = s.length / 4; i < 3 * s.length / 4; i++) if (s[i + 1] - s[i] > s[best + 1] - s[best]) best = i;
        return new double[] {s[best], s[best + 1]};
    }

    static JsonArray predictJson(Path model, String... options) {
        List<String> args = new ArrayList<>(List.of("predict", "--model-dir", model.toString(), "--json"));
        args.addAll(List.of(options));
        args.addAll(texts);
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonArray();
    }

    /** The library: labels flip where the positive class's probability crosses the threshold, above it, not at it. */
    @Test
    void theLibraryDecidesAboveTheThreshold() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("library"));
        double[] split = splitNearTheMedian();
        try (TextClassifier c = TextClassifier.load(model)) {
            assertEquals(0.5, c.threshold());
            c.useThreshold(split[0]); // exactly one text's probability: that text stays negative
            List<Prediction> at = c.predict(texts, 8);
            for (int i = 0; i < texts.size(); i++) {
                Prediction q = at.get(i);
                assertEquals(q.probability() > split[0] ? "pos" : "neg", q.label(), texts.get(i));
                assertEquals(q.label().equals("pos") ? q.probability() : 1 - q.probability(), q.labelProbability(), 0);
            }
            assertTrue(at.stream().anyMatch(q -> q.label().equals("pos")));
            assertTrue(at.stream().anyMatch(q -> q.label().equals("neg")));
            InferenceException bad = assertThrows(InferenceException.class, () -> c.useThreshold(1));
            assertTrue(bad.getMessage().contains("above 0 and below 1"), bad.getMessage());
        }
        Path multi = TinyClassifier.export(tmp.resolve("library-multi"), List.of("a", "b", "c"));
        try (TextClassifier c = TextClassifier.load(multi)) {
            InferenceException e = assertThrows(InferenceException.class, () -> c.useThreshold(0.3));
            assertTrue(e.getMessage().contains("this one is multi-class"), e.getMessage());
        }
    }

    /** {@code predict --threshold}: the labels of the texts and of an {@code --input} file move with it. */
    @Test
    void predictTakesTheThresholdForTextsAndFiles() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("predict"));
        double t = splitNearTheMedian()[0];
        JsonArray atDefault = predictJson(model);
        JsonArray atT = predictJson(model, "--threshold", String.valueOf(t));
        int flipped = 0;
        for (int i = 0; i < texts.size(); i++) {
            JsonObject q = atT.get(i).getAsJsonObject();
            double prob = q.get("probability").getAsDouble();
            assertEquals(prob > t ? "pos" : "neg", q.get("label").getAsString(), texts.get(i));
            double own = q.get("label").getAsString().equals("pos") ? prob : 1 - prob;
            assertEquals(own, q.get("label_probability").getAsDouble(), 1e-12);
            if (!q.get("label").equals(atDefault.get(i).getAsJsonObject().get("label"))) flipped++;
        }
        assertTrue(flipped > 0, "the threshold moved no label");

        Cli.Run text = Cli.run("predict", "--model-dir", model.toString(), "--threshold", "0.999", "great film");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().matches("(?s).*score: [0-9.]+  neg  label_probability: [0-9.]+\\s*"), text.out());

        Path in = tmp.resolve("predict-in.csv");
        StringBuilder csv = new StringBuilder("id,text\n");
        for (int i = 0; i < texts.size(); i++)
            csv.append(i).append(',').append(texts.get(i)).append('\n');
        Files.writeString(in, csv);
        Path out = tmp.resolve("predict-out.csv");
        Cli.Run file = Cli.run(
                "predict",
                "--model-dir",
                model.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--threshold",
                String.valueOf(t));
        assertEquals(0, file.code(), file.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("id,text,label,probability,label_probability", lines.get(0));
        for (int i = 0; i < texts.size(); i++) {
            String[] f = lines.get(i + 1).split(",");
            JsonObject q = atT.get(i).getAsJsonObject();
            assertEquals(q.get("label").getAsString(), f[2], texts.get(i));
            assertEquals(q.get("probability").getAsDouble(), Double.parseDouble(f[3]), 1e-6);
            assertEquals(q.get("label_probability").getAsDouble(), Double.parseDouble(f[4]), 1e-6);
        }
    }

    /**
     * The test file's labels are the model's own decisions at a threshold between two neighbouring scores: every
     * metric's best threshold is then the midpoint of those two, where accuracy, F1 and Youden's J are perfect.
     * Saved, it is what predict decides by; {@code --threshold} still beats it; the rest of the metadata is kept.
     */
    @Test
    void evaluateFindsSavesAndEveryScorerUsesTheThreshold() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("evaluated"));
        double[] split = splitNearTheMedian();
        Path test = tmp.resolve("test.csv");
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < texts.size(); i++) {
            csv.append(texts.get(i))
                    .append(',')
                    .append(p[i] > split[0] ? "pos" : "neg")
                    .append('\n');
        }
        Files.writeString(test, csv);
        String before = Files.readString(model.resolve(ModelMetadata.FILE));
        double expected = split[0] + (split[1] - split[0]) / 2;
        for (String metric : List.of("f1", "accuracy", "youden")) {
            Cli.Run r = evaluate(model, test, "--find-threshold", metric, "--json");
            assertEquals(0, r.code(), r.err());
            JsonObject out = JsonParser.parseString(r.out()).getAsJsonObject();
            assertEquals(0.5, out.get("threshold").getAsDouble());
            assertEquals("default", out.get("threshold_source").getAsString());
            JsonObject search = out.getAsJsonObject("threshold_search");
            assertEquals(metric, search.get("metric").getAsString());
            assertEquals(expected, search.get("threshold").getAsDouble(), 1e-6, metric);
            assertEquals(1.0, search.get("value").getAsDouble(), 0, metric);
            assertEquals(
                    1.0, search.getAsJsonObject("at_threshold").get("accuracy").getAsDouble(), 0);
            assertEquals(
                    out.get("accuracy").getAsDouble(),
                    search.getAsJsonObject("at_0.5").get("accuracy").getAsDouble(),
                    0);
        }
        assertEquals(before, Files.readString(model.resolve(ModelMetadata.FILE)), "nothing saved unless asked");

        Cli.Run saved = evaluate(model, test, "--find-threshold", "accuracy", "--save-threshold");
        assertEquals(0, saved.code(), saved.err());
        assertTrue(saved.out().contains("Best threshold for accuracy: "), saved.out());
        assertTrue(saved.out().contains("Threshold: 0.5 (the default; pos is predicted"), saved.out());
        assertTrue(saved.err().contains("Saved threshold "), saved.err());
        JsonObject meta = JsonParser.parseString(Files.readString(model.resolve(ModelMetadata.FILE)))
                .getAsJsonObject();
        double stored = meta.remove("threshold").getAsDouble();
        assertEquals(expected, stored, 1e-6);
        assertEquals(JsonParser.parseString(before), meta, "only the threshold was added");
        assertEquals(stored, ModelMetadata.read(model).decisionThreshold());
        assertFalse(Files.exists(TrainingCheckpoints.besideOutput(model).dir()), "the lock's folder is gone with it");

        Cli.Run again = evaluate(model, test);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("Accuracy: 1.0000"), again.out());
        assertTrue(again.out().contains("Threshold: " + stored + " (stored in the model;"), again.out());

        JsonArray byModel = predictJson(model);
        JsonArray byOption = predictJson(model, "--threshold", "0.5");
        JsonArray atHalf = predictJson(TinyClassifier.export(tmp.resolve("evaluated-fresh")));
        for (int i = 0; i < texts.size(); i++) {
            String want = p[i] > split[0] ? "pos" : "neg";
            assertEquals(want, byModel.get(i).getAsJsonObject().get("label").getAsString(), texts.get(i));
            assertEquals(
                    atHalf.get(i).getAsJsonObject().get("label"),
                    byOption.get(i).getAsJsonObject().get("label"),
                    "--threshold beats the stored one");
        }
        assertNotEquals(atHalf, byModel, "the stored threshold moved some label");
    }

    /** A train (or another save) holding the model folder's lock: nothing is saved, and the message says why. */
    @Test
    void savingWaitsForNoOneAndChangesNothingWhileTheFolderIsLocked() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("locked"));
        String before = Files.readString(model.resolve(ModelMetadata.FILE));
        TrainingCheckpoints checkpoints = TrainingCheckpoints.besideOutput(model);
        Path csv = Files.writeString(tmp.resolve("locked.csv"), "text,label\ngreat,pos\nawful,neg\n");
        try (OutputLock held = checkpoints.lock(model)) {
            Cli.Run r = evaluate(model, csv, "--threshold", "0.4", "--save-threshold");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("is writing to " + model + "; the threshold was not saved"), r.err());
            // the same folder through a link to it: the same lock, not one beside the link's name
            Cli.Run viaLink = evaluate(
                    Files.createSymbolicLink(tmp.resolve("current"), model),
                    csv,
                    "--threshold",
                    "0.4",
                    "--save-threshold");
            assertEquals(1, viaLink.code(), viaLink.err());
            assertTrue(viaLink.err().contains("is writing to " + model.toRealPath()), viaLink.err());
            assertFalse(Files.exists(tmp.resolve("current.checkpoints")), "no lock beside the link");
        }
        assertEquals(before, Files.readString(model.resolve(ModelMetadata.FILE)));
        checkpoints.deleteIfEmpty();

        Cli.Run stored = evaluate(model, csv, "--threshold", "0.4", "--save-threshold");
        assertEquals(0, stored.code(), stored.err());
        assertEquals(0.4, ModelMetadata.read(model).threshold());
        assertTrue(stored.out().contains("Threshold: 0.4 (--threshold;"), stored.out());
    }

    /** A model whose metadata changed between its evaluation and the save (trained again) keeps its own. */
    @Test
    void aModelChangedSinceItWasEvaluatedIsNotGivenTheThreshold() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("changed"));
        ModelMetadata evaluated = ModelMetadata.read(model);
        ModelMetadata.storeThreshold(model, 0.3); // as another save, or a new model, would have
        DataException e =
                assertThrows(DataException.class, () -> dev.bertclf.train.StoredThreshold.save(model, evaluated, 0.7));
        assertTrue(e.getMessage().contains("changed while it was evaluated"), e.getMessage());
        assertEquals(0.3, ModelMetadata.read(model).threshold());
    }

    @Test
    void badValuesAndModelsAreRefused() throws IOException {
        Path model = TinyClassifier.export(tmp.resolve("bad"));
        Path test = Files.writeString(tmp.resolve("bad.csv"), "text,label\ngreat,pos\nawful,neg\n");
        for (String t : List.of("0", "1", "1.5", "-0.2", "NaN")) {
            Cli.Run r = Cli.run("predict", "--model-dir", model.toString(), "--threshold", t, "great");
            assertEquals(2, r.code(), t + ": " + r.err());
            assertTrue(r.err().contains("--threshold: a decision threshold is above 0 and below 1"), r.err());
        }
        Cli.Run alone = evaluate(model, test, "--save-threshold");
        assertEquals(2, alone.code(), alone.err());
        assertTrue(alone.err().contains("--save-threshold stores the threshold"), alone.err());
        Cli.Run unknown = evaluate(model, test, "--find-threshold", "auc");
        assertEquals(2, unknown.code(), unknown.err());

        Path oneClass = Files.writeString(tmp.resolve("one.csv"), "text,label\ngreat,pos\nfine,pos\n");
        Cli.Run single = evaluate(model, oneClass, "--find-threshold", "f1", "--save-threshold");
        // the file's one class is refused before any search: evaluate checks the test set's classes
        assertNotEquals(0, single.code(), single.err());
        assertFalse(ModelMetadata.read(model).threshold() != null, "nothing saved");

        Path multi = TinyClassifier.export(tmp.resolve("bad-multi"), List.of("a", "b", "c"));
        Path multiTest = Files.writeString(tmp.resolve("multi.csv"), "text,label\ngreat,a\nawful,b\nfine,c\n");
        Cli.Run find = evaluate(multi, multiTest, "--find-threshold", "f1");
        assertEquals(2, find.code(), find.err());
        assertTrue(find.err().contains("--find-threshold applies to binary models; "), find.err());
        Cli.Run threshold = Cli.run("predict", "--model-dir", multi.toString(), "--threshold", "0.3", "great");
        assertEquals(2, threshold.code(), threshold.err());
        assertTrue(threshold.err().contains("this one is multi-class"), threshold.err());
    }

    /** {@code evaluate} of {@code model} on the table file {@code test}, with {@code more} options. */
    private static Cli.Run evaluate(Path model, Path test, String... more) {
        List<String> args =
                new ArrayList<>(List.of("evaluate", "--model-dir", model.toString(), "--test-file", test.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }
}
