package dev.bertclf.bench;

import dev.bertclf.model.BertConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The figures of one {@code bench} run, as a table for people and as a map for {@code --json}. */
public record BenchReport(String model, BertConfig config, int batchSize, int seqLen, String precision,
                          MatMulCeiling.Result ceiling, ModelBenchmark.Timing training, ModelBenchmark.Timing inference) {

    double ceilingFor(String precision) { return "bf16".equals(precision) ? ceiling.bf16() : ceiling.fp32(); }

    double trainingExamplesPerSecond() { return batchSize / training.secondsPerBatch(); }

    double trainingGflops() { return FlopCount.trainingPerExample(config, seqLen) * trainingExamplesPerSecond() / 1e9; }

    double inferenceExamplesPerSecond() { return batchSize / inference.secondsPerBatch(); }

    double inferenceGflops() { return FlopCount.forwardPerExample(config, seqLen) * inferenceExamplesPerSecond() / 1e9; }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("shape", config.toString());
        m.put("batch_size", batchSize);
        m.put("seq_len", seqLen);
        m.put("precision", precision);
        m.put("matmul_ceiling_fp32_gflops", ceiling.fp32());
        m.put("matmul_ceiling_bf16_gflops", ceiling.bf16());
        m.put("train_seconds_per_step", training.secondsPerBatch());
        m.put("train_examples_per_second", trainingExamplesPerSecond());
        m.put("train_gflops", trainingGflops());
        m.put("train_share_of_ceiling", trainingGflops() / ceilingFor(precision));
        m.put("train_peak_rss_bytes", training.peakRssBytes());
        m.put("infer_seconds_per_batch", inference.secondsPerBatch());
        m.put("infer_examples_per_second", inferenceExamplesPerSecond());
        m.put("infer_gflops", inferenceGflops());
        m.put("infer_share_of_ceiling", inferenceGflops() / ceilingFor(precision));
        m.put("peak_rss_bytes", inference.peakRssBytes());
        return m;
    }

    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Model %s (%s), batch %d, %d tokens, %s%n", model, config, batchSize, seqLen, precision));
        sb.append(String.format(Locale.ROOT, "MatMul ceiling:  fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s%n", ceiling.fp32(), ceiling.bf16()));
        sb.append(String.format(Locale.ROOT, "Training:  %.3f s/step  %.1f examples/s  %.1f GFLOP/s  %.0f%% of ceiling  peak RSS %.2f GiB%n",
                training.secondsPerBatch(), trainingExamplesPerSecond(), trainingGflops(),
                100 * trainingGflops() / ceilingFor(precision), training.peakRssBytes() / (double) (1L << 30)));
        sb.append(String.format(Locale.ROOT, "Inference: %.3f s/batch %.1f examples/s  %.1f GFLOP/s  %.0f%% of ceiling%n",
                inference.secondsPerBatch(), inferenceExamplesPerSecond(), inferenceGflops(),
                100 * inferenceGflops() / ceilingFor(precision)));
        return sb.toString();
    }
}
