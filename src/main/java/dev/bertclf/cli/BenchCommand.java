package dev.bertclf.cli;

import dev.bertclf.bench.BenchReport;
import dev.bertclf.bench.MatMulCeiling;
import dev.bertclf.bench.ModelBenchmark;
import dev.bertclf.bench.PredictLatency;
import dev.bertclf.bench.ScoringBenchmark;
import dev.bertclf.bench.ServeBenchmark;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelCatalog;
import dev.bertclf.model.ModelException;
import dev.bertclf.model.hf.HfConfig;
import dev.bertclf.model.hf.HfFolder;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Measure this machine's MatMul ceiling at the model's shapes, then training steps and inference batches",
            "of a model shape (random weights), reported as examples/s, GFLOP/s, share of the ceiling and peak",
            "memory, then file scoring, 'serve' under concurrent clients and the whole 'predict' command."
        })
final class BenchCommand implements Callable<Integer> {
    private static final Pattern SHAPE = Pattern.compile("L-(\\d+)_H-(\\d+)_A-(\\d+)");
    /** How often a ceiling below a measured rate is measured again before the share is shown as noisy. */
    private static final int CEILING_RETRIES = 2;

    static final int MOST_CLIENTS = 1024;

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption deviceOption;

    @Option(
            names = "--model",
            paramLabel = "SHAPE|NAME|DIR",
            defaultValue = "L-4_H-512_A-8",
            description =
                    "A shape like L-4_H-512_A-8, a model name, or a folder with bert_config.json or a Hugging Face "
                            + "config.json.")
    String model;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Examples per step.")
    int batchSize;

    @Option(names = "--max-seq-len", paramLabel = "N", defaultValue = "128", description = "Tokens per example.")
    int seqLen;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed steps first.")
    int warmup;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "5",
            description = "Timed steps; the median is reported.")
    int steps;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16|both",
            defaultValue = "both",
            description = "fp32, bf16 (oneDNN auto mixed precision, float32 master weights) or both.")
    Choice precision;

    /** {@code --precision}: one of the run precisions, or both (fp32 alone on a GPU, where bf16 is not offered). */
    enum Choice {
        fp32,
        bf16,
        both
    }

    @Option(
            names = "--predict-runs",
            paramLabel = "N",
            defaultValue = "5",
            description = "Times the whole 'predict' command this often, in a new JVM each (0: skip).")
    int predictRuns;

    @Option(
            names = "--scoring-rows",
            paramLabel = "N",
            defaultValue = "256",
            description = "Scores a generated CSV of N reviews with 'predict --input' at each precision, to show what "
                    + "file scoring costs over the inference rate (0: skip).")
    int scoringRows;

    /** The generated scoring file is built in memory, about 300 bytes a review: 1 M reviews are 300 MB. */
    static final int MAX_SCORING_ROWS = 1_000_000;

    @Option(
            names = "--ceiling-round-ms",
            paramLabel = "MS",
            defaultValue = "1000",
            description = "Length of one timed round of the MatMul ceiling; each shape's figure is the best of at "
                    + "least 3 rounds, more while it still improves.")
    int ceilingRoundMs;

    @Option(
            names = "--serve-clients",
            paramLabel = "N,N...|none",
            defaultValue = "1,8,32",
            description = "Runs 'serve' on loopback and measures requests/s and p50/p99 latency with this many "
                    + "concurrent clients, one text a request ('none' or 0: skip).")
    String serveClients;

    @Option(
            names = "--serve-seconds",
            paramLabel = "S",
            defaultValue = "5",
            description = "Timed seconds for each number of --serve-clients.")
    int serveSeconds;

    @Option(
            names = "--op-profile",
            paramLabel = "N",
            defaultValue = "0",
            description = "Traces one more training step at each precision and lists its N costliest op types with "
                    + "their share of the step's op time, and the share in MatMul work (0: skip).")
    int opProfile;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (batchSize < 1
                || seqLen < 2
                || warmup < 0
                || steps < 1
                || predictRuns < 0
                || scoringRows < 0
                || scoringRows > MAX_SCORING_ROWS
                || ceilingRoundMs < 1
                || serveSeconds < 1
                || opProfile < 0) {
            throw new InvalidOptionException("--batch-size, --max-seq-len, --steps, --ceiling-round-ms and "
                    + "--serve-seconds must be positive, --warmup, --predict-runs, --scoring-rows and "
                    + "--op-profile not negative, --scoring-rows at most " + MAX_SCORING_ROWS
                    + " (the generated file is written whole first)");
        }
        List<Integer> clients = clients(serveClients);
        boolean gpu = deviceOption.useGpu();
        List<Precision> precisions =
                switch (precision) {
                    case fp32 -> List.of(Precision.fp32);
                    case bf16 -> List.of(Precision.bf16);
                    case both -> gpu ? List.of(Precision.fp32) : List.of(Precision.fp32, Precision.bf16);
                };
        BertConfig config = shape(model);
        config.requirePositions(seqLen, null);
        List<MatMulCeiling.Shape> shapes = MatMulCeiling.shapesOf(config, batchSize, seqLen);
        Duration round = Duration.ofMillis(ceilingRoundMs);
        MatMulCeiling.Result ceiling = MatMulCeiling.measure(shapes, round);
        Map<Precision, BenchReport.Phases> phases = new LinkedHashMap<>();
        double tokenizerRate;
        try (ModelBenchmark b = new ModelBenchmark(config, batchSize, seqLen, warmup, steps)) {
            for (Precision p : precisions) {
                SessionOptions options = p.session(gpu);
                phases.put(p, new BenchReport.Phases(b.training(options, opProfile > 0), b.inference(options)));
            }
            tokenizerRate = b.tokenizerTextsPerSecond();
        }
        Map<Precision, Double> scoring = new LinkedHashMap<>();
        if (scoringRows > 0) {
            for (Precision p : precisions) {
                scoring.put(p, ScoringBenchmark.rowsPerSecond(config, seqLen, batchSize, scoringRows, p, gpu));
            }
        }
        double[] predict =
                predictRuns == 0 ? new double[0] : PredictLatency.measure(Main.class, config, seqLen, predictRuns);
        BenchReport.Serving serving = clients.isEmpty()
                ? BenchReport.Serving.NONE
                : new BenchReport.Serving(
                        precisions.get(0),
                        ServeBenchmark.measure(
                                config,
                                seqLen,
                                batchSize,
                                precisions.get(0),
                                gpu,
                                clients,
                                Duration.ofSeconds(serveSeconds)));
        BenchReport report = new BenchReport(
                        model,
                        config,
                        batchSize,
                        seqLen,
                        ceiling,
                        0,
                        phases,
                        tokenizerRate,
                        scoring,
                        predict,
                        serving,
                        opProfile)
                .settled(() -> MatMulCeiling.measure(shapes, round), CEILING_RETRIES);
        System.out.print(json ? Json.PRETTY.toJson(report.toMap()) + "\n" : report.toTable());
        return 0;
    }

    /** {@code --serve-clients}: counts from 1 to {@value #MOST_CLIENTS}, or none. */
    static List<Integer> clients(String option) {
        String s = option.strip();
        if (s.equals("none") || s.equals("0")) return List.of();
        List<Integer> counts = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                int n = Integer.parseInt(part.strip());
                if (n >= 1 && n <= MOST_CLIENTS) {
                    counts.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new InvalidOptionException("--serve-clients takes counts from 1 to " + MOST_CLIENTS
                    + " separated by commas, or 'none', not '" + option + "'");
        }
        return counts;
    }

    /** Sizes only: timing needs no pretrained weights, so names and shapes are never downloaded. */
    static BertConfig shape(String model) {
        Path dir = Path.of(model);
        if (Files.isRegularFile(dir.resolve("bert_config.json")))
            return BertConfig.read(dir.resolve("bert_config.json"));
        if (HfFolder.looksLike(dir)) return HfConfig.read(dir.resolve(HfFolder.CONFIG));
        var entry = ModelCatalog.standard().find(model);
        if (entry.isPresent()) return entry.get().config();
        Matcher m = SHAPE.matcher(model);
        if (!m.find()) {
            throw new ModelException("--model '" + model + "' is neither a shape like L-4_H-512_A-8, a known name, "
                    + "nor a folder with bert_config.json or a Hugging Face config.json");
        }
        return BertConfig.of(
                30522, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }
}
