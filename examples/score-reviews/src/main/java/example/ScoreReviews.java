package example;

import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Scores texts with a model that {@code bert-clf train} wrote, through bert-clf's library API: one line per text
 * on standard output, {@code probability<TAB>label<TAB>text}, in the order given.
 *
 * <p>Usage: {@code ScoreReviews MODEL_DIR TEXT...}
 */
public final class ScoreReviews {
    private ScoreReviews() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ScoreReviews MODEL_DIR TEXT...");
            return;
        }
        List<String> texts = Arrays.asList(args).subList(1, args.length);
        // Loading reads and checks the folder and starts TensorFlow: do it once, then score as often as needed.
        try (TextClassifier classifier = TextClassifier.load(Path.of(args[0]))) {
            for (Prediction p : classifier.predict(texts, 32)) {
                System.out.printf(Locale.ROOT, "%.4f\t%s\t%s%n", p.probability(), p.label(), p.text());
            }
        }
    }
}
