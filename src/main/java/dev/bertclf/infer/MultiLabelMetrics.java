package dev.bertclf.infer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code evaluate} reports for a multi-label classifier, from one logit per class and multi-hot labels, a class
 * predicted when its sigmoid is above the threshold: the loss training minimises (the sigmoid cross-entropy, mean
 * over classes and examples), per-class precision, recall and F1, micro-F1 (every class decision pooled, so frequent
 * classes weigh more; the validation {@code val_f1} of a multi-label run) and macro-F1 (the unweighted mean of the
 * classes' F1), subset accuracy (every class of an example right) and Hamming loss (the share of wrong class
 * decisions), as scikit-learn defines them.
 */
public record MultiLabelMetrics(
        int count,
        double threshold,
        double loss,
        double subsetAccuracy,
        double hammingLoss,
        double[] precision,
        double[] recall,
        double[] f1,
        long[] support,
        double microF1,
        double macroF1) {

    /** {@code logits} and {@code multiHot} hold {@code numClasses} values per example, row after row. */
    public static MultiLabelMetrics of(float[] logits, float[] multiHot, int numClasses, double threshold) {
        int n = multiHot.length / numClasses;
        long[] tp = new long[numClasses], fp = new long[numClasses], fn = new long[numClasses];
        long exact = 0, wrong = 0;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            boolean allRight = true;
            for (int c = 0; c < numClasses; c++) {
                float x = logits[i * numClasses + c];
                boolean truth = multiHot[i * numClasses + c] > 0.5f;
                boolean predicted = TextClassifier.sigmoid(x) > threshold;
                loss += sigmoidCrossEntropy(x, truth);
                if (predicted && truth) tp[c]++;
                if (predicted && !truth) fp[c]++;
                if (!predicted && truth) fn[c]++;
                if (predicted != truth) {
                    allRight = false;
                    wrong++;
                }
            }
            if (allRight) exact++;
        }
        double[] precision = new double[numClasses], recall = new double[numClasses], f1 = new double[numClasses];
        long[] support = new long[numClasses];
        long tpAll = 0, fpAll = 0, fnAll = 0;
        double f1Sum = 0;
        for (int c = 0; c < numClasses; c++) {
            precision[c] = ratio(tp[c], tp[c] + fp[c]);
            recall[c] = ratio(tp[c], tp[c] + fn[c]);
            f1[c] = ratio(2 * tp[c], 2 * tp[c] + fp[c] + fn[c]);
            support[c] = tp[c] + fn[c];
            f1Sum += f1[c];
            tpAll += tp[c];
            fpAll += fp[c];
            fnAll += fn[c];
        }
        long decisions = (long) n * numClasses;
        return new MultiLabelMetrics(
                n,
                threshold,
                n == 0 ? Double.NaN : loss / decisions,
                n == 0 ? Double.NaN : (double) exact / n,
                n == 0 ? Double.NaN : (double) wrong / decisions,
                precision,
                recall,
                f1,
                support,
                ratio(2 * tpAll, 2 * tpAll + fpAll + fnAll),
                f1Sum / numClasses);
    }

    /** {@code -log} of the probability the sigmoid of {@code logit} gives {@code truth}, computed stably. */
    static double sigmoidCrossEntropy(float logit, boolean truth) {
        return Math.max(logit, 0) - logit * (truth ? 1 : 0) + Math.log1p(Math.exp(-Math.abs(logit)));
    }

    /** 0 for 0/0, as scikit-learn's {@code zero_division=0}. */
    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    /** The metrics for {@code --json}; per-class figures keyed by class name. */
    public Map<String, Object> toMap(List<String> classNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", count);
        m.put("threshold", threshold);
        m.put("loss", loss);
        m.put("subset_accuracy", subsetAccuracy);
        m.put("hamming_loss", hammingLoss);
        m.put("micro_f1", microF1);
        m.put("macro_f1", macroF1);
        m.put("per_class", MultiClassMetrics.perClass(classNames, precision, recall, f1, support));
        return m;
    }
}
