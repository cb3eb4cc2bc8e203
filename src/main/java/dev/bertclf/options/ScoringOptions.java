package dev.bertclf.options;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.LongText;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.InvalidOptionException;
import picocli.CommandLine.Option;

/**
 * How a trained model scores texts, as every scoring entry point takes it ({@code predict}, {@code evaluate},
 * {@code serve} and the Spark job): {@code --long-text}, {@code --stride}, {@code --max-windows} and
 * {@code --threshold}. One mixin, so that a table scored on Spark is scored exactly as {@code predict} scores it.
 */
public final class ScoringOptions {
    @Option(
            names = "--long-text",
            paramLabel = "truncate|window",
            defaultValue = "truncate",
            description = "A text longer than the model's window (max-seq-len - 2 tokens): truncate keeps the tokens "
                    + "the model was trained on (its --truncation); window scores windows of that many tokens, "
                    + "--stride apart, the last ending at the text's end, and averages their logits before the "
                    + "sigmoid or softmax.")
    LongText.Mode mode;

    @Option(
            names = "--stride",
            paramLabel = "TOKENS",
            description = "Tokens between windows with --long-text window (default: half the window).")
    Integer stride;

    @Option(
            names = "--max-windows",
            paramLabel = "N",
            description = "The most windows scored per text with --long-text window; a longer text is scored on "
                    + "the tokens they cover from its start, with a warning; 1 to " + LongText.WINDOWS_LIMIT
                    + " (default: " + LongText.MAX_WINDOWS + ").")
    Integer maxWindows;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "A binary model's threshold on the positive class's probability, or a multi-label "
                    + "model's on each class's, above 0 and below 1; a multi-class model refuses it (default: the "
                    + "model's: stored by evaluate --save-threshold or train --threshold, else 0.5).")
    Double threshold;

    public LongText longText() {
        if (mode != LongText.Mode.window && (stride != null || maxWindows != null)) {
            throw new InvalidOptionException((stride != null ? "--stride" : "--max-windows") + " applies to "
                    + "--long-text window only: add --long-text window, or drop it");
        }
        return new LongText(mode, stride, maxWindows == null ? LongText.MAX_WINDOWS : maxWindows);
    }

    /** The decision threshold asked for, or null: the model's own. */
    public Double threshold() {
        return threshold;
    }

    /**
     * Checks the options against a model before it is loaded (the Spark driver, which never loads one).
     *
     * @throws InvalidOptionException if the stride does not fit the model's window or it takes no such threshold
     */
    public void check(ModelMetadata model) {
        longText().strideFor(model.maxSeqLen() - 2);
        if (threshold == null) return;
        try {
            model.checkThreshold(threshold);
        } catch (InferenceException e) {
            throw new InvalidOptionException("--threshold: " + e.getMessage());
        }
    }

    /** The classifier set to score as asked; closed if the options do not fit its model. */
    public TextClassifier applyTo(TextClassifier clf) {
        try {
            check(clf.metadata()); // this command's own wording of a misfit
        } catch (RuntimeException e) {
            clf.close();
            throw e;
        }
        return clf.scoring(longText(), threshold);
    }
}
