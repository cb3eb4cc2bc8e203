package dev.bertclf.infer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code evaluate} reports for a binary classifier, from logits and 0/1 labels: the tutorial's loss and
 * accuracy, plus precision, recall, F1, the confusion matrix and the ROC AUC (see {@link RocCurve}) that a
 * production user asks for next.
 */
public record BinaryMetrics(
        int count,
        double loss,
        double accuracy,
        double precision,
        double recall,
        double f1,
        long truePositives,
        long falsePositives,
        long trueNegatives,
        long falseNegatives,
        double rocAuc) {

    public static BinaryMetrics of(float[] logits, int[] labels) {
        double loss = 0;
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < logits.length; i++) {
            double x = logits[i];
            int y = labels[i];
            loss += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
            boolean predicted = x > 0;
            if (predicted && y == 1) tp++;
            else if (predicted) fp++;
            else if (y == 0) tn++;
            else fn++;
        }
        int n = logits.length;
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new BinaryMetrics(
                n,
                n == 0 ? Double.NaN : loss / n,
                n == 0 ? Double.NaN : (double) (tp + tn) / n,
                precision,
                recall,
                f1,
                tp,
                fp,
                tn,
                fn,
                RocCurve.of(logits, labels).auc());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", count);
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", f1);
        m.put("roc_auc", rocAuc);
        m.put("confusion_matrix", confusionMatrix());
        return m;
    }

    /** {@code [true][predicted]}, the negative class first. */
    public long[][] confusionMatrix() {
        return new long[][] {{trueNegatives, falsePositives}, {falseNegatives, truePositives}};
    }
}
