package dev.bertclf.infer;

import dev.bertclf.runtime.DataException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The decision threshold of a binary model that maximises a metric on labelled examples ({@code evaluate
 * --find-threshold}): a model trained on balanced data but used where positives are rare, or where a missed positive
 * costs more than a false alarm, is better served by another threshold than 0.5, and the examples say which.
 *
 * <p>The search is exact: the positive class is predicted when its probability is above the threshold, so only the
 * distinct probabilities matter, and every cut between two neighbouring ones (and above the highest, below the
 * lowest) is tried; these are the points of the exact {@link RocCurve}. A cut's threshold is the midpoint of its
 * two neighbouring probabilities (any threshold between them decides alike; the midpoint leaves new texts the
 * widest margin on both sides), or the lower one where no double lies strictly between them. Where several cuts reach
 * the best value exactly, the one whose threshold is nearest 0.5 wins, and of two as near, the lower threshold: a
 * deterministic choice that moves least from the model's trained default.
 */
public final class ThresholdSearch {
    private ThresholdSearch() {}

    /** What the threshold maximises, as {@code --find-threshold} names it. */
    public enum Metric {
        /** The F1 of the positive class: {@code 2 tp / (2 tp + fp + fn)}. */
        f1("F1"),
        /** The share of examples decided right. */
        accuracy("accuracy"),
        /** Youden's J statistic: the true positive rate minus the false positive rate (a ROC point's height). */
        youden("Youden's J");

        private final String title;

        Metric(String title) {
            this.title = title;
        }

        /** The metric's name in a sentence. */
        public String title() {
            return title;
        }

        /** The metric for these counts of a decision. */
        public double value(long tp, long fp, long tn, long fn) {
            return switch (this) {
                case f1 -> tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
                case accuracy -> (double) (tp + tn) / (tp + fp + tn + fn);
                case youden -> (double) tp / (tp + fn) - (double) fp / (fp + tn);
            };
        }

        /** The metric of the decision {@code m} describes. */
        public double value(BinaryMetrics m) {
            return value(m.truePositives(), m.falsePositives(), m.trueNegatives(), m.falseNegatives());
        }
    }

    /**
     * The best threshold found.
     *
     * @param threshold the threshold, strictly between 0 and 1
     * @param value the metric's value at it
     * @param scores how many distinct probabilities the examples have (one more cut than that was tried)
     */
    public record Result(Metric metric, double threshold, double value, int scores) {}

    /**
     * The threshold that maximises {@code metric} for these logits (a binary model's, one per example) and their
     * 0/1 labels.
     *
     * @throws DataException if the examples do not hold both classes (every threshold would then do as well)
     */
    public static Result find(float[] logits, int[] labels, Metric metric) {
        if (logits.length != labels.length) {
            throw new IllegalArgumentException(logits.length + " logits for " + labels.length + " labels");
        }
        long positives = Arrays.stream(labels).filter(y -> y == 1).count();
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new DataException("--find-threshold needs examples of both classes; the " + labels.length
                    + " examples evaluated hold " + (positives == 0 ? "no positive" : "no negative") + " one");
        }
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) p[i] = TextClassifier.sigmoid(logits[i]);
        int[] order = IntStream.range(0, p.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> p[i]).reversed())
                .mapToInt(Integer::intValue)
                .toArray();
        Result best = null;
        long tp = 0, fp = 0;
        double above = 1; // the lowest probability predicted positive at this cut (1: none yet)
        int scores = 0;
        for (int k = 0; k <= order.length; k++) {
            boolean cut = k == order.length || k == 0 || p[order[k]] != p[order[k - 1]];
            if (cut) {
                double below = k == order.length ? 0 : p[order[k]];
                double t = thresholdBetween(below, above);
                if (!Double.isNaN(t)) {
                    double v = metric.value(tp, fp, negatives - fp, positives - tp);
                    if (best == null || better(v, t, best)) best = new Result(metric, t, v, 0);
                }
                if (k < order.length) {
                    above = below;
                    scores++;
                }
            }
            if (k < order.length) {
                if (labels[order[k]] == 1) tp++;
                else fp++;
            }
        }
        if (best == null) { // only if every probability is exactly 0 or 1: no threshold in (0, 1) separates them
            throw new DataException("--find-threshold: the model's probabilities are all 0 or 1 on these examples; "
                    + "no threshold between 0 and 1 changes its decisions");
        }
        return new Result(metric, best.threshold(), best.value(), scores);
    }

    /**
     * A threshold that puts {@code below} on the negative side and {@code above} on the positive one ({@code below
     * <= t < above}), strictly between 0 and 1; NaN if there is none.
     */
    static double thresholdBetween(double below, double above) {
        double mid = below + (above - below) / 2;
        double t = mid >= below && mid < above ? mid : below;
        return t > 0 && t < 1 && t < above ? t : Double.NaN;
    }

    static boolean better(double value, double threshold, Result best) {
        if (value != best.value()) return value > best.value();
        double d = Math.abs(threshold - 0.5), bestD = Math.abs(best.threshold() - 0.5);
        return d != bestD ? d < bestD : threshold < best.threshold();
    }
}
