package dev.bertclf.bench;

import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.Precision;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@code bench} run, as a table for people and as a flat map for {@code --json}. Rates are
 * also given as shares of the MatMul ceiling measured in the same run, and bf16 as a speed-up over fp32 from the
 * same run, because on a shared machine only such ratios are stable.
 */
public record BenchReport(
        String model,
        BertConfig config,
        int batchSize,
        int seqLen,
        MatMulCeiling.Result ceiling,
        Map<Precision, Phases> byPrecision,
        double tokenizerTextsPerSecond,
        Map<Precision, Double> scoringRowsPerSecond,
        double[] predictSeconds) {

    /** Training and inference timings at one precision. */
    public record Phases(ModelBenchmark.Timing training, ModelBenchmark.Timing inference) {}

    double ceilingFor(Precision precision) {
        return precision == Precision.bf16 ? ceiling.bf16() : ceiling.fp32();
    }

    double examplesPerSecond(ModelBenchmark.Timing t) {
        return batchSize / t.secondsPerBatch();
    }

    double trainingGflops(ModelBenchmark.Timing t) {
        return FlopCount.trainingPerExample(config, seqLen) * examplesPerSecond(t) / 1e9;
    }

    double inferenceGflops(ModelBenchmark.Timing t) {
        return FlopCount.forwardPerExample(config, seqLen) * examplesPerSecond(t) / 1e9;
    }

    /** Median seconds of the whole {@code predict} command; NaN when not measured. */
    double predictMedianSeconds() {
        return predictSeconds.length == 0 ? Double.NaN : MatMulCeiling.median(predictSeconds);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("shape", config.toString());
        m.put("batch_size", batchSize);
        m.put("seq_len", seqLen);
        m.put("precisions", byPrecision.keySet());
        m.put("matmul_ceiling_fp32_gflops", ceiling.fp32());
        m.put("matmul_ceiling_bf16_gflops", ceiling.bf16());
        byPrecision.forEach((p, phases) -> {
            putPhase(
                    m,
                    "train_" + p + "_",
                    "seconds_per_step",
                    "input_wait_share",
                    phases.training(),
                    trainingGflops(phases.training()),
                    p);
            putPhase(
                    m,
                    "infer_" + p + "_",
                    "seconds_per_batch",
                    "tokenize_share",
                    phases.inference(),
                    inferenceGflops(phases.inference()),
                    p);
        });
        Phases fp32 = byPrecision.get(Precision.fp32), bf16 = byPrecision.get(Precision.bf16);
        if (fp32 != null && bf16 != null) {
            m.put(
                    "train_bf16_speedup",
                    fp32.training().secondsPerBatch() / bf16.training().secondsPerBatch());
            m.put(
                    "infer_bf16_speedup",
                    fp32.inference().secondsPerBatch() / bf16.inference().secondsPerBatch());
        }
        scoringRowsPerSecond.forEach((p, rate) -> {
            m.put("score_" + p + "_rows_per_second", rate);
            m.put(
                    "score_" + p + "_share_of_inference",
                    rate / examplesPerSecond(byPrecision.get(p).inference()));
        });
        m.put("tokenizer_texts_per_second", tokenizerTextsPerSecond);
        if (predictSeconds.length > 0) {
            m.put("predict_command_median_seconds", predictMedianSeconds());
            m.put("predict_command_seconds", predictSeconds);
        }
        return m;
    }

    private void putPhase(
            Map<String, Object> m,
            String prefix,
            String secondsKey,
            String inputKey,
            ModelBenchmark.Timing t,
            double gflops,
            Precision precision) {
        m.put(prefix + secondsKey, t.secondsPerBatch());
        m.put(prefix + "examples_per_second", examplesPerSecond(t));
        m.put(prefix + "gflops", gflops);
        m.put(prefix + "share_of_ceiling", gflops / ceilingFor(precision));
        m.put(prefix + inputKey, t.inputShare());
        m.put(prefix + "peak_rss_bytes", t.peakRssBytes());
    }

    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Model %s (%s), batch %d, %d tokens%n", model, config, batchSize, seqLen));
        sb.append(String.format(
                Locale.ROOT, "MatMul ceiling: fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s%n", ceiling.fp32(), ceiling.bf16()));
        byPrecision.forEach((p, phases) -> {
            ModelBenchmark.Timing t = phases.training(), i = phases.inference();
            sb.append(String.format(
                    Locale.ROOT,
                    "Training  %s: %.3f s/step   %6.1f examples/s %6.1f GFLOP/s %3.0f%% of ceiling,"
                            + " input wait %.2f%%, peak RSS %.2f GiB%n",
                    p,
                    t.secondsPerBatch(),
                    examplesPerSecond(t),
                    trainingGflops(t),
                    100 * trainingGflops(t) / ceilingFor(p),
                    100 * t.inputShare(),
                    gib(t.peakRssBytes())));
            sb.append(String.format(
                    Locale.ROOT,
                    "Inference %s: %.3f s/batch  %6.1f examples/s %6.1f GFLOP/s %3.0f%% of ceiling,"
                            + " tokenizing %.2f%%, peak RSS %.2f GiB%n",
                    p,
                    i.secondsPerBatch(),
                    examplesPerSecond(i),
                    inferenceGflops(i),
                    100 * inferenceGflops(i) / ceilingFor(p),
                    100 * i.inputShare(),
                    gib(i.peakRssBytes())));
        });
        Phases fp32 = byPrecision.get(Precision.fp32), bf16 = byPrecision.get(Precision.bf16);
        if (fp32 != null && bf16 != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "bf16 speed-up over fp32: training %.2fx, inference %.2fx%n",
                    fp32.training().secondsPerBatch() / bf16.training().secondsPerBatch(),
                    fp32.inference().secondsPerBatch() / bf16.inference().secondsPerBatch()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "Tokenizer: %.0f texts/s (%d-word reviews)%n",
                tokenizerTextsPerSecond,
                ModelBenchmark.WORDS_PER_TEXT));
        if (predictSeconds.length > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "predict \"%s\", whole command: median %.2f s of %d runs%n",
                    PredictLatency.SENTENCE,
                    predictMedianSeconds(),
                    predictSeconds.length));
        }
        return sb.toString();
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }
}
