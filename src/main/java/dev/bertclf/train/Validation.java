package dev.bertclf.train;

import dev.bertclf.runtime.ProgressBar;

/**
 * The pass over the validation set after each epoch, dropout off: mean loss, accuracy and the {@link Loss}'s F1. A
 * worker of a data-parallel run validates its contiguous share, and the shares are gathered, in order, so every
 * worker reports the whole set's figures.
 */
final class Validation {
    private final int batchSize;

    Validation(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Mean loss, accuracy and F1 over {@code data}; null if {@code stop} came before the pass finished. */
    double[] run(TrainingGraph graph, TokenizedDataset data, String label, StopSignal stop) {
        if (data == null || data.size() == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        int n = data.size();
        int[] share = graph.step().share(0, n);
        Validated v = validate(graph, data, share[0], share[1], label, stop);
        if (v == null) return null;
        if (graph.step() instanceof ReplicatedStep workers)
            v = gathered(workers, graph.loss(), v, n, data.labelWidth());
        return new double[] {v.lossSum() / n, v.correct() / n, graph.loss().f1(v.logits(), v.y(), n)};
    }

    /** A validation pass's sums, logits and labels, over all examples or a worker's share of them. */
    private record Validated(double lossSum, double correct, float[] logits, float[] y) {}

    /** Examples {@code [lo, hi)} of {@code data} in batches, dropout off; null if {@code stop} came first. */
    private Validated validate(
            TrainingGraph graph, TokenizedDataset data, int lo, int hi, String label, StopSignal stop) {
        int[] order = Trainer.identity(data.size());
        double lossSum = 0, correct = 0;
        int w = graph.loss().logitsPerExample(), lw = data.labelWidth();
        float[] logits = new float[(hi - lo) * w], y = new float[(hi - lo) * lw];
        try (ProgressBar bar = new ProgressBar(label, hi - lo, 0, ProgressBar.Unit.ITEMS)) {
            for (int from = lo; from < hi; from += batchSize) {
                if (stop.received() != null) return null;
                int to = Math.min(hi, from + batchSize);
                float[] batchY = data.labels(order, from, to);
                TrainingGraph.EvalResult r = graph.evaluate(data.batch(order, from, to), batchY);
                lossSum += r.lossSum();
                correct += r.correct();
                System.arraycopy(r.logits(), 0, logits, (from - lo) * w, (to - from) * w);
                System.arraycopy(batchY, 0, y, (from - lo) * lw, batchY.length);
                bar.step(to - from);
            }
        }
        return new Validated(lossSum, correct, logits, y);
    }

    /**
     * Every worker's share of a validation pass of {@code n} examples, put back together in order. A gather takes
     * the same length from every worker, so each sends its sums, its row count and its rows padded to the largest
     * share.
     */
    private static Validated gathered(ReplicatedStep workers, Loss loss, Validated mine, int n, int labelWidth) {
        int w = loss.logitsPerExample(), count = workers.workers();
        int maxRows = (n + count - 1) / count, rows = mine.logits().length / w;
        double[] packed = new double[3 + maxRows * (w + labelWidth)];
        packed[0] = mine.lossSum();
        packed[1] = mine.correct();
        packed[2] = rows;
        for (int i = 0; i < mine.logits().length; i++) packed[3 + i] = mine.logits()[i];
        for (int i = 0; i < mine.y().length; i++) packed[3 + maxRows * w + i] = mine.y()[i];
        double lossSum = 0, correct = 0;
        float[] logits = new float[n * w], y = new float[n * labelWidth];
        int at = 0;
        for (double[] share : workers.gather(ReplicatedStep.Gathered.VALIDATION, packed)) {
            int r = (int) share[2];
            lossSum += share[0];
            correct += share[1];
            for (int i = 0; i < r * w; i++) logits[at * w + i] = (float) share[3 + i];
            for (int i = 0; i < r * labelWidth; i++) y[at * labelWidth + i] = (float) share[3 + maxRows * w + i];
            at += r;
        }
        return new Validated(lossSum, correct, logits, y);
    }
}
