package dev.bertclf.bench;

import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.Precision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The figures of one {@code bench} run, as a table for people and as a flat map for {@code --json}. Rates are
 * also given as shares of the MatMul ceiling measured in the same run, and bf16 as a speed-up over fp32 from the
 * same run, because on a shared machine only such ratios are stable. A share above 1 can only mean the ceiling was
 * measured in a slow moment: {@link #settled} measures it again, and a share still above 1 is shown as
 * {@value #NOISY}, never as a figure.
 */
public record BenchReport(
        String model,
        BertConfig config,
        int batchSize,
        int seqLen,
        MatMulCeiling.Result ceiling,
        int ceilingRemeasures,
        Map<Precision, Phases> byPrecision,
        double tokenizerTextsPerSecond,
        Map<Precision, Double> scoringRowsPerSecond,
        double[] predictSeconds,
        Serving serving,
        int opProfileTop) {

    /** What a share of the ceiling above 1 is shown as, in the table and in the JSON. */
    public static final String NOISY = "noisy";

    /** Training and inference timings at one precision. */
    public record Phases(ModelBenchmark.Timing training, ModelBenchmark.Timing inference) {}

    /** {@code serve} under concurrent clients, at one precision; {@code levels} empty when it was skipped. */
    public record Serving(Precision precision, List<ServeBenchmark.Level> levels) {
        public static final Serving NONE = new Serving(Precision.fp32, List.of());
    }

    /**
     * This report, or, while a share of the ceiling is above 1 and at most {@code retries} times, the report with
     * the ceiling measured again ({@code remeasure}) and kept shape by shape at its best.
     */
    public BenchReport settled(Supplier<MatMulCeiling.Result> remeasure, int retries) {
        BenchReport r = this;
        for (int i = 0; i < retries && r.highestShare() > 1; i++) {
            r = new BenchReport(
                    model,
                    config,
                    batchSize,
                    seqLen,
                    r.ceiling.max(remeasure.get()),
                    r.ceilingRemeasures + 1,
                    byPrecision,
                    tokenizerTextsPerSecond,
                    scoringRowsPerSecond,
                    predictSeconds,
                    serving,
                    opProfileTop);
        }
        return r;
    }

    double highestShare() {
        double most = 0;
        for (Map.Entry<Precision, Phases> e : byPrecision.entrySet()) {
            double c = ceiling.best(e.getKey());
            most = Math.max(most, trainingGflops(e.getValue().training()) / c);
            most = Math.max(most, inferenceGflops(e.getValue().inference()) / c);
        }
        return most;
    }

    /** {@code gflops} as a share of the ceiling of {@code precision}, or {@link #NOISY} when that is above 1. */
    Object share(double gflops, Precision precision) {
        double share = gflops / ceiling.best(precision);
        return share > 1 ? NOISY : share;
    }

    private String percentOfCeiling(double gflops, Precision precision) {
        Object share = share(gflops, precision);
        return share instanceof Double d
                ? String.format(Locale.ROOT, "%3.0f%% of ceiling", 100 * d)
                : "noisy (above the ceiling)";
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

    /** The plain inference rate of the precision served, what the serving rates are a share of. */
    private double servedInferenceRate() {
        return examplesPerSecond(byPrecision.get(serving.precision()).inference());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("shape", config.toString());
        m.put("batch_size", batchSize);
        m.put("seq_len", seqLen);
        m.put("fused_kernels", FusedKernels.available());
        m.put("precisions", byPrecision.keySet());
        m.put("matmul_ceiling_fp32_gflops", ceiling.fp32());
        m.put("matmul_ceiling_bf16_gflops", ceiling.bf16());
        m.put(
                "matmul_ceiling_by_shape",
                ceiling.figures().stream().map(BenchReport::figure).toList());
        m.put("matmul_ceiling_remeasures", ceilingRemeasures);
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
        if (!serving.levels().isEmpty()) {
            m.put("serve_precision", serving.precision());
            m.put(
                    "serve_clients",
                    serving.levels().stream().map(ServeBenchmark.Level::clients).toList());
            for (ServeBenchmark.Level l : serving.levels()) {
                String prefix = "serve_" + l.clients() + "_clients_";
                m.put(prefix + "requests", l.requests());
                m.put(prefix + "requests_per_second", l.requestsPerSecond());
                m.put(prefix + "share_of_inference", l.requestsPerSecond() / servedInferenceRate());
                m.put(prefix + "p50_ms", l.p50Millis());
                m.put(prefix + "p99_ms", l.p99Millis());
            }
        }
        return m;
    }

    private static Map<String, Object> figure(MatMulCeiling.Figure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shape", f.shape().toString());
        m.put("fp32_gflops", f.fp32());
        m.put("bf16_gflops", f.bf16());
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
        m.put(prefix + "share_of_ceiling", share(gflops, precision));
        m.put(prefix + inputKey, t.inputShare());
        m.put(prefix + "peak_rss_bytes", t.peakRssBytes());
        if (t.profile() != null) {
            m.put(prefix + "op_ms", t.profile().totalMillis());
            m.put(prefix + "op_matmul_share", t.profile().matMulShare());
            m.put(prefix + "op_profile", t.profile().top(opProfileTop));
        }
    }

    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Model %s (%s), batch %d, %d tokens, fused training kernels %s%n",
                model,
                config,
                batchSize,
                seqLen,
                FusedKernels.available() ? "on" : "off"));
        sb.append(String.format(
                Locale.ROOT,
                "MatMul ceiling: fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s, the best of %d shapes"
                        + " (fp32/bf16 GFLOP/s: %s%s)%n",
                ceiling.fp32(),
                ceiling.bf16(),
                ceiling.figures().size(),
                ceiling.figures().stream()
                        .map(f -> String.format(Locale.ROOT, "%s %.0f/%.0f", f.shape(), f.fp32(), f.bf16()))
                        .collect(Collectors.joining(", ")),
                ceilingRemeasures == 0 ? "" : "; measured again " + ceilingRemeasures + "x, the run was noisy"));
        byPrecision.forEach((p, phases) -> {
            ModelBenchmark.Timing t = phases.training(), i = phases.inference();
            sb.append(String.format(
                    Locale.ROOT,
                    "Training  %s: %.3f s/step   %6.1f examples/s %6.1f GFLOP/s %s,"
                            + " input wait %.2f%%, peak RSS %.2f GiB%n",
                    p,
                    t.secondsPerBatch(),
                    examplesPerSecond(t),
                    trainingGflops(t),
                    percentOfCeiling(trainingGflops(t), p),
                    100 * t.inputShare(),
                    gib(t.peakRssBytes())));
            sb.append(String.format(
                    Locale.ROOT,
                    "Inference %s: %.3f s/batch  %6.1f examples/s %6.1f GFLOP/s %s,"
                            + " tokenizing %.2f%%, peak RSS %.2f GiB%n",
                    p,
                    i.secondsPerBatch(),
                    examplesPerSecond(i),
                    inferenceGflops(i),
                    percentOfCeiling(inferenceGflops(i), p),
                    100 * i.inputShare(),
                    gib(i.peakRssBytes())));
        });
        byPrecision.forEach((p, phases) -> {
            OpProfile profile = phases.training().profile();
            if (profile != null) sb.append(profile.toTable("Training " + p + " step, traced", opProfileTop));
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
        scoringRowsPerSecond.forEach((p, rate) -> sb.append(String.format(
                Locale.ROOT,
                "predict --input FILE (%s): %.1f rows/s (%.2f of inference)%n",
                p,
                rate,
                rate / examplesPerSecond(byPrecision.get(p).inference()))));
        if (predictSeconds.length > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "predict \"%s\", whole command: median %.2f s of %d runs%n",
                    PredictLatency.SENTENCE,
                    predictMedianSeconds(),
                    predictSeconds.length));
        }
        for (ServeBenchmark.Level l : serving.levels()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "serve %s with %2d client%s: %6.1f requests/s (%.2f of inference), p50 %.0f ms, p99 %.0f ms%n",
                    serving.precision(),
                    l.clients(),
                    l.clients() == 1 ? "" : "s",
                    l.requestsPerSecond(),
                    l.requestsPerSecond() / servedInferenceRate(),
                    l.p50Millis(),
                    l.p99Millis()));
        }
        return sb.toString();
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }
}
