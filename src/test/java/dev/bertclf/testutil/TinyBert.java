package dev.bertclf.testutil;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.BertModel;
import dev.bertclf.model.Mode;
import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.model.checkpoint.CheckpointWriter;
import dev.bertclf.runtime.TfRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A tiny random BERT in Google's release layout ({@code bert_config.json}, {@code vocab.txt},
 * {@code bert_model.ckpt.*} with Google's variable names), written by the project's own code, so tests exercise the
 * real restore path without a 400 MB download.
 */
public final class TinyBert {
    /** Words of the synthetic reviews; the sentiment words decide the label. */
    public static final List<String> POSITIVE = List.of("great", "excellent", "wonderful", "loved");

    public static final List<String> NEGATIVE = List.of("awful", "terrible", "boring", "hated");
    public static final List<String> NEUTRAL = List.of(
            "the",
            "movie",
            "film",
            "was",
            "a",
            "plot",
            "actor",
            "scene",
            "story",
            "and",
            "it",
            "this",
            "of",
            "with",
            "ending",
            "music",
            "cast",
            "director",
            "really",
            "quite");

    private TinyBert() {}

    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!"));
        v.addAll(POSITIVE);
        v.addAll(NEGATIVE);
        v.addAll(NEUTRAL);
        return v;
    }

    public static BertConfig config() {
        BertConfig c = BertConfig.of(vocabulary().size(), 2, 32, 2);
        c.intermediateSize = 64;
        c.maxPositionEmbeddings = 64;
        return c;
    }

    /** The tiny shape as one of the other families: {@code electra}, {@code albert} or {@code talking_heads}. */
    public static BertConfig config(String family) {
        BertConfig c = config();
        switch (family) {
            case "bert" -> {}
            case "electra" -> {
                c.modelType = BertConfig.ModelType.ELECTRA;
                c.embeddingSize = 16;
                c.hiddenAct = BertConfig.HiddenAct.GELU_EXACT;
            }
            case "albert" -> {
                c.modelType = BertConfig.ModelType.ALBERT;
                c.embeddingSize = 16;
            }
            case "talking_heads" -> {
                c.talkingHeads = true;
                c.gatedFeedforward = true;
            }
            default -> throw new IllegalArgumentException(family);
        }
        return c;
    }

    /** Writes the model folder and returns it. {@code scope} prefixes every variable name (e.g. {@code module/}). */
    public static Path write(Path dir, String scope) throws IOException {
        Files.createDirectories(dir);
        BertConfig config = config();
        config.write(dir.resolve("bert_config.json"));
        Files.write(dir.resolve("vocab.txt"), vocabulary());
        writeCheckpoint(dir.resolve("bert_model.ckpt"), config, scope);
        return dir;
    }

    /**
     * {@code rows} labelled reviews, "the movie was" and one {@link #POSITIVE} ({@code pos}) or {@link #NEGATIVE}
     * ({@code neg}) word, alternately, as a CSV file with columns {@code text,label}: what the tiny model learns in
     * a few epochs.
     */
    public static Path reviewsCsv(Path file, int rows) throws IOException {
        Random random = new Random(3);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < rows; i++) {
            boolean pos = i % 2 == 0;
            List<String> words = pos ? POSITIVE : NEGATIVE;
            csv.append("the movie was ")
                    .append(words.get(random.nextInt(words.size())))
                    .append(',')
                    .append(pos ? "pos" : "neg")
                    .append('\n');
        }
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    /** The variable shapes of an encoder of this config, by the checkpoint names its family uses. */
    public static Map<String, Shape> encoderShapes(BertConfig config) {
        TfRuntime.engine();
        try (Graph g = new Graph()) {
            NamedVariables vars = new NamedVariables(Ops.create(g));
            new BertModel(config, vars, Mode.INFERENCE, null);
            return new LinkedHashMap<>(vars.shapes());
        }
    }

    /** A random encoder checkpoint at {@code prefix} ({@code prefix.index}, {@code prefix.data-00000-of-00001}). */
    public static void writeCheckpoint(Path prefix, BertConfig config, String scope) throws IOException {
        try (Weights weights = WeightInit.create(encoderShapes(config), config.initializerRange, 7)) {
            Map<String, TFloat32> scoped = new LinkedHashMap<>();
            weights.asMap().forEach((k, v) -> scoped.put(scope + k, v));
            CheckpointWriter.write(prefix, scoped);
        }
    }
}
