package dev.bertclf.bench;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.TokenizedDataset;
import dev.bertclf.train.TrainingGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.ndarray.Shape;

/**
 * Times the real training step (forward, backward, clipping, AdamW) and the real inference graph on random
 * weights and made-up reviews of a given shape: speed depends on shapes, not on what the weights or words are.
 * Batches come through the same path as in {@code train} and {@code predict} (a {@link TokenizedDataset} for
 * training, the tokenizer per batch for inference), and the time spent there is reported apart, as the share of
 * a step spent waiting for input.
 */
public final class ModelBenchmark implements AutoCloseable {
    /**
     * Median seconds per batch, median seconds of it spent producing the batch's input, and peak resident memory
     * (bytes) during that phase alone.
     */
    public record Timing(double secondsPerBatch, double inputSecondsPerBatch, long peakRssBytes, OpProfile profile) {
        /** Without an op profile. */
        public Timing(double secondsPerBatch, double inputSecondsPerBatch, long peakRssBytes) {
            this(secondsPerBatch, inputSecondsPerBatch, peakRssBytes, null);
        }

        public double inputShare() {
            return inputSecondsPerBatch / secondsPerBatch;
        }
    }

    static final int WORDS_PER_TEXT = 200;

    private final BertConfig config;
    private final int batchSize, seqLen, warmup, reps;
    private final Path vocabDir;
    private final WordPieceTokenizer tokenizer;
    private final List<String> texts;

    public ModelBenchmark(BertConfig config, int batchSize, int seqLen, int warmup, int reps) {
        this.config = config;
        this.batchSize = batchSize;
        this.seqLen = seqLen;
        this.warmup = warmup;
        this.reps = reps;
        TfRuntime.engine();
        try {
            vocabDir = Files.createTempDirectory("bert-clf-bench-");
            Path vocab = vocabDir.resolve("vocab.txt");
            Files.write(vocab, SyntheticText.vocabulary(config.vocabSize, PredictLatency.SENTENCE));
            tokenizer = WordPieceTokenizer.fromVocab(vocab, true, seqLen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the benchmark: " + e.getMessage(), e);
        }
        texts = SyntheticText.texts(batchSize * 4, WORDS_PER_TEXT, config.vocabSize, 1);
    }

    /** Tokenizer throughput in texts per second, on reviews of {@value #WORDS_PER_TEXT} words. */
    public double tokenizerTextsPerSecond() {
        List<String> many = SyntheticText.texts(512, WORDS_PER_TEXT, config.vocabSize, 2);
        tokenizer.encode(many.subList(0, 64));
        long t0 = System.nanoTime();
        TokenizedDataset.encode("benchmark texts", tokenizer, many.size(), many::get, i -> i % 2);
        return many.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** {@code profile}: after the timed steps, one more step is traced and its {@link OpProfile} kept. */
    public Timing training(SessionOptions options, boolean profile) {
        resetPeakRss();
        TokenizedDataset data =
                TokenizedDataset.encode("benchmark texts", tokenizer, texts.size(), texts::get, i -> i % 2);
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = (i * 7) % order.length;
        try (TrainingGraph g = new TrainingGraph(config, 1, options)) {
            load(g.variables().shapes(), g::loadWeights);
            double[] total = new double[reps], input = new double[reps];
            for (int i = 0; i < warmup + reps; i++) {
                int from = (i * batchSize) % data.size(), to = from + batchSize;
                long t0 = System.nanoTime();
                EncodedBatch batch = data.batch(order, from, to);
                float[] labels = data.labels(order, from, to);
                long t1 = System.nanoTime();
                g.train(batch, labels, 1e-5, i);
                long t2 = System.nanoTime();
                if (i >= warmup) {
                    total[i - warmup] = (t2 - t0) / 1e9;
                    input[i - warmup] = (t1 - t0) / 1e9;
                }
            }
            long peak = peakRss();
            OpProfile ops = null;
            if (profile) {
                int from = 0, to = batchSize;
                ops = OpProfile.of(
                        g.traceTrain(data.batch(order, from, to), data.labels(order, from, to), 1e-5, warmup + reps));
            }
            return new Timing(MatMulCeiling.median(total), MatMulCeiling.median(input), peak, ops);
        }
    }

    public Timing inference(SessionOptions options) {
        resetPeakRss();
        try (InferenceGraph g = new InferenceGraph(config, options)) {
            load(g.variables().shapes(), g::load);
            double[] total = new double[reps], input = new double[reps];
            for (int i = 0; i < warmup + reps; i++) {
                int from = (i * batchSize) % texts.size();
                long t0 = System.nanoTime();
                EncodedBatch batch = tokenizer.encode(texts.subList(from, from + batchSize));
                long t1 = System.nanoTime();
                g.logits(batch);
                long t2 = System.nanoTime();
                if (i >= warmup) {
                    total[i - warmup] = (t2 - t0) / 1e9;
                    input[i - warmup] = (t1 - t0) / 1e9;
                }
            }
            return new Timing(MatMulCeiling.median(total), MatMulCeiling.median(input), peakRss());
        }
    }

    private void load(Map<String, Shape> shapes, Consumer<Weights> into) {
        try (Weights w = WeightInit.create(shapes, config.initializerRange, 1)) {
            into.accept(w);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            FileUtil.deleteTree(vocabDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code VmHWM} of this process, from Linux's /proc; -1 where it cannot be read. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /** Starts a new peak (Linux 4.0+: writing 5 to clear_refs resets VmHWM), so each phase reports its own. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // not Linux, or not allowed: peaks then accumulate over phases
        }
    }
}
