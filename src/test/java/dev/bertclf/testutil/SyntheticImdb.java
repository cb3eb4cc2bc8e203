package dev.bertclf.testutil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * An {@code aclImdb_v1.tar.gz} in the real archive's layout (train/test, neg/pos, train/unsup) whose reviews are
 * random filler words plus sentiment words that decide the label: an easy task a tiny BERT learns in seconds.
 */
public final class SyntheticImdb {
    private SyntheticImdb() {}

    public static String review(Random random, boolean positive) {
        List<String> words = new ArrayList<>();
        int n = 8 + random.nextInt(14);
        for (int i = 0; i < n; i++) words.add(TinyBert.NEUTRAL.get(random.nextInt(TinyBert.NEUTRAL.size())));
        List<String> sentiment = positive ? TinyBert.POSITIVE : TinyBert.NEGATIVE;
        int k = 1 + random.nextInt(2);
        for (int i = 0; i < k; i++)
            words.add(random.nextInt(words.size() + 1), sentiment.get(random.nextInt(sentiment.size())));
        return String.join(" ", words) + (random.nextBoolean() ? " !" : " .");
    }

    /** {@code perClass} reviews in each of train/neg, train/pos, test/neg, test/pos, and a few in train/unsup. */
    public static byte[] archive(int perClass, long seed) throws IOException {
        Random random = new Random(seed);
        Map<String, String> files = new LinkedHashMap<>();
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("neg", "pos")) {
                for (int i = 0; i < perClass; i++) {
                    files.put(
                            "aclImdb/" + split + "/" + cls + "/" + i + "_" + (cls.equals("pos") ? 9 : 2) + ".txt",
                            review(random, cls.equals("pos")));
                }
            }
        }
        for (int i = 0; i < 5; i++)
            files.put("aclImdb/train/unsup/" + i + "_0.txt", review(random, random.nextBoolean()));
        files.put("aclImdb/README", "synthetic IMDB for tests\n");
        return TestArchives.tarGz(files);
    }
}
