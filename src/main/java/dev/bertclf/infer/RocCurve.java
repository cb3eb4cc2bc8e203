package dev.bertclf.infer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The ROC curve of scores against 0/1 labels, exact: one point per distinct score (not per sampled threshold),
 * so tied scores make one diagonal step and the trapezoid area equals the Mann-Whitney probability that a random
 * positive scores above a random negative, ties counting one half. Accuracy hides how well a model ranks;
 * the AUC does not depend on the 0.5 threshold.
 *
 * @param falsePositiveRates from 0 to 1, one entry per point, starting at the origin
 * @param truePositiveRates  the matching true positive rates
 * @param auc                the area under the curve; NaN when the labels hold only one class
 */
public record RocCurve(double[] falsePositiveRates, double[] truePositiveRates, double auc) {

    public static RocCurve of(float[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores for " + labels.length + " labels");
        }
        long positives = Arrays.stream(labels).filter(y -> y == 1).count();
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) return new RocCurve(new double[0], new double[0], Double.NaN);
        int[] order = IntStream.range(0, scores.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> scores[i]).reversed())
                .mapToInt(Integer::intValue)
                .toArray();
        double[] fpr = new double[scores.length + 1], tpr = new double[scores.length + 1];
        int points = 1;
        long tp = 0, fp = 0;
        double area = 0;
        for (int k = 0; k < order.length; k++) {
            if (labels[order[k]] == 1) tp++;
            else fp++;
            boolean lastOfTie = k + 1 == order.length || scores[order[k + 1]] != scores[order[k]];
            if (!lastOfTie) continue;
            fpr[points] = (double) fp / negatives;
            tpr[points] = (double) tp / positives;
            area += (fpr[points] - fpr[points - 1]) * (tpr[points] + tpr[points - 1]) / 2;
            points++;
        }
        return new RocCurve(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points), area);
    }
}
