package dev.bertclf.infer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code evaluate} reports for a binary classifier, from logits and 0/1 labels: the tutorial's loss and
 * accuracy, plus precision, recall, F1, the confusion matrix and the ROC AUC (see {@link RocCurve}) that a
 * production user asks for next. The counts, accuracy, precision, recall and F1 are those of the decision at
 * {@code threshold} (the positive class predicted when its probability is above it); loss and ROC AUC do not
 * depend on it.
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
        double rocAuc,
        double threshold) {

    /** The metrics of the decision at 0.5 (a logit above 0), as training's validation reports them. */
    public static BinaryMetrics of(float[] logits, int[] labels) {
        return of(logits, labels, ModelMetadata.DEFAULT_THRESHOLD);
    }

    /** The metrics of the decision at {@code threshold}, a probability strictly between 0 and 1. */
    public static BinaryMetrics of(float[] logits, int[] labels, double threshold) {
        double loss = 0;
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < logits.length; i++) {
            double x = logits[i];
            int y = labels[i];
            loss += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
            boolean predicted = TextClassifier.sigmoid(x) > threshold;
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
                RocCurve.of(logits, labels).auc(),
                threshold);
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
        m.put("threshold", threshold);
        m.put("confusion_matrix", confusionMatrix());
        return m;
    }

    /** {@code [true][predicted]}, the negative class first. */
    public long[][] confusionMatrix() {
        return new long[][] {{trueNegatives, falsePositives}, {falseNegatives, truePositives}};
    }
}
