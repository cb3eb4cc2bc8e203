package dev.bertclf.model.checkpoint;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Suggests the names a user probably meant: checkpoints from different exporters differ by a scope
 * ({@code module/bert/...}) or a single word, and seeing the near miss fixes the mapping at once.
 */
public final class ClosestNames {
    private ClosestNames() {}

    /** Up to {@code max} candidates, closest first by edit distance. */
    public static List<String> closest(String name, Collection<String> candidates, int max) {
        record Scored(String name, int distance) {}
        return candidates.stream()
                .map(c -> new Scored(c, editDistance(name, c)))
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(max)
                .map(Scored::name)
                .toList();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
