package dev.bertclf.infer;

import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.OwnedFolder;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;

/**
 * Writes a trained classifier as a standard TensorFlow SavedModel that TensorFlow Serving, Python and DJL load as
 * it is. It builds a fresh inference graph (no dropout, no optimizer state, so the export holds only the
 * weights), signs it {@code serving_default} with the three int32 inputs BERT users know (outputs {@code logits} and
 * {@code probabilities}: {@code [batch]} for two classes, {@code [batch, classes]} for more), and places the
 * tokenizer's file ({@code assets/vocab.txt}, or a SentencePiece model such as ALBERT's
 * {@code assets/30k-clean.model}), {@code bert_config.json} and {@code metadata.json} (naming the tokenizer)
 * beside it. The folder appears atomically: readers see the previous model or the new one, never half of one. It
 * carries the {@link OwnedFolder} marker, and only a folder with that marker (or an empty one) is ever replaced.
 * Replacing one keeps everything in it that the export does not write: a training run's {@code logs} and curves,
 * and whatever the user put there ({@code NOTES.md}, an {@code eval/} folder) is moved into the new folder, never
 * deleted.
 */
public final class SavedModelExporter {
    public static final String SIGNATURE = "serving_default";
    public static final String VOCAB = "assets/vocab.txt";
    public static final String CONFIG = "bert_config.json";
    /** The kind of {@link OwnedFolder} a model folder is: only a folder so marked is ever replaced. */
    public static final String OWNED_AS = "model";

    private SavedModelExporter() {}

    /** {@code vocab} is WordPiece's {@code vocab.txt} or a SentencePiece {@code .model}, told by its name. */
    public static void export(Path target, BertConfig config, Weights weights, Path vocab, ModelMetadata metadata)
            throws IOException {
        Path dir = target.toAbsolutePath().normalize();
        Files.createDirectories(dir.getParent());
        Path tmp = FileUtil.createTempFolder(dir.getParent(), "." + dir.getFileName() + ".export");
        try {
            Path saved = tmp.resolve("model");
            try (InferenceGraph g = new InferenceGraph(
                    config, SessionOptions.defaults(), metadata.classNames().size(), metadata.isMultiLabel())) {
                g.load(weights);
                BertClassifier model = g.model();
                Signature sig = Signature.builder()
                        .key(SIGNATURE)
                        .input("input_word_ids", model.bert.inputWordIds)
                        .input("input_mask", model.bert.inputMask)
                        .input("input_type_ids", model.bert.inputTypeIds)
                        .output("logits", model.logits)
                        .output("probabilities", model.probabilities)
                        .build();
                SavedModelBundle.exporter(saved.toString())
                        .withFunction(SessionFunction.create(sig, g.session()))
                        .export();
            }
            Files.createDirectories(saved.resolve("assets"));
            boolean sentencePiece = WordPieceTokenizer.isSentencePiece(vocab);
            String asset = sentencePiece ? "assets/" + vocab.getFileName() : VOCAB;
            Files.copy(vocab, saved.resolve(asset));
            config.write(saved.resolve(CONFIG));
            metadata.withTokenizer(sentencePiece, asset).write(saved);
            OwnedFolder.mark(saved, OWNED_AS);
            replace(saved, dir);
        } finally {
            FileUtil.deleteTree(tmp);
        }
    }

    /** Whether {@code dir} may be replaced by an export: missing, empty, or a model folder bert-clf wrote. */
    public static boolean isReplaceable(Path dir) {
        return OwnedFolder.isAbsentOrEmpty(dir)
                || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && OwnedFolder.isMarked(dir, OWNED_AS);
    }

    /**
     * Swaps the new model folder into place; an old one is moved aside first, every entry of it the new one lacks
     * moved into the new one, and what is left of it (the old export) removed after.
     */
    private static void replace(Path fresh, Path dir) throws IOException {
        Path old = null;
        if (Files.exists(dir)) {
            if (!isReplaceable(dir)) { // checked before training too; this is the last line of defence
                throw new IOException("output folder " + dir + " exists and was not written by bert-clf (no "
                        + OwnedFolder.MARKER + " marker); refusing to replace it (choose another --output)");
            }
            old = dir.resolveSibling("." + dir.getFileName() + ".old-" + System.nanoTime());
            Files.move(dir, old);
        }
        List<String> carried = List.of();
        try {
            if (old != null) carried = carry(old, fresh);
            Files.move(fresh, dir);
        } catch (IOException e) {
            if (old != null) {
                for (String name : carried) Files.move(fresh.resolve(name), old.resolve(name));
                Files.move(old, dir);
            }
            throw e;
        }
        if (old != null) FileUtil.deleteTree(old);
    }

    /** Moves every entry of {@code from} that {@code to} lacks into {@code to}; answers their names. */
    private static List<String> carry(Path from, Path to) throws IOException {
        List<String> moved = new ArrayList<>();
        try (Stream<Path> entries = Files.list(from)) {
            for (Path entry : entries.toList()) {
                Path there = to.resolve(entry.getFileName().toString());
                if (Files.exists(there, LinkOption.NOFOLLOW_LINKS)) continue;
                Files.move(entry, there);
                moved.add(entry.getFileName().toString());
            }
        }
        return moved;
    }
}
