package dev.bertclf.cli;

import com.google.gson.GsonBuilder;
import dev.bertclf.bench.BenchReport;
import dev.bertclf.bench.MatMulCeiling;
import dev.bertclf.bench.ModelBenchmark;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelCatalog;
import dev.bertclf.model.ModelException;
import dev.bertclf.train.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Measure this machine's MatMul ceiling, then training steps and inference batches of a model",
                "shape (random weights), reported as examples/s, GFLOP/s, share of the ceiling and peak memory."})
final class BenchCommand implements Callable<Integer> {
    private static final Pattern SHAPE = Pattern.compile("L-(\\d+)_H-(\\d+)_A-(\\d+)");

    @Mixin CommonOptions common;

    @Option(names = "--model", paramLabel = "SHAPE|NAME|DIR", defaultValue = "L-4_H-512_A-8",
            description = "A shape like L-4_H-512_A-8, a model name, or a folder with bert_config.json.")
    String model;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Examples per step.")
    int batchSize;

    @Option(names = "--max-seq-len", paramLabel = "N", defaultValue = "128", description = "Tokens per example.")
    int seqLen;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed steps first.")
    int warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "5", description = "Timed steps; the median is reported.")
    int steps;

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            description = "fp32 or bf16 (oneDNN auto mixed precision, float32 master weights).")
    Precision precision;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (batchSize < 1 || seqLen < 2 || warmup < 0 || steps < 1) {
            throw new IllegalArgumentException("--batch-size, --max-seq-len and --steps must be positive, --warmup not negative");
        }
        BertConfig config = shape(model);
        if (seqLen > config.maxPositionEmbeddings) {
            throw new IllegalArgumentException("--max-seq-len " + seqLen + " exceeds the model's " + config.maxPositionEmbeddings + " positions");
        }
        SessionOptions options = precision.session();
        MatMulCeiling.Result ceiling = MatMulCeiling.measure(Math.max(steps, 10));
        ModelBenchmark b = new ModelBenchmark(config, batchSize, seqLen, warmup, steps, options);
        ModelBenchmark.Timing training = b.training();
        ModelBenchmark.Timing inference = b.inference();
        BenchReport report = new BenchReport(model, config, batchSize, seqLen, precision.name(), ceiling, training, inference);
        System.out.print(json ? new GsonBuilder().setPrettyPrinting().create().toJson(report.toMap()) + "\n" : report.toTable());
        return 0;
    }

    /** Sizes only: timing needs no pretrained weights, so names and shapes are never downloaded. */
    static BertConfig shape(String model) {
        Path dir = Path.of(model);
        if (Files.isRegularFile(dir.resolve("bert_config.json"))) return BertConfig.read(dir.resolve("bert_config.json"));
        int layers, hidden, heads;
        var entry = ModelCatalog.find(model);
        if (entry.isPresent()) {
            layers = entry.get().layers();
            hidden = entry.get().hidden();
            heads = entry.get().heads();
        } else {
            Matcher m = SHAPE.matcher(model);
            if (!m.find()) {
                throw new ModelException("--model '" + model + "' is neither a shape like L-4_H-512_A-8, a known name, "
                        + "nor a folder with bert_config.json");
            }
            layers = Integer.parseInt(m.group(1));
            hidden = Integer.parseInt(m.group(2));
            heads = Integer.parseInt(m.group(3));
        }
        return BertConfig.of(30522, layers, hidden, heads);
    }
}
