package dev.bertclf.infer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Json;
import dev.bertclf.text.TokenizerJson;
import dev.bertclf.text.Truncation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything besides the graph that a trained model needs to be used correctly: how to tokenise (which tokenizer
 * and vocabulary file, casing, length), what its outputs mean (class names), and how it was made (base model,
 * hyperparameters, metrics), stored as {@code metadata.json} beside the SavedModel so any runtime can read it.
 *
 * @param tokenizer  {@code wordpiece} or {@code sentencepiece}; absent (null) in models written before ALBERT
 *                   support, which are all WordPiece
 * @param vocabulary the tokenizer's file, relative to the model folder; absent in older models: {@code
 * assets/vocab.txt}
 * @param truncation which tokens of a longer text the model was trained on ({@link Truncation#id}), so that every
 *                   command tokenises as training did; absent in models written before the option: {@code head}
 * @param multiLabel true for a multi-label model (a sigmoid per class, every class over {@code threshold}
 *                   predicted); absent (null) for single-label models
 * @param threshold  the decision threshold of a multi-label model (as {@code train --threshold} set it) or of a
 *                   binary one (as {@code evaluate --save-threshold} stored it): a class is predicted when its
 *                   probability is above it; absent: 0.5
 * @param tokenizerRevision the {@link TokenizerJson#REVISION} the model was trained with; absent in models written
 *                   before it was recorded (revision 1, where "[CLS]" in a text was the special token)
 */
public record ModelMetadata(
        String baseModel,
        boolean lowercase,
        int maxSeqLen,
        List<String> classNames,
        Map<String, Object> hyperparameters,
        Map<String, Object> metrics,
        String created,
        String tool,
        String tokenizer,
        String vocabulary,
        String truncation,
        Boolean multiLabel,
        Double threshold,
        Integer tokenizerRevision) {
    /** The file's name in a model folder. */
    public static final String FILE = "metadata.json";

    /** The decision threshold of a model that records none: a probability above one half. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** {@link #tokenizer}'s value for BERT's WordPiece vocabularies. */
    public static final String WORDPIECE = "wordpiece";

    /** {@link #tokenizer}'s value for ALBERT's SentencePiece model. */
    public static final String SENTENCEPIECE = "sentencepiece";

    /** Without the tokenizer's kind and file, which the exporter fills in from the vocabulary it packs. */
    public ModelMetadata(
            String baseModel,
            boolean lowercase,
            int maxSeqLen,
            List<String> classNames,
            Map<String, Object> hyperparameters,
            Map<String, Object> metrics,
            String created,
            String tool) {
        this(baseModel, lowercase, maxSeqLen, classNames, hyperparameters, metrics, created, tool, null, null);
    }

    /** With the tokenizer but single-label. */
    public ModelMetadata(
            String baseModel,
            boolean lowercase,
            int maxSeqLen,
            List<String> classNames,
            Map<String, Object> hyperparameters,
            Map<String, Object> metrics,
            String created,
            String tool,
            String tokenizer,
            String vocabulary) {
        this(
                baseModel,
                lowercase,
                maxSeqLen,
                classNames,
                hyperparameters,
                metrics,
                created,
                tool,
                tokenizer,
                vocabulary,
                null,
                null,
                null,
                null);
    }

    /** This metadata as a multi-label model's, classes predicted above {@code threshold}. */
    public ModelMetadata withMultiLabel(double threshold) {
        return with(true, threshold);
    }

    /** True for a multi-label model: a sigmoid per class, every class over the threshold predicted. */
    public boolean isMultiLabel() {
        return Boolean.TRUE.equals(multiLabel);
    }

    /** This metadata with {@code threshold} as its decision threshold (see {@link #checkThreshold}). */
    public ModelMetadata withThreshold(double threshold) {
        checkThreshold(threshold);
        return with(multiLabel, threshold);
    }

    private ModelMetadata with(Boolean multiLabel, Double threshold) {
        return new ModelMetadata(
                baseModel,
                lowercase,
                maxSeqLen,
                classNames,
                hyperparameters,
                metrics,
                created,
                tool,
                tokenizer,
                vocabulary,
                truncation,
                multiLabel,
                threshold,
                tokenizerRevision);
    }

    /** True for a model that decides by a threshold on a sigmoid: a binary or a multi-label one. */
    public boolean hasThreshold() {
        return isMultiLabel() || classNames.size() == 2;
    }

    /**
     * Checks a decision threshold asked for instead of the recorded one: a binary or multi-label model has one (a
     * multi-class model takes the most probable class), and it lies strictly between 0 and 1.
     *
     * @throws InferenceException naming what this model is, or the range
     */
    public void checkThreshold(double threshold) {
        if (!hasThreshold()) {
            throw new InferenceException("a decision threshold applies to binary and multi-label models; this one "
                    + "is multi-class (softmax: the most probable class is predicted)");
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new InferenceException("a decision threshold is above 0 and below 1, not " + threshold);
        }
    }

    /**
     * Where a binary model predicts the positive class, or a multi-label model a class: its recorded threshold,
     * else one half (a binary model's logit above 0).
     */
    public double decisionThreshold() {
        return threshold != null ? threshold : DEFAULT_THRESHOLD;
    }

    /** This metadata with the tokenizer's kind and its file (relative to the model folder). */
    public ModelMetadata withTokenizer(boolean sentencePiece, String vocabularyFile) {
        return new ModelMetadata(
                baseModel,
                lowercase,
                maxSeqLen,
                classNames,
                hyperparameters,
                metrics,
                created,
                tool,
                sentencePiece ? SENTENCEPIECE : WORDPIECE,
                vocabularyFile,
                truncation,
                multiLabel,
                threshold,
                TokenizerJson.REVISION); // written now, so tokenised as now
    }

    /** This metadata recording the truncation the model was trained with. */
    public ModelMetadata withTruncation(Truncation rule) {
        return new ModelMetadata(
                baseModel,
                lowercase,
                maxSeqLen,
                classNames,
                hyperparameters,
                metrics,
                created,
                tool,
                tokenizer,
                vocabulary,
                rule.id(),
                multiLabel,
                threshold,
                tokenizerRevision);
    }

    /**
     * Whether the model was trained before special-token strings in a text became words (revision 2): its texts
     * holding "[CLS]", "[SEP]", "[MASK]", "[PAD]" or "[UNK]" were tokenised otherwise then.
     */
    public boolean tokenizedBeforeRevision2() {
        return tokenizerRevision == null || tokenizerRevision < 2;
    }

    /** The tokenization revision to tokenise with: the recorded one, 1 for models written before it was recorded. */
    public int tokenizationRevision() {
        return tokenizerRevision != null ? tokenizerRevision : 1;
    }

    /** The truncation to tokenise with: the recorded one, {@link Truncation#HEAD} for older models. */
    public Truncation truncationRule() {
        return Truncation.of(truncation);
    }

    /** True when the model tokenises with SentencePiece (ALBERT), false for WordPiece. */
    public boolean sentencePiece() {
        return SENTENCEPIECE.equals(tokenizer);
    }

    /** The tokenizer's file in {@code modelDir}; it must lie inside the folder. */
    public Path vocabularyFile(Path modelDir) {
        Path dir = modelDir.toAbsolutePath().normalize();
        Path file = dir.resolve(vocabulary != null ? vocabulary : SavedModelExporter.VOCAB)
                .normalize();
        if (!file.startsWith(dir)) {
            throw new InferenceException(
                    modelDir.resolve(FILE) + " names a vocabulary outside the model folder: " + vocabulary);
        }
        return file;
    }

    /**
     * The metadata of the model in {@code modelDir}, checked to be usable (class names, length).
     *
     * @throws InferenceException if the file is missing, unreadable or does not describe a usable model
     */
    public static ModelMetadata read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        try {
            ModelMetadata m =
                    Json.PRETTY.fromJson(BoundedFiles.readString(file, BoundedFiles.SMALL * 16), ModelMetadata.class);
            if (m == null || m.classNames() == null || m.maxSeqLen() < 2) {
                throw new InferenceException(file + " is incomplete: it needs classNames and maxSeqLen");
            }
            checkClassNames(file, m.classNames());
            if (m.threshold() != null && !(m.threshold() > 0 && m.threshold() < 1)) {
                throw new InferenceException(file + ": threshold must be above 0 and below 1, got " + m.threshold());
            }
            if (m.tokenizer() != null && !m.tokenizer().equals(WORDPIECE) && !m.sentencePiece()) {
                throw new InferenceException(file + ": tokenizer '" + m.tokenizer() + "' is not supported (" + WORDPIECE
                        + ", " + SENTENCEPIECE + ")");
            }
            try {
                m.truncationRule();
            } catch (IllegalArgumentException e) {
                throw new InferenceException(file + ": " + e.getMessage());
            }
            return m;
        } catch (IOException | JsonParseException e) {
            throw new InferenceException("cannot read " + file + ": " + e.getMessage() + " (is " + modelDir
                    + " a model written by 'bert-clf train'?)");
        }
    }

    /** Two or more names, each a distinct non-blank string: the labels predictions are printed with. */
    private static void checkClassNames(Path file, List<String> names) {
        if (names.size() < 2) {
            throw new InferenceException(file + " lists " + names.size() + " classNames; a classifier has 2 or more");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) throw new InferenceException(file + ": classNames has an empty name");
            if (!seen.add(name)) {
                throw new InferenceException(
                        file + ": classNames has " + name + " twice; each class needs its own " + "name");
            }
        }
    }

    /**
     * Sets the decision threshold in the {@code metadata.json} of {@code modelDir}, atomically, and changes nothing
     * else of the file (its numbers as they were written, fields a newer bert-clf added): the file stays the one
     * {@code train} wrote, plus the threshold. The caller holds the model folder's lock and has checked that the
     * model is the one the threshold was found for.
     *
     * @throws InferenceException if the threshold does not fit the model ({@link #checkThreshold})
     */
    public static void storeThreshold(Path modelDir, double threshold) throws IOException {
        read(modelDir).checkThreshold(threshold);
        Path file = modelDir.resolve(FILE);
        JsonObject json = JsonParser.parseString(BoundedFiles.readString(file, BoundedFiles.SMALL * 16))
                .getAsJsonObject();
        json.addProperty("threshold", threshold);
        FileUtil.writeStringAtomic(file, Json.PRETTY.toJson(json));
    }

    /** Writes this metadata into {@code modelDir}, atomically, as {@link #read} reads it. */
    public void write(Path modelDir) throws IOException {
        FileUtil.writeStringAtomic(modelDir.resolve(FILE), Json.PRETTY.toJson(this));
    }
}
