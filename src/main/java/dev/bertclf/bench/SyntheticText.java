package dev.bertclf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Made-up words and reviews for timing the real tokenizer and input pipeline without a dataset: what is measured
 * is how many tokens flow, not what they say.
 */
final class SyntheticText {
    private SyntheticText() {}

    /** BERT's special tokens, the words of {@code sentence}, then filler words up to {@code size} entries. */
    static List<String> vocabulary(int size, String sentence) {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (String w : sentence.replace("!", " !").split(" +")) if (!v.contains(w)) v.add(w);
        while (v.size() < size) v.add("w" + v.size());
        return v.subList(0, size);
    }

    /** {@code n} texts of {@code words} filler words each, drawn from a vocabulary of {@code vocabSize} entries. */
    static List<String> texts(int n, int words, int vocabSize, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < words; j++)
                sb.append(j == 0 ? "" : " ").append('w').append(100 + r.nextInt(vocabSize - 100));
            out.add(sb.toString());
        }
        return out;
    }
}
