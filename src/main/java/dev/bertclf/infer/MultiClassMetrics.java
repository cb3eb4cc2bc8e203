package dev.bertclf.infer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code evaluate} reports for a classifier of more than two classes, from one logit per class and class-id
 * labels: the categorical cross-entropy and accuracy Keras shows while training, then per-class precision, recall
 * and F1 with their unweighted mean (macro-F1, which a rare class cannot hide in) and the confusion matrix. A ROC
 * curve needs one score to rank by, so it stays with {@link BinaryMetrics}.
 */
public record MultiClassMetrics(
        int count,
        double loss,
        double accuracy,
        double[] precision,
        double[] recall,
        double[] f1,
        double macroF1,
        long[][] confusion) {

    /** {@code logits} holds {@code numClasses} logits per example, row after row. */
    public static MultiClassMetrics of(float[] logits, int[] labels, int numClasses) {
        int n = labels.length;
        long[][] confusion = new long[numClasses][numClasses];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int predicted = 0;
            for (int c = 1; c < numClasses; c++)
                if (logits[i * numClasses + c] > logits[i * numClasses + predicted]) predicted = c;
            loss -= TextClassifier.logSoftmax(logits, i * numClasses, numClasses, labels[i]);
            confusion[labels[i]][predicted]++;
        }
        double[] precision = new double[numClasses], recall = new double[numClasses], f1 = new double[numClasses];
        long correct = 0;
        double f1Sum = 0;
        for (int c = 0; c < numClasses; c++) {
            long tp = confusion[c][c], predictedC = 0, trueC = 0;
            for (int k = 0; k < numClasses; k++) {
                predictedC += confusion[k][c];
                trueC += confusion[c][k];
            }
            correct += tp;
            precision[c] = predictedC == 0 ? 0 : (double) tp / predictedC;
            recall[c] = trueC == 0 ? 0 : (double) tp / trueC;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
            f1Sum += f1[c];
        }
        return new MultiClassMetrics(
                n,
                n == 0 ? Double.NaN : loss / n,
                n == 0 ? Double.NaN : (double) correct / n,
                precision,
                recall,
                f1,
                f1Sum / numClasses,
                confusion);
    }

    /** The metrics for {@code --json}; per-class figures keyed by class name. */
    public Map<String, Object> toMap(List<String> classNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", count);
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        m.put("macro_f1", macroF1);
        m.put("per_class", perClass(classNames, precision, recall, f1, null));
        m.put("confusion_matrix", confusion);
        return m;
    }

    /**
     * Each class's precision, recall and F1 (and support, unless null) keyed by class name: the {@code per_class}
     * list of {@code evaluate --json}, for single- and multi-label models alike.
     */
    static List<Map<String, Object>> perClass(
            List<String> classNames, double[] precision, double[] recall, double[] f1, long[] support) {
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("class", classNames.get(c));
            k.put("precision", precision[c]);
            k.put("recall", recall[c]);
            k.put("f1", f1[c]);
            if (support != null) k.put("support", support[c]);
            perClass.add(k);
        }
        return perClass;
    }
}
