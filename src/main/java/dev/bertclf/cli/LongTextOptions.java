package dev.bertclf.cli;

import dev.bertclf.infer.LongText;
import dev.bertclf.infer.TextClassifier;
import picocli.CommandLine.Option;

/** {@code --long-text}, {@code --stride} and {@code --max-windows} for every command that scores texts. */
final class LongTextOptions {
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
            defaultValue = "" + LongText.MAX_WINDOWS,
            description = "The most windows scored per text with --long-text window; a longer text is scored on "
                    + "the tokens they cover from its start, with a warning (1 to " + LongText.WINDOWS_LIMIT + ").")
    int maxWindows;

    LongText longText() {
        return new LongText(mode, stride, maxWindows);
    }

    /** The classifier set to score long texts as asked; closed if the options do not fit its model. */
    TextClassifier applyTo(TextClassifier clf) {
        try {
            clf.useLongText(longText());
            return clf;
        } catch (RuntimeException e) {
            clf.close();
            throw e;
        }
    }
}
