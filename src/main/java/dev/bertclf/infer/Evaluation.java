package dev.bertclf.infer;

import dev.bertclf.data.LabeledText;
import dev.bertclf.data.LabeledTexts;
import dev.bertclf.data.Utf8TextReader;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.ProgressBar;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model's logits on a labelled test set, batch by batch with a progress bar, read lazily so that only a
 * batch of texts is in memory: what {@code evaluate} turns into metrics and plots, kept apart from how they are shown.
 *
 * @param logits {@code logitsPerText} values for each example, in order
 * @param labels each example's class id (-1 for a multi-label model's examples)
 * @param excerpts each example's text, white space folded, cut to {@value #EXCERPT} characters
 * @param multiHot a multi-label model's examples' classes, one 0/1 per class, row after row; null otherwise
 */
public record Evaluation(
        float[] logits, int[] labels, List<String> classNames, List<String> excerpts, float[] multiHot) {
    /** Characters of each text kept for error analysis. */
    public static final int EXCERPT = 200;

    /**
     * Classifies {@code test} (its first {@code maxExamples} in a seeded order when {@code maxExamples > 0}) with
     * {@code clf}, {@code batchSize} texts a call.
     *
     * @throws DataException when the test set's classes are not the model's
     */
    public static Evaluation of(TextClassifier clf, LabeledTexts test, int maxExamples, int batchSize, long seed) {
        if (!test.classNames().equals(clf.metadata().classNames())) {
            throw new DataException(test.source() + " has classes " + test.classNames() + "; the model's are "
                    + clf.metadata().classNames());
        }
        List<LabeledText> examples = test.shuffled(seed);
        if (maxExamples > 0 && maxExamples < examples.size()) examples = examples.subList(0, maxExamples);
        Utf8TextReader reader = new Utf8TextReader();
        int w = clf.logitsPerText();
        float[] logits = new float[examples.size() * w];
        int[] labels = new int[examples.size()];
        int classes = test.classNames().size();
        float[] multiHot = clf.metadata().isMultiLabel() ? new float[examples.size() * classes] : null;
        List<String> excerpts = new ArrayList<>(examples.size());
        try (ProgressBar bar = new ProgressBar("Evaluating", examples.size(), 0, ProgressBar.Unit.ITEMS)) {
            for (int from = 0; from < examples.size(); from += batchSize) {
                int to = Math.min(examples.size(), from + batchSize);
                List<String> texts = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    String text = examples.get(i).read(reader);
                    texts.add(text);
                    labels[i] = examples.get(i).label();
                    if (multiHot != null) {
                        System.arraycopy(examples.get(i).multiHot(classes), 0, multiHot, i * classes, classes);
                    }
                    String folded = text.strip().replaceAll("\\s+", " ");
                    excerpts.add(folded.length() <= EXCERPT ? folded : folded.substring(0, EXCERPT));
                }
                System.arraycopy(clf.logits(texts, batchSize), 0, logits, from * w, (to - from) * w);
                bar.step(to - from);
            }
        }
        return new Evaluation(logits, labels, clf.metadata().classNames(), excerpts, multiHot);
    }

    /** One example's outcome: its class, the predicted one, the predicted one's probability and the example's loss. */
    public record Outcome(int index, int label, int predicted, double probability, double loss) {
        public boolean wrong() {
            return label != predicted;
        }
    }

    /** Every example's outcome, in order, a binary model's positive class predicted above one half. */
    public List<Outcome> outcomes() {
        return outcomes(ModelMetadata.DEFAULT_THRESHOLD);
    }

    /** Every example's outcome, in order, a binary model's positive class predicted above {@code threshold}. */
    public List<Outcome> outcomes(double threshold) {
        int c = classNames.size();
        List<Outcome> out = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            if (c == 2) {
                double p = TextClassifier.sigmoid(logits[i]);
                int predicted = p > threshold ? 1 : 0;
                double pLabel = labels[i] == 1 ? p : 1 - p;
                out.add(new Outcome(
                        i, labels[i], predicted, predicted == 1 ? p : 1 - p, -Math.log(Math.max(pLabel, 1e-12))));
            } else {
                double[] p = TextClassifier.softmax(logits, i * c, c);
                int predicted = 0;
                for (int k = 1; k < c; k++) if (p[k] > p[predicted]) predicted = k;
                out.add(new Outcome(
                        i,
                        labels[i],
                        predicted,
                        p[predicted],
                        -TextClassifier.logSoftmax(logits, i * c, c, labels[i])));
            }
        }
        return out;
    }

    /**
     * One example's outcome under a multi-label model: its classes, those predicted (sigmoid above the threshold),
     * both in class order, and its loss (the sigmoid cross-entropy, mean over the classes, as training's).
     */
    public record LabelSetOutcome(int index, List<Integer> labels, List<Integer> predicted, double loss) {
        public boolean wrong() {
            return !labels.equals(predicted);
        }
    }

    /** Every example's outcome under a multi-label model predicting a class above {@code threshold}, in order. */
    public List<LabelSetOutcome> labelSetOutcomes(double threshold) {
        int c = classNames.size(), n = multiHot.length / c;
        List<LabelSetOutcome> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Integer> truth = new ArrayList<>(), predicted = new ArrayList<>();
            double loss = 0;
            for (int k = 0; k < c; k++) {
                float x = logits[i * c + k];
                boolean isTrue = multiHot[i * c + k] > 0.5f;
                if (isTrue) truth.add(k);
                if (TextClassifier.sigmoid(x) > threshold) predicted.add(k);
                loss += MultiLabelMetrics.sigmoidCrossEntropy(x, isTrue);
            }
            out.add(new LabelSetOutcome(i, truth, predicted, loss / c));
        }
        return out;
    }

    /**
     * The predicted class's probability against how often it is right, in {@code bins} equal-width bins of that
     * probability: what a reliability diagram draws. Empty bins have a count of 0 (and NaN means). The predicted
     * class is the most probable one whatever the decision threshold: calibration is a property of the
     * probabilities, not of where a decision is drawn.
     */
    public record Calibration(double[] meanProbability, double[] accuracy, int[] count) {
        /**
         * The expected calibration error: the mean, weighted by bin size, of |accuracy - mean probability|. 0 for a
         * model whose probabilities are honest.
         */
        public double expectedError() {
            long n = 0;
            for (int c : count) n += c;
            double ece = 0;
            for (int b = 0; b < count.length; b++) {
                if (count[b] > 0) ece += count[b] * Math.abs(accuracy[b] - meanProbability[b]) / n;
            }
            return ece;
        }
    }

    public Calibration calibration(int bins) {
        double[] confidence = new double[bins], correct = new double[bins];
        int[] count = new int[bins];
        for (Outcome o : outcomes()) {
            int b = Math.min(bins - 1, (int) (o.probability() * bins));
            confidence[b] += o.probability();
            correct[b] += o.wrong() ? 0 : 1;
            count[b]++;
        }
        for (int b = 0; b < bins; b++) {
            confidence[b] /= count[b];
            correct[b] /= count[b];
        }
        return new Calibration(confidence, correct, count);
    }
}
