package dev.bertclf.bench;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.SessionOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tensorflow.ndarray.Shape;

/**
 * Times {@code bert-clf predict "one sentence"} the way a user meets it: a new JVM for every run, the model read
 * from disk, caches warm (one untimed run first). Start-up, not arithmetic, dominates this figure, so it can only
 * be measured on the whole command. A model of the benchmarked shape with random weights is exported first, so
 * no download is needed and any shape can be measured.
 */
public final class PredictLatency {
    public static final String SENTENCE = "this is such an amazing movie!";

    private PredictLatency() {}

    /**
     * Seconds of each of {@code runs} timed runs of {@code main}'s {@code predict} (the command line's entry point,
     * which this layer does not know).
     */
    public static double[] measure(Class<?> main, BertConfig config, int seqLen, int runs) {
        try {
            Path dir = Files.createTempDirectory("bert-clf-bench-predict-");
            try {
                return timeRuns(main, exportRandomModel(config, seqLen, dir), runs);
            } finally {
                FileUtil.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("predict benchmark: " + e.getMessage(), e);
        }
    }

    /** One untimed run (caches warm), then {@code runs} timed ones. */
    private static double[] timeRuns(Class<?> main, Path model, int runs) throws IOException {
        run(main, model);
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run(main, model);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    /** The child command: this JVM's java, class path and class-data archive, and the tool's home when set. */
    static List<String> command(Class<?> main, Path model) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        String home = System.getProperty("bert.clf.home");
        if (home != null) cmd.add("-Dbert.clf.home=" + home);
        String cds = System.getProperty("bert.clf.cds"); // the class-data archive scripts/bert-clf runs with
        if (cds != null) cmd.addAll(List.of("-XX:SharedArchiveFile=" + cds, "-Xlog:cds=off"));
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                main.getName(),
                "predict",
                "--model-dir",
                model.toString(),
                SENTENCE));
        return cmd;
    }

    private static void run(Class<?> main, Path model) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(main, model)).redirectErrorStream(true);
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        Process p = pb.start();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("predict did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || !text.contains("score:")) {
            throw new IOException("predict failed (exit " + p.exitValue() + "): " + text.strip());
        }
    }

    /** A SavedModel with random weights and a made-up vocabulary of the right size: speed depends on shapes only. */
    static Path exportRandomModel(BertConfig config, int seqLen, Path dir) throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, SyntheticText.vocabulary(config.vocabSize, SENTENCE));
        Map<String, Shape> shapes;
        try (InferenceGraph g = new InferenceGraph(config, SessionOptions.defaults())) {
            shapes = g.variables().shapes();
        }
        Path model = dir.resolve("model");
        try (Weights weights = WeightInit.create(shapes, config.initializerRange, 1)) {
            SavedModelExporter.export(
                    model,
                    config,
                    weights,
                    vocab,
                    new ModelMetadata(
                            "random " + config,
                            true,
                            seqLen,
                            List.of("neg", "pos"),
                            Map.of(),
                            Map.of(),
                            "",
                            "bert-clf bench"));
        }
        return model;
    }
}
