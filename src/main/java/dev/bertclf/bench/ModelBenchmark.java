package dev.bertclf.bench;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.train.SessionOptions;
import dev.bertclf.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Times the real training step (forward, backward, clipping, AdamW) and the real inference graph on random
 * weights and random token ids of a given shape: speed depends on shapes, not on what the weights hold.
 */
public final class ModelBenchmark {
    /** Median seconds per batch, and peak resident memory (bytes) seen by the end of that phase. */
    public record Timing(double secondsPerBatch, long peakRssBytes) {}

    private final BertConfig config;
    private final int batchSize, seqLen, warmup, reps;
    private final SessionOptions options;

    public ModelBenchmark(BertConfig config, int batchSize, int seqLen, int warmup, int reps, SessionOptions options) {
        this.config = config;
        this.batchSize = batchSize;
        this.seqLen = seqLen;
        this.warmup = warmup;
        this.reps = reps;
        this.options = options;
    }

    public Timing training() {
        TfRuntime.engine();
        EncodedBatch batch = randomBatch();
        float[] labels = new float[batchSize];
        for (int i = 0; i < batchSize; i++) labels[i] = i % 2;
        try (TrainingGraph g = new TrainingGraph(config, 1, options)) {
            load(g.variables().shapes(), g::loadWeights);
            double[] t = new double[reps];
            for (int i = 0; i < warmup + reps; i++) {
                long t0 = System.nanoTime();
                g.train(batch, labels, 1e-5, i);
                if (i >= warmup) t[i - warmup] = (System.nanoTime() - t0) / 1e9;
            }
            return new Timing(MatMulCeiling.median(t), peakRss());
        }
    }

    public Timing inference() {
        TfRuntime.engine();
        EncodedBatch batch = randomBatch();
        try (InferenceGraph g = new InferenceGraph(config, options)) {
            load(g.variables().shapes(), g::load);
            double[] t = new double[reps];
            for (int i = 0; i < warmup + reps; i++) {
                long t0 = System.nanoTime();
                g.logits(batch);
                if (i >= warmup) t[i - warmup] = (System.nanoTime() - t0) / 1e9;
            }
            return new Timing(MatMulCeiling.median(t), peakRss());
        }
    }

    private void load(Map<String, Shape> shapes, java.util.function.Consumer<Map<String, TFloat32>> into) {
        Map<String, TFloat32> w = WeightInit.create(shapes, config.initializerRange, 1);
        try {
            into.accept(w);
        } finally {
            w.values().forEach(TFloat32::close);
        }
    }

    /** Full-length rows of random word pieces (ids above the special tokens), as a worst case for padding. */
    private EncodedBatch randomBatch() {
        Random r = new Random(1);
        int n = batchSize * seqLen;
        int[] ids = new int[n], mask = new int[n], types = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1000 % config.vocabSize + r.nextInt(Math.max(1, config.vocabSize - 1000));
            mask[i] = 1;
        }
        return new EncodedBatch(batchSize, seqLen, ids, mask, types);
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
}
