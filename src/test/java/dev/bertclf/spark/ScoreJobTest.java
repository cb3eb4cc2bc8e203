package dev.bertclf.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.google.gson.reflect.TypeToken;
import dev.bertclf.infer.LongText;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.Prediction.ClassProbability;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.Json;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The Spark job in local mode ({@code local[2]}: two tasks sharing one executor JVM, so one cached model) on the
 * tiny random models: its output must equal {@link TextClassifier#predict} on the same texts, and
 * {@code predict --json}'s, row for row (matched by id), every input column kept.
 */
class ScoreJobTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path binary, multi;

    /** One scored row as any scorer's output gives it, for comparing sources row by row. */
    record Scored(String label, double probability, List<ClassProbability> top) {
        static Scored of(Prediction p) {
            return new Scored(p.label(), p.probability(), p.top());
        }
    }

    @BeforeAll
    static void start() throws IOException {
        for (String noisy :
                List.of("org.apache.spark", "org.apache.hadoop", "org.apache.parquet", "org.sparkproject")) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(noisy)).setLevel(Level.WARN);
        }
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ScoreJobTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config(
                        "spark.sql.warehouse.dir",
                        tmp.resolve("warehouse").toUri().toString())
                .getOrCreate();
        binary = TinyClassifier.export(tmp.resolve("binary"));
        multi = TinyClassifier.export(tmp.resolve("multi"), List.of("a", "b", "c", "d"));
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void parquetScoresEqualTextClassifierAndPredictJson() throws IOException {
        List<String> texts = texts(40);
        Path in = tmp.resolve("reviews.parquet");
        // the input has a label column of its own: the prediction's columns get the predicted_ prefix
        writeTable(texts, "label", in.toString(), "parquet");
        Path out = tmp.resolve("scored.parquet");

        Cli.Run run = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--batch-size",
                "4",
                "--tf-threads",
                "1");

        assertEquals(0, run.code(), run.err());
        Dataset<Row> scored = spark.read().parquet(out.toString());
        assertEquals(
                List.of(
                        "id",
                        "text",
                        "label",
                        "predicted_label",
                        "predicted_probability",
                        "predicted_label_probability"),
                Arrays.asList(scored.columns()));
        for (Row r : scored.collectAsList()) {
            assertEquals(texts.get(Integer.parseInt(r.getString(0))), r.getString(1));
            assertEquals("gold-" + r.getString(0), r.getString(2));
        }
        Map<String, Scored> fromSpark = byId(scored, "predicted_");
        assertSameScores(direct(binary, texts), fromSpark);
        assertSameScores(predictJson(binary, texts.subList(0, 3)), fromSpark);
    }

    @Test
    void multiClassCsvKeepsQuotedFieldsAndWritesTopAsArrayOrJsonText() throws IOException {
        List<String> texts = new ArrayList<>(texts(12));
        texts.set(1, "a \"quoted\" word, and a comma");
        texts.set(2, "two\nlines");
        Path in = tmp.resolve("multi.csv");
        StringBuilder csv = new StringBuilder("id,text\n");
        for (int i = 0; i < texts.size(); i++)
            csv.append(i)
                    .append(",\"")
                    .append(texts.get(i).replace("\"", "\"\""))
                    .append("\"\n");
        Files.writeString(in, csv);
        Path parquet = tmp.resolve("multi-scored.parquet"), csvOut = tmp.resolve("multi-scored.csv");

        assertEquals(
                0,
                job("--model-dir", multi.toString(), "--input", in.toString(), "--output", parquet.toString())
                        .code());
        assertEquals(
                0,
                job("--model-dir", multi.toString(), "--input", in.toString(), "--output", csvOut.toString())
                        .code());

        Map<String, Scored> expected = direct(multi, texts);
        Dataset<Row> asParquet = spark.read().parquet(parquet.toString());
        assertEquals(
                List.of("id", "text", "label", "probability", "top", "label_probability"),
                Arrays.asList(asParquet.columns()));
        assertEquals(
                "array<struct<label:string,probability:double>>",
                asParquet.schema().fields()[4].dataType().simpleString());
        assertSameScores(expected, byId(asParquet, ""));
        Dataset<Row> asCsv = spark.read()
                .options(Map.of("header", "true", "multiLine", "true", "escape", "\""))
                .csv(csvOut.toString());
        for (Row r : asCsv.collectAsList()) assertEquals(texts.get(Integer.parseInt(r.getString(0))), r.getString(1));
        assertSameScores(expected, byId(asCsv, ""));

        // predict --input scores the same file on one machine: the same rows, labels and probabilities.
        Path predicted = tmp.resolve("multi-predicted.csv");
        Cli.Run local = Cli.run(
                "predict",
                "--model-dir",
                multi.toString(),
                "--input",
                in.toString(),
                "--output",
                predicted.toString(),
                "--top",
                "5");
        assertEquals(0, local.code(), local.err());
        Dataset<Row> fromPredict = spark.read()
                .options(Map.of("header", "true", "multiLine", "true", "escape", "\""))
                .csv(predicted.toString());
        assertEquals(Arrays.asList(asCsv.columns()), Arrays.asList(fromPredict.columns()), "the same columns");
        assertSameScores(byId(fromPredict, ""), byId(asCsv, ""));
    }

    /**
     * CSV text round-trips through the job as through {@code predict --input}: once Spark's reader dropped the CR of a
     * CRLF inside quotes and its writer trimmed leading and trailing spaces (182 of 4,000 rows changed), and an
     * unclosed quote merged the rows after it into one text with exit 0.
     */
    @Test
    void csvTextRoundTripsAndAnUnclosedQuoteFails() throws IOException {
        List<String> texts = List.of("  leading spaces", "trailing spaces  ", "crlf\r\ninside", "tab\tinside", "plain");
        for (String eol : List.of("\n", "\r\n")) { // a spreadsheet's export ends its rows with CRLF
            StringBuilder csv = new StringBuilder("id,text" + eol);
            for (int i = 0; i < texts.size(); i++)
                csv.append(i).append(",\"").append(texts.get(i)).append('"').append(eol);
            assertRoundTrips(texts, Files.writeString(tmp.resolve("exact" + eol.length() + ".csv"), csv));
        }
        Path unclosed =
                Files.writeString(tmp.resolve("unclosed.csv"), "id,text\n0,\"never closed\n1,next row\n2,last\n");
        Cli.Run bad = job(
                "--model-dir",
                binary.toString(),
                "--input",
                unclosed.toString(),
                "--output",
                tmp.resolve("unclosed-scored.csv").toString());
        assertEquals(1, bad.code(), bad.err());
        assertTrue(bad.err().contains("unclosed.csv"), bad.err());
        assertFalse(Files.exists(tmp.resolve("unclosed-scored.csv")), "no output left");
        // the check itself reads a row at most 16 Mi characters long: an unclosed quote in a large file is no heap
        Path endless = Files.writeString(
                tmp.resolve("endless.csv"), "id,text\n0,\"never closed " + "word ".repeat(3_500_000) + "\n");
        Cli.Run tooLong = job(
                "--model-dir",
                binary.toString(),
                "--input",
                endless.toString(),
                "--output",
                tmp.resolve("endless-scored.csv").toString());
        assertEquals(1, tooLong.code(), tooLong.err());
        assertTrue(tooLong.err().contains("endless.csv:2: a row longer than 16777216 characters"), tooLong.err());
    }

    /** A multi-label model's rows add top and labels (its classes over the threshold), as predict --input's do. */
    @Test
    void multiLabelRowsAddTheClassesOverTheThreshold() throws IOException {
        Path tags = TinyClassifier.export(tmp.resolve("tags"), List.of("a", "b", "c"));
        List<String> texts = texts(12);
        ModelMetadata.read(tags).withMultiLabel(0.5).write(tags); // the same head: one logit per class
        double threshold; // the random model's median probability: rows get different numbers of classes
        List<List<ClassProbability>> expected;
        try (TextClassifier c = TextClassifier.load(tags)) {
            double[] all = c.predict(texts, 8).stream()
                    .flatMap(p -> p.top().stream())
                    .mapToDouble(ClassProbability::probability)
                    .sorted()
                    .toArray();
            threshold = all[all.length / 2];
            expected = c.predict(texts, 8, threshold).stream()
                    .map(Prediction::labels)
                    .toList();
        }
        ModelMetadata.read(tags).withMultiLabel(threshold).write(tags);
        assertTrue(expected.stream().map(List::size).distinct().count() > 1, threshold + " " + expected);
        Path in = tmp.resolve("tags.json");
        writeTable(texts, null, in.toString(), "json");
        Path parquet = tmp.resolve("tags-scored.parquet"), csvOut = tmp.resolve("tags-scored.csv");
        assertEquals(
                0,
                job("--model-dir", tags.toString(), "--input", in.toString(), "--output", parquet.toString())
                        .code());
        assertEquals(
                0,
                job("--model-dir", tags.toString(), "--input", in.toString(), "--output", csvOut.toString())
                        .code());
        Dataset<Row> asParquet = spark.read().parquet(parquet.toString());
        Dataset<Row> asCsv = spark.read()
                .options(Map.of("header", "true", "multiLine", "true", "escape", "\""))
                .csv(csvOut.toString());
        for (Dataset<Row> table : List.of(asParquet, asCsv)) {
            List<String> columns = Arrays.asList(table.columns());
            assertEquals(List.of("id", "text", "label", "probability", "top", "labels", "label_probability"), columns);
            for (Row r : table.collectAsList()) {
                List<ClassProbability> labels = top(r.get(5));
                List<ClassProbability> e = expected.get(Integer.parseInt(r.getString(0)));
                assertEquals(
                        e.stream().map(ClassProbability::label).toList(),
                        labels.stream().map(ClassProbability::label).toList());
                for (int k = 0; k < e.size(); k++) {
                    assertEquals(e.get(k).probability(), labels.get(k).probability(), TOLERANCE);
                }
            }
        }
    }

    @Test
    void emptyTextsFailNamingTheRowOrAreSkipped() throws IOException {
        List<String> texts = new ArrayList<>(texts(10));
        texts.set(4, "  ");
        texts.set(7, null);
        Path in = tmp.resolve("holes.json");
        writeTable(texts, null, in.toString(), "json");
        Path out = tmp.resolve("holes-scored.parquet");

        Cli.Run failed = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--id-column",
                "id");
        assertEquals(1, failed.code());
        assertTrue(
                failed.err()
                        .matches("(?s)error: row \\d+ of input partition \\d+ \\(id [47]\\) has (no|an empty) "
                                + "text in column 'text' \\(pass --on-error skip.*"),
                failed.err());
        assertFalse(Files.exists(out), "a failed job leaves no output");

        Cli.Run skipped = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--on-error",
                "skip");
        assertEquals(0, skipped.code(), skipped.err());
        Map<String, Scored> scored = byId(spark.read().parquet(out.toString()), "");
        assertEquals(8, scored.size());
        assertFalse(scored.containsKey("4") || scored.containsKey("7"));
    }

    @Test
    void badOptionsAreUsageErrorsAndNothingIsOverwritten() throws IOException {
        Path in = tmp.resolve("few.parquet");
        writeTable(texts(3), null, in.toString(), "parquet");
        Path existing = Files.writeString(tmp.resolve("existing.parquet"), "mine");
        String model = binary.toString();

        Cli.Run exists = job("--model-dir", model, "--input", in.toString(), "--output", existing.toString());
        assertEquals(2, exists.code());
        assertTrue(exists.err().startsWith("error: "), exists.err());
        assertTrue(exists.err().contains("already exists: choose another --output, or pass --mode overwrite"));
        assertEquals("mine", Files.readString(existing));

        // once: --mode overwrite deleted the job's own input before reading it
        for (String out :
                List.of(in.toString(), tmp.toString(), in.resolve("scored").toString())) {
            Cli.Run own = job("--model-dir", model, "--input", in.toString(), "--output", out, "--mode", "overwrite");
            assertEquals(2, own.code(), own.err());
            assertTrue(own.err().contains("is, holds or lies in the input"), own.err());
        }
        try (var files = Files.list(in)) {
            assertTrue(files.anyMatch(f -> f.toString().endsWith(".parquet")), "the input is still there");
        }

        Cli.Run noColumn = job(
                "--model-dir",
                model,
                "--input",
                in.toString(),
                "--output",
                tmp.resolve("x").toString(),
                "--output-format",
                "json",
                "--text-column",
                "review");
        assertEquals(2, noColumn.code());
        assertTrue(noColumn.err().contains("has no column 'review' (--text-column); its columns: id, text"));

        assertEquals(
                2,
                job("--model-dir", model, "--input", tmp.resolve("data.bin").toString(), "--output", "o")
                        .code());
        assertEquals(
                2,
                job("--model-dir", model, "--input", in.toString(), "--output", "o.csv", "--batch-size", "0")
                        .code());
        assertEquals(
                2,
                job("--model-dir", model, "--input", in.toString(), "--output", "o.csv", "--mode", "append")
                        .code());
        Cli.Run noInput = job(
                "--model-dir",
                model,
                "--input",
                tmp.resolve("none.parquet").toString(),
                "--output",
                tmp.resolve("z.csv").toString());
        assertEquals(1, noInput.code());
        assertTrue(noInput.err().startsWith("error: [PATH_NOT_FOUND] Path does not exist: "), noInput.err());
        Path numbers = tmp.resolve("numbers.parquet");
        spark.range(3).write().parquet(numbers.toString());
        Cli.Run notText = job(
                "--model-dir",
                model,
                "--input",
                numbers.toString(),
                "--output",
                tmp.resolve("n.csv").toString(),
                "--text-column",
                "id");
        assertEquals(1, notText.code());
        assertTrue(notText.err().contains("column 'id' of " + numbers + " holds bigint, not text"), notText.err());
        Cli.Run noModel = job(
                "--model-dir",
                tmp.resolve("nothing").toString(),
                "--input",
                in.toString(),
                "--output",
                tmp.resolve("y.csv").toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().startsWith("error: no model folder "), noModel.err());

        // a catalog table in, another out; then --mode overwrite replaces it
        spark.read().parquet(in.toString()).write().saveAsTable("reviews");
        for (String mode : List.of("errorifexists", "overwrite")) {
            Cli.Run table =
                    job("--model-dir", model, "--input", "table:reviews", "--output", "table:scored", "--mode", mode);
            assertEquals(0, table.code(), table.err());
        }
        assertEquals(3, spark.table("scored").count());
        assertEquals(
                2,
                job("--model-dir", model, "--input", "table:reviews", "--output", "table:scored")
                        .code());
    }

    /**
     * The scoring options are {@code predict}'s: {@code --long-text window} scores every window of a long text as
     * {@link TextClassifier} does (not its truncation), {@code --threshold} moves a multi-label model's decision, and
     * either option that does not fit the model is a usage error before any row is read.
     */
    @Test
    void longTextWindowsAndThresholdScoreAsPredictDoes() throws IOException {
        List<String> texts = new ArrayList<>();
        List<String> pieces = texts(300); // every other text 5 pieces long: 5 to 70 tokens, windows of 30
        for (int i = 0; i < 60; i++) {
            texts.add(i % 2 == 0 ? pieces.get(i) : String.join(" ", pieces.subList(5 * i, 5 * i + 5)));
        }
        Path in = tmp.resolve("long.parquet");
        writeTable(texts, null, in.toString(), "parquet");
        Path out = tmp.resolve("long-scored.parquet");
        Cli.Run run = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                out.toString(),
                "--long-text",
                "window",
                "--stride",
                "10");
        assertEquals(0, run.code(), run.err());
        Map<String, Scored> windows = byId(spark.read().parquet(out.toString()), "");
        // the tiny random model's scores move little with the words: a tighter tolerance than elsewhere
        assertSameScores(
                direct(binary, texts, new LongText(LongText.Mode.window, 10, LongText.MAX_WINDOWS)), windows, 1e-6);
        Map<String, Scored> truncated = direct(binary, texts, LongText.TRUNCATE);
        double largest = 0; // the long texts' windows must count: truncation alone scores otherwise
        for (String id : windows.keySet()) {
            largest = Math.max(
                    largest,
                    Math.abs(windows.get(id).probability() - truncated.get(id).probability()));
        }
        assertTrue(largest > 1e-5, "windows and truncation differ by at most " + largest);

        Path tags = TinyClassifier.export(tmp.resolve("tags-threshold"), List.of("a", "b", "c"));
        ModelMetadata.read(tags).withMultiLabel(0.5).write(tags);
        double threshold; // the median class probability: a threshold that moves some rows' classes
        List<List<String>> expected, atModels;
        try (TextClassifier c = TextClassifier.load(tags)) {
            List<Prediction> scores = c.predict(texts, 8);
            double[] all = scores.stream()
                    .flatMap(p -> p.top().stream())
                    .mapToDouble(ClassProbability::probability)
                    .sorted()
                    .toArray();
            threshold = all[all.length / 2];
            expected = c.predict(texts, 8, threshold).stream()
                    .map(ScoreJobTest::labels)
                    .toList();
            atModels = scores.stream().map(ScoreJobTest::labels).toList();
        }
        assertNotEquals(atModels, expected, "the threshold changes no row's classes");
        Path tagged = tmp.resolve("tagged.parquet");
        Cli.Run tagRun = job(
                "--model-dir",
                tags.toString(),
                "--input",
                in.toString(),
                "--output",
                tagged.toString(),
                "--threshold",
                "" + threshold);
        assertEquals(0, tagRun.code(), tagRun.err());
        for (Row r : spark.read().parquet(tagged.toString()).collectAsList()) {
            assertEquals(
                    expected.get(Integer.parseInt(r.getString(0))),
                    top(r.get(5)).stream().map(ClassProbability::label).toList());
        }

        double[] probabilities = direct(binary, texts, LongText.TRUNCATE).values().stream()
                .mapToDouble(Scored::probability)
                .sorted()
                .toArray();
        int widest = probabilities.length / 4; // a binary model's threshold moves its labels too: in the widest gap
        for (int i = widest; i < 3 * probabilities.length / 4; i++) {
            if (probabilities[i + 1] - probabilities[i] > probabilities[widest + 1] - probabilities[widest]) widest = i;
        }
        double cut = (probabilities[widest] + probabilities[widest + 1]) / 2;
        List<Prediction> atCut;
        try (TextClassifier c = TextClassifier.load(binary)) {
            atCut = c.predict(texts, 8, cut);
        }
        Path cutOut = tmp.resolve("cut.parquet");
        Cli.Run binaryThreshold = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                cutOut.toString(),
                "--threshold",
                "" + cut);
        assertEquals(0, binaryThreshold.code(), binaryThreshold.err());
        Dataset<Row> cutRows = spark.read().parquet(cutOut.toString());
        List<String> cutColumns = Arrays.asList(cutRows.columns());
        assertEquals(List.of("id", "text", "label", "probability", "label_probability"), cutColumns);
        for (Row r : cutRows.collectAsList()) {
            Prediction want = atCut.get(Integer.parseInt(r.getString(0)));
            assertEquals(want.label(), r.getString(2), want.text());
            assertEquals(want.labelProbability(), r.getDouble(4), TOLERANCE);
        }
        assertTrue(atCut.stream().anyMatch(q -> q.label().equals("pos")));
        assertTrue(atCut.stream().anyMatch(q -> q.label().equals("neg")));
        Cli.Run multiThreshold = job(
                "--model-dir", multi.toString(), "--input", in.toString(), "--output", "t.csv", "--threshold", "0.3");
        assertEquals(2, multiThreshold.code());
        assertTrue(
                multiThreshold
                        .err()
                        .startsWith("error: --threshold: a decision threshold applies to binary and multi-label "
                                + "models; this one is multi-class"),
                multiThreshold.err());
        Cli.Run longStride = job(
                "--model-dir",
                binary.toString(),
                "--input",
                in.toString(),
                "--output",
                "s.csv",
                "--long-text",
                "window",
                "--stride",
                "31");
        assertEquals(2, longStride.code());
        assertTrue(longStride.err().startsWith("error: --stride must be 1 to 30 "), longStride.err());
        assertFalse(Files.exists(Path.of("t.csv")) || Files.exists(Path.of("s.csv")));
    }

    private static List<String> labels(Prediction p) {
        return p.labels().stream().map(ClassProbability::label).toList();
    }

    /** Short texts of the tiny vocabulary's words, of varied lengths (so batches pad differently). */
    static List<String> texts(int n) {
        List<String> words = new ArrayList<>(TinyBert.POSITIVE);
        words.addAll(TinyBert.NEGATIVE);
        words.addAll(TinyBert.NEUTRAL);
        Random random = new Random(7);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder t = new StringBuilder();
            for (int w = 1 + random.nextInt(14); w > 0; w--)
                t.append(words.get(random.nextInt(words.size()))).append(' ');
            texts.add(t.toString().strip());
        }
        return texts;
    }

    /** {@code id} (the text's position), {@code text} and, when named, a gold column, in three partitions. */
    private static void writeTable(List<String> texts, String goldColumn, String path, String format) {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType);
        if (goldColumn != null) schema = schema.add(goldColumn, DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(
                    goldColumn == null
                            ? RowFactory.create("" + i, texts.get(i))
                            : RowFactory.create("" + i, texts.get(i), "gold-" + i));
        }
        spark.createDataFrame(rows, schema)
                .repartition(3)
                .write()
                .format(format)
                .save(path);
    }

    /** The job as spark-submit starts it, in this JVM's session, with its output captured. */
    /** Scores {@code in} to CSV and checks that every text comes back as it was. */
    private static void assertRoundTrips(List<String> texts, Path in) throws IOException {
        Path out = in.resolveSibling(in.getFileName() + "-scored.csv");
        Cli.Run r = job("--model-dir", binary.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<Integer, String> written = new java.util.TreeMap<>();
        try (var parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) {
                var format = org.apache.commons.csv.CSVFormat.RFC4180
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .get();
                for (var record : format.parse(new java.io.StringReader(Files.readString(part))))
                    written.put(Integer.parseInt(record.get("id")), record.get("text"));
            }
        }
        for (int i = 0; i < texts.size(); i++) assertEquals(texts.get(i), written.get(i), "row " + i);
    }

    private static Cli.Run job(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cmd =
                ScoreJob.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        System.err.print(err);
        return new Cli.Run(code, out.toString(), err.toString());
    }

    /**
     * A scored table's rows by id, whichever scorer wrote it (the job here; {@code predict --input} reads the same
     * way): {@code prefix} + label, probability and top (an array of structs, or its JSON text in CSV).
     */
    static Map<String, Scored> byId(Dataset<Row> table, String prefix) {
        List<String> columns = Arrays.asList(table.columns());
        int top = columns.indexOf(prefix + "top");
        Map<String, Scored> out = new HashMap<>();
        for (Row r : table.collectAsList()) {
            Object p = r.get(columns.indexOf(prefix + "probability"));
            double probability = p instanceof String s ? Double.parseDouble(s) : (Double) p;
            String label = r.getString(columns.indexOf(prefix + "label"));
            out.put(
                    r.getString(columns.indexOf("id")),
                    new Scored(label, probability, top < 0 ? null : top(r.get(top))));
        }
        return out;
    }

    private static List<ClassProbability> top(Object cell) {
        if (cell instanceof String json)
            return Json.COMPACT.fromJson(json, new TypeToken<List<ClassProbability>>() {}.getType());
        List<ClassProbability> top = new ArrayList<>();
        for (Row c : scala.jdk.javaapi.CollectionConverters.asJava(((scala.collection.Seq<Row>) cell))) {
            top.add(new ClassProbability(c.getString(0), c.getDouble(1)));
        }
        return top;
    }

    /** {@link TextClassifier#predict} on all the texts at once, by id (their position). */
    private static Map<String, Scored> direct(Path model, List<String> texts) {
        return direct(model, texts, LongText.TRUNCATE);
    }

    /** As {@link #direct(Path, List)}, long texts read as {@code longText} says. */
    private static Map<String, Scored> direct(Path model, List<String> texts, LongText longText) {
        Map<String, Scored> out = new LinkedHashMap<>();
        try (TextClassifier c = TextClassifier.load(model)) {
            c.useLongText(longText);
            List<Prediction> p = c.predict(texts, 8);
            for (int i = 0; i < texts.size(); i++) out.put("" + i, Scored.of(p.get(i)));
        }
        return out;
    }

    /** {@code predict --json} on the texts, by id (their position). */
    private static Map<String, Scored> predictJson(Path model, List<String> texts) {
        List<String> args = new ArrayList<>(List.of("predict", "--model-dir", model.toString(), "--json"));
        args.addAll(texts);
        Cli.Run run = Cli.run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        List<Prediction> p = Json.COMPACT.fromJson(run.out(), new TypeToken<List<Prediction>>() {}.getType());
        Map<String, Scored> out = new LinkedHashMap<>();
        for (int i = 0; i < p.size(); i++) out.put("" + i, Scored.of(p.get(i)));
        return out;
    }

    /** Every expected id is there with the same label and probabilities within {@value #TOLERANCE}. */
    static void assertSameScores(Map<String, Scored> expected, Map<String, Scored> actual) {
        assertSameScores(expected, actual, TOLERANCE);
    }

    static void assertSameScores(Map<String, Scored> expected, Map<String, Scored> actual, double tolerance) {
        expected.forEach((id, e) -> {
            Scored a = actual.get(id);
            assertTrue(a != null, "no row " + id);
            assertEquals(e.label(), a.label(), "label of row " + id);
            assertEquals(e.probability(), a.probability(), tolerance, "probability of row " + id);
            assertEquals(e.top() == null, a.top() == null, "top of row " + id);
            if (e.top() == null) return;
            assertEquals(e.top().size(), a.top().size(), "top of row " + id);
            for (int k = 0; k < e.top().size(); k++) {
                assertEquals(e.top().get(k).label(), a.top().get(k).label(), "top " + k + " of row " + id);
                assertEquals(e.top().get(k).probability(), a.top().get(k).probability(), tolerance);
            }
        });
    }
}
