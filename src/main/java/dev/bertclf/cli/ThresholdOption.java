package dev.bertclf.cli;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.InvalidOptionException;
import picocli.CommandLine.Option;

/** {@code --threshold} for every command that scores texts with a multi-label model. */
final class ThresholdOption {
    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "A multi-label model's decision threshold, above 0 and below 1, instead of the one it was "
                    + "trained with (default: the model's, from train --threshold).")
    Double threshold;

    /** The classifier set to the threshold asked for, if any; closed if the option does not fit its model. */
    TextClassifier applyTo(TextClassifier clf) {
        if (threshold == null) return clf;
        try {
            clf.useThreshold(threshold);
            return clf;
        } catch (InferenceException e) {
            clf.close();
            throw new InvalidOptionException("--threshold: " + e.getMessage());
        }
    }
}
