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
 * @param labels each example's class id
 */
public record Evaluation(float[] logits, int[] labels, List<String> classNames) {
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
        try (ProgressBar bar = new ProgressBar("Evaluating", examples.size(), 0, ProgressBar.Unit.ITEMS)) {
            for (int from = 0; from < examples.size(); from += batchSize) {
                int to = Math.min(examples.size(), from + batchSize);
                List<String> texts = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    texts.add(examples.get(i).read(reader));
                    labels[i] = examples.get(i).label();
                }
                System.arraycopy(clf.logits(texts, batchSize), 0, logits, from * w, (to - from) * w);
                bar.step(to - from);
            }
        }
        return new Evaluation(logits, labels, clf.metadata().classNames());
    }
}
