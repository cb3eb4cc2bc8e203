package dev.bertclf.cli;

import dev.bertclf.bench.BenchReport;
import dev.bertclf.bench.MatMulCeiling;
import dev.bertclf.bench.ModelBenchmark;
import dev.bertclf.bench.PredictLatency;
import dev.bertclf.bench.ScoringBenchmark;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelCatalog;
import dev.bertclf.model.ModelException;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "Measure this machine's MatMul ceiling, then training steps and inference batches of a model",
            "shape (random weights), reported as examples/s, GFLOP/s, share of the ceiling and peak memory."
        })
final class BenchCommand implements Callable<Integer> {
    private static final Pattern SHAPE = Pattern.compile("L-(\\d+)_H-(\\d+)_A-(\\d+)");

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption deviceOption;

    @Option(
            names = "--model",
            paramLabel = "SHAPE|NAME|DIR",
            defaultValue = "L-4_H-512_A-8",
            description = "A shape like L-4_H-512_A-8, a model name, or a folder with bert_config.json.")
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

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (batchSize < 1 || seqLen < 2 || warmup < 0 || steps < 1 || predictRuns < 0 || scoringRows < 0) {
            throw new InvalidOptionException("--batch-size, --max-seq-len and --steps must be positive, "
                    + "--warmup, --predict-runs and --scoring-rows not negative");
        }
        boolean gpu = deviceOption.useGpu();
        List<Precision> precisions =
                switch (precision) {
                    case fp32 -> List.of(Precision.fp32);
                    case bf16 -> List.of(Precision.bf16);
                    case both -> gpu ? List.of(Precision.fp32) : List.of(Precision.fp32, Precision.bf16);
                };
        BertConfig config = shape(model);
        config.requirePositions(seqLen, null);
        MatMulCeiling.Result ceiling = MatMulCeiling.measure(Math.max(steps, 10));
        Map<Precision, BenchReport.Phases> phases = new LinkedHashMap<>();
        double tokenizerRate;
        try (ModelBenchmark b = new ModelBenchmark(config, batchSize, seqLen, warmup, steps)) {
            for (Precision p : precisions) {
                SessionOptions options = p.session(gpu);
                phases.put(p, new BenchReport.Phases(b.training(options), b.inference(options)));
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
        BenchReport report =
                new BenchReport(model, config, batchSize, seqLen, ceiling, phases, tokenizerRate, scoring, predict);
        System.out.print(json ? Json.PRETTY.toJson(report.toMap()) + "\n" : report.toTable());
        return 0;
    }

    /** Sizes only: timing needs no pretrained weights, so names and shapes are never downloaded. */
    static BertConfig shape(String model) {
        Path dir = Path.of(model);
        if (Files.isRegularFile(dir.resolve("bert_config.json")))
            return BertConfig.read(dir.resolve("bert_config.json"));
        var entry = ModelCatalog.standard().find(model);
        if (entry.isPresent()) return entry.get().config();
        Matcher m = SHAPE.matcher(model);
        if (!m.find()) {
            throw new ModelException("--model '" + model + "' is neither a shape like L-4_H-512_A-8, a known name, "
                    + "nor a folder with bert_config.json");
        }
        return BertConfig.of(
                30522, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }
}
