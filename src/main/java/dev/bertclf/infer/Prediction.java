package dev.bertclf.infer;

import java.util.List;

/**
 * One classified text as every front end reports it ({@code predict --json} and the {@code serve} endpoint print
 * this record as it is), so the command line and the HTTP API cannot drift apart.
 */
public record Prediction(String text, double probability, String label, float logit) {
    /** The label is the second class (the positive one) when its probability is above one half. */
    static Prediction of(String text, float logit, List<String> classNames) {
        double p = TextClassifier.sigmoid(logit);
        return new Prediction(text, p, classNames.get(p > 0.5 ? 1 : 0), logit);
    }
}
