package dev.bertclf.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.ConsoleText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The tutorial's model names, read from the registry {@code config/models.json} (packaged into the jar): for each
 * name its family, where the same weights can be downloaded and in which format, the vocabulary and casing of the
 * tutorial's matching preprocessor, and the architecture. The table is data so that a new name or a moved archive
 * is a one-line change, not a code change; this class only reads it. Names are accepted as the tutorial writes them
 * ({@code small_bert/bert_en_uncased_L-4_H-512_A-8}) and by their aliases ({@code small_bert/L-4_H-512_A-8}).
 */
public final class ModelCatalog {
    /** The registry's place on the class path. */
    public static final String RESOURCE = "/config/models.json";

    /** How a source is packed, which decides how it is unpacked and read. */
    public enum Format {
        /** Google's release zip: a name-based TF1 checkpoint, {@code vocab.txt}, usually {@code bert_config.json}. */
        GOOGLE_TF1_ZIP("google-tf1-zip"),
        /** Google's ALBERT release: a tar.gz with a TF1 checkpoint and a SentencePiece model. */
        GOOGLE_TF1_TAR_GZ("google-tf1-tar-gz"),
        /** TF Hub's compressed TF2 SavedModel ({@code ?tf-hub-format=compressed}), object-based variable names. */
        TFHUB_SAVEDMODEL("tfhub-savedmodel");

        public final String id;

        Format(String id) {
            this.id = id;
        }

        static Format of(String id, String model) {
            return Arrays.stream(values())
                    .filter(f -> f.id.equals(id))
                    .findFirst()
                    .orElseThrow(() ->
                            new ModelException("model registry: " + model + " has unknown source format '" + id + "'"));
        }
    }

    /** One download of a model's weights; {@code bytes} is null where the size was not checked. */
    public record Source(String url, Format format, Long bytes) {}

    /**
     * One name of the table. {@code vocabulary} is the file name in the archive: {@code vocab.txt} (WordPiece) or a
     * SentencePiece {@code .model}; {@code folder} is the cache folder under {@code $BERT_CLF_HOME/models}.
     */
    public record Entry(
            String name,
            List<String> aliases,
            String family,
            String tfhubHandle,
            String preprocess,
            boolean lowercase,
            String vocabulary,
            String folder,
            List<Source> sources,
            BertConfig config) {
        public int layers() {
            return config.numHiddenLayers;
        }

        public int hidden() {
            return config.hiddenSize;
        }

        public int heads() {
            return config.numAttentionHeads;
        }

        public boolean sentencePiece() {
            return vocabulary.endsWith(".model");
        }

        /** The source this build downloads: the first listed. */
        public Source source() {
            return sources.get(0);
        }

        /** A fresh copy of the architecture, free to adjust. */
        @Override
        public BertConfig config() {
            return config.copy();
        }
    }

    private static volatile ModelCatalog standard;

    private final List<Entry> entries;
    private final Map<String, Entry> byName = new LinkedHashMap<>();

    private ModelCatalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry e : entries) {
            for (String n : names(e)) {
                if (byName.put(n, e) != null)
                    throw new ModelException("model registry: name " + n + " is listed twice");
            }
        }
    }

    /** The registry shipped with the tool. */
    public static ModelCatalog standard() {
        if (standard == null) {
            try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null)
                    throw new ModelException("model registry " + RESOURCE + " is missing from the class path");
                standard = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
        return standard;
    }

    /** Reads a registry in the format of {@code config/models.json}; {@code source} names it in errors. */
    public static ModelCatalog parse(String json, String source) {
        List<Entry> entries = new ArrayList<>();
        for (JsonElement el : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("models")) {
            JsonObject m = el.getAsJsonObject();
            String name = m.get("name").getAsString();
            List<Source> sources = new ArrayList<>();
            for (JsonElement s : m.getAsJsonArray("sources")) {
                JsonObject o = s.getAsJsonObject();
                JsonElement bytes = o.get("bytes");
                sources.add(new Source(
                        o.get("url").getAsString(),
                        Format.of(o.get("format").getAsString(), name),
                        bytes == null || bytes.isJsonNull() ? null : bytes.getAsLong()));
            }
            if (sources.isEmpty())
                throw new ModelException("model registry " + source + ": " + name + " has no source");
            entries.add(new Entry(
                    name,
                    strings(m.getAsJsonArray("aliases")),
                    m.get("family").getAsString(),
                    m.get("tfhub_handle").getAsString(),
                    m.get("preprocess").getAsString(),
                    bool(m, "lowercase", source, name),
                    m.get("vocabulary").getAsString(),
                    m.get("folder").getAsString(),
                    List.copyOf(sources),
                    BertConfig.parse(m.get("config").toString(), source + " (" + name + ")")));
        }
        return new ModelCatalog(entries);
    }

    /** A JSON true or false: Gson reads any other text ("yes") as false without a word. */
    private static boolean bool(JsonObject m, String key, Object source, String name) {
        JsonElement e = m.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new ModelException("model registry " + source + ": " + name + "'s \"" + key + "\" must be true or "
                    + "false, got " + (e == null ? "nothing" : ConsoleText.escape(e.toString())));
        }
        return e.getAsBoolean();
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private static List<String> names(Entry e) {
        List<String> n = new ArrayList<>(List.of(e.name()));
        n.addAll(e.aliases());
        return n;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Up to three known names closest to a mistyped one, by edit distance. */
    public List<String> closest(String name) {
        String q = name.toLowerCase(Locale.ROOT);
        return byName.keySet().stream()
                .sorted((a, b) -> Integer.compare(
                        distance(q, a.toLowerCase(Locale.ROOT)), distance(q, b.toLowerCase(Locale.ROOT))))
                .limit(3)
                .toList();
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
