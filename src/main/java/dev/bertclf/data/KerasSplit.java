package dev.bertclf.data;

import dev.bertclf.data.TextDirectoryDataset.Subset;
import dev.bertclf.runtime.DataException;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras' seeded shuffle and validation split, for any list of examples: the folder reader's files and a table
 * file's rows go through the very same code, so a seed means the same thing whatever the data came from.
 *
 * <p>Keras permutes its list with {@code np.random.RandomState(seed).shuffle} and keeps the last
 * {@code int(split * n)} items for validation. Shuffling the rows themselves gives the same permutation as
 * shuffling their indices.
 */
public final class KerasSplit {

    private KerasSplit() {}

    /** The parts that were asked for (the other one empty) and the lines Keras would have printed. */
    public record Parts<T>(List<T> training, List<T> validation, List<String> messages) {}

    /** {@code items} in the order Keras gives with {@code shuffle=True, seed=seed}. */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        if (seed < 0 || seed > NumpyRandomState.MAX_SEED) {
            throw new DataException("Seed must be between 0 and " + NumpyRandomState.MAX_SEED + ", got " + seed + ".");
        }
        List<T> list = new ArrayList<>(items);
        new NumpyRandomState(seed).shuffle(list);
        return List.copyOf(list);
    }

    /**
     * Shuffles with {@code seed} and splits like Keras with {@code validation_split} and {@code subset}; a split of
     * 0 means no validation set. Returns Keras' lines, e.g. "Found 25000 files belonging to 2 classes."
     * ({@code noun} is "files" there), for the caller to show once (it does not log them: a terminal showing both
     * the log and the output would show each line twice).
     *
     * @throws DataException for a split outside [0, 1) or one that leaves either part empty
     */
    public static <T> Parts<T> split(
            List<T> items, String noun, int classCount, Subset subset, double validationSplit, long seed) {
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new DataException("Validation split must be at least 0 and below 1, got " + validationSplit + ".");
        }
        List<T> all = shuffled(items, seed);
        int n = all.size();
        List<String> messages = new ArrayList<>();
        messages.add("Found " + n + " " + noun + " belonging to " + classCount + " classes.");
        List<T> training = List.of(), validation = List.of();
        if (validationSplit == 0) {
            training = all;
        } else {
            long numVal = (long) (validationSplit * n); // Python's int(): truncation, same double product
            if (numVal == 0 || numVal >= n) {
                throw new DataException("A validation split of " + validationSplit + " over " + n + " " + noun
                        + " leaves " + (numVal == 0 ? "no validation" : "no training") + " " + noun
                        + "; choose another split or add " + noun + ".");
            }
            int cut = (int) (n - numVal);
            if (subset != Subset.VALIDATION) {
                training = all.subList(0, cut);
                messages.add("Using " + cut + " " + noun + " for training.");
            }
            if (subset != Subset.TRAINING) {
                validation = all.subList(cut, n);
                messages.add("Using " + numVal + " " + noun + " for validation.");
            }
        }
        return new Parts<>(training, validation, messages);
    }
}
