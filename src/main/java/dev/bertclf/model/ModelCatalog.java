package dev.bertclf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The tutorial's model names that this build can fetch, each mapped to Google's original release archive of the
 * same weights (a name-based TF1 checkpoint with {@code bert_config.json} and {@code vocab.txt}). Names are
 * accepted as the tutorial writes them ({@code small_bert/bert_en_uncased_L-4_H-512_A-8}) and in the short form
 * ({@code small_bert/L-4_H-512_A-8}).
 */
public final class ModelCatalog {
    /** Where Google's archives live; {@code --model-mirror} / {@code BERT_CLF_MODEL_MIRROR} replace this host. */
    public static final String DEFAULT_HOST = "https://storage.googleapis.com";

    /** One downloadable model. {@code path} is relative to the host, e.g. {@code /bert_models/2020_02_20/x.zip}. */
    public record Entry(String name, String shortName, String path, boolean lowercase, int layers, int hidden, int heads) {
        public String archiveName() { return path.substring(path.lastIndexOf('/') + 1); }

        public String folderName() { return archiveName().replaceFirst("\\.zip$", ""); }
    }

    private static final Map<String, Entry> BY_NAME = new LinkedHashMap<>();
    private static final List<Entry> ENTRIES = new ArrayList<>();

    static {
        int[] layers = {2, 4, 6, 8, 10, 12};
        int[] hidden = {128, 256, 512, 768};
        for (int l : layers) {
            for (int h : hidden) {
                String shape = "L-" + l + "_H-" + h + "_A-" + h / 64;
                add(new Entry("small_bert/bert_en_uncased_" + shape, "small_bert/" + shape,
                        "/bert_models/2020_02_20/uncased_" + shape + ".zip", true, l, h, h / 64));
            }
        }
        add(new Entry("bert_en_uncased_L-12_H-768_A-12", null,
                "/bert_models/2018_10_18/uncased_L-12_H-768_A-12.zip", true, 12, 768, 12));
        add(new Entry("bert_en_cased_L-12_H-768_A-12", null,
                "/bert_models/2018_10_18/cased_L-12_H-768_A-12.zip", false, 12, 768, 12));
        add(new Entry("bert_multi_cased_L-12_H-768_A-12", null,
                "/bert_models/2018_11_23/multi_cased_L-12_H-768_A-12.zip", false, 12, 768, 12));
    }

    private static void add(Entry e) {
        ENTRIES.add(e);
        BY_NAME.put(e.name(), e);
        if (e.shortName() != null) BY_NAME.put(e.shortName(), e);
    }

    private ModelCatalog() {}

    public static List<Entry> entries() { return Collections.unmodifiableList(ENTRIES); }

    public static Optional<Entry> find(String name) { return Optional.ofNullable(BY_NAME.get(name)); }

    /** Up to three known names closest to a mistyped one, by edit distance. */
    public static List<String> closest(String name) {
        String q = name.toLowerCase(Locale.ROOT);
        return BY_NAME.keySet().stream()
                .sorted((a, b) -> Integer.compare(distance(q, a.toLowerCase(Locale.ROOT)), distance(q, b.toLowerCase(Locale.ROOT))))
                .limit(3).toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
