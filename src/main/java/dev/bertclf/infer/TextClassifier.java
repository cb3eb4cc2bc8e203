package dev.bertclf.infer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.model.checkpoint.CheckpointIndex;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.TokenizerJson;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SavedModel;

/**
 * A trained model ready to classify text: the exported SavedModel loaded through DJL's TensorFlow engine, with the
 * tokenizer and class names from its folder. This is the only way evaluate, predict and serve run a model, so
 * they all see what an external TensorFlow runtime would see.
 *
 * <p>As a library: {@link #load} a folder once (it starts TensorFlow, which takes seconds), {@link #predict} as
 * often as needed, {@link #close} to free the native memory. An instance runs one call at a time: share it between
 * threads by funnelling their texts through one (as {@code serve} batches its requests), or load one per thread.
 * Failures the caller can fix (a missing or damaged folder, a model of a newer bert-clf, a bad option value) are
 * {@link InferenceException}s and {@link dev.bertclf.runtime.InvalidOptionException}s, both {@link
 * dev.bertclf.runtime.UserError}s whose message says what to do.
 */
public final class TextClassifier implements AutoCloseable {
    /**
     * Made with the class, so that SLF4J starts before {@link #load} starts TensorFlow on another thread: a logging
     * backend that two threads start at once prints a warning about replayed calls.
     */
    private static final Logger log = LoggerFactory.getLogger(TextClassifier.class);

    private final ModelMetadata metadata;
    private final WordPieceTokenizer tokenizer;
    private final ZooModel<EncodedBatch, float[]> model;
    private final Predictor<EncodedBatch, float[]> predictor;
    private volatile LongText longText = LongText.TRUNCATE;
    /** Null: the model's own; see {@link #useThreshold}. */
    private volatile Double threshold;

    private TextClassifier(
            ModelMetadata metadata, WordPieceTokenizer tokenizer, ZooModel<EncodedBatch, float[]> model) {
        this.metadata = metadata;
        this.tokenizer = tokenizer;
        this.model = model;
        this.predictor = model.newPredictor();
    }

    /**
     * Loads the model that {@code bert-clf train} wrote into {@code modelDir}, on the CPU, after checking that the
     * folder is whole (graph, weights, metadata, vocabulary agree), so that damage is reported by file.
     *
     * @throws InferenceException if the folder holds no model, a damaged one, or one this bert-clf cannot read
     */
    public static TextClassifier load(Path modelDir) {
        return load(modelDir, false);
    }

    /** As {@link #load(Path)}, on the first CUDA GPU when {@code gpu} (a build with the {@code gpu} profile). */
    public static TextClassifier load(Path modelDir, boolean gpu) {
        return load(modelDir, gpu, Precision.fp32, 0);
    }

    /**
     * With {@code precision} ({@code bf16}: oneDNN's auto mixed precision rewrite, CPU only) and {@code
     * intraOpThreads} TensorFlow threads per operation (0: TensorFlow's default, one per core), for processes that
     * share the machine such as Spark executors; fp32 with 0 threads keeps DJL's own session settings.
     */
    public static TextClassifier load(Path modelDir, boolean gpu, Precision precision, int intraOpThreads) {
        if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
            throw new InferenceException("no trained model in " + modelDir + " (saved_model.pb is missing); "
                    + "run 'bert-clf train' first or pass --model-dir");
        }
        ModelMetadata meta = ModelMetadata.read(modelDir);
        checkIntact(modelDir, meta);
        if (meta.tokenizationRevision() < 1 || meta.tokenizationRevision() > TokenizerJson.REVISION) {
            throw new InferenceException(modelDir.resolve(ModelMetadata.FILE) + " asks for tokenization revision "
                    + meta.tokenizationRevision() + "; this bert-clf knows revisions 1 to " + TokenizerJson.REVISION
                    + " (was the model made by a newer bert-clf?)");
        }
        if (meta.tokenizedBeforeRevision2()) {
            log.warn(
                    "the model in {} was trained when \"[CLS]\", \"[SEP]\", \"[MASK]\", \"[PAD]\" or "
                            + "\"[UNK]\" in a text became the special token; they are words now (as TF Text "
                            + "reads them), so texts holding them are tokenised otherwise than in training: "
                            + "train the model again to match",
                    modelDir);
        }
        Path config = modelDir.resolve(SavedModelExporter.CONFIG);
        int positions = Files.isRegularFile(config) ? BertConfig.read(config).maxPositionEmbeddings : Integer.MAX_VALUE;
        if (meta.maxSeqLen() > positions) { // once TensorFlow's InvalidArgumentException at the first text
            throw new InferenceException(modelDir.resolve(ModelMetadata.FILE) + " gives maxSeqLen " + meta.maxSeqLen()
                    + ", more than the model's " + positions + " positions (" + config + "): the model folder is "
                    + "damaged; train the model or copy it again");
        }
        // Loading TensorFlow's natives is most of a one-text predict: do it while the tokenizer is built.
        CompletableFuture<?> engine = CompletableFuture.runAsync(TfRuntime::engine);
        // Padding each batch only to its longest text: the graph takes any length, and a short text costs
        // a tenth of a padded one.
        WordPieceTokenizer tokenizer = WordPieceTokenizer.builder(meta.vocabularyFile(modelDir), meta.sentencePiece())
                .lowercase(meta.lowercase())
                .maxSeqLen(meta.maxSeqLen())
                .truncation(meta.truncationRule())
                .revision(meta.tokenizationRevision()) // a model keeps the tokenization it was trained with
                .padToLongest()
                .build();
        awaitEngine(engine, tokenizer);
        Criteria.Builder<EncodedBatch, float[]> builder = Criteria.builder()
                .setTypes(EncodedBatch.class, float[].class)
                .optModelPath(modelDir)
                .optEngine("TensorFlow")
                .optDevice(gpu ? Device.gpu() : Device.cpu())
                .optTranslator(new ClassifierTranslator());
        if (precision != Precision.fp32 || intraOpThreads > 0) {
            builder.optOption("ConfigProto", sessionConfig(gpu, precision, intraOpThreads));
        }
        Criteria<EncodedBatch, float[]> criteria = builder.build();
        try {
            return new TextClassifier(meta, tokenizer, criteria.loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException | TensorFlowException e) {
            tokenizer.close();
            throw new InferenceException(
                    "cannot load the model in " + modelDir + " (is it damaged? train it or copy " + "it again): "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /** DJL's own session settings (soft placement) with a precision and threads, as DJL takes them (base64). */
    private static String sessionConfig(boolean gpu, Precision precision, int intraOpThreads) {
        ConfigProto config = new SessionOptions(intraOpThreads, 0, precision == Precision.bf16, gpu)
                .toConfigProto().toBuilder().setAllowSoftPlacement(true).build();
        return Base64.getEncoder().encodeToString(config.toByteArray());
    }

    /**
     * What Java can check before TensorFlow loads the folder, so that damage is reported by file rather than as a
     * TensorFlow error (or, for class names, as a crash while printing the first prediction): the graph parses,
     * every variable's bytes are there, and the classifier has one output per class name (one for two classes).
     */
    private static void checkIntact(Path modelDir, ModelMetadata meta) {
        Path pb = modelDir.resolve("saved_model.pb");
        try {
            if (SavedModel.parseFrom(BoundedFiles.readBytes(pb, BoundedFiles.LARGE))
                            .getMetaGraphsCount()
                    == 0) {
                throw new InvalidProtocolBufferException("it holds no graph");
            }
        } catch (IOException e) {
            throw new InferenceException(
                    pb + " is not a SavedModel (" + e.getMessage().split("\\.  ")[0]
                            + "); it may be truncated: train the model or copy it again",
                    e);
        }
        Path variables = modelDir.resolve("variables/variables");
        CheckpointIndex.Entry head;
        try {
            CheckpointReader.checkDataFiles(variables);
            head = CheckpointIndex.read(variables).get(BertClassifier.HEAD_SCOPE + "/kernel");
        } catch (CheckpointException e) {
            throw new InferenceException(
                    "the weights of the model in " + modelDir + " are damaged (train the model " + "or copy it again): "
                            + e.getMessage(),
                    e);
        }
        if (head == null) {
            throw new InferenceException(modelDir + " holds no " + BertClassifier.HEAD_SCOPE + "/kernel variable: "
                    + "it is not a classifier written by 'bert-clf train'");
        }
        long outputs = head.shape()[head.shape().length - 1];
        int classes = meta.classNames().size();
        if (outputs != BertClassifier.logitsPerExample(classes, meta.isMultiLabel())) {
            throw new InferenceException(modelDir.resolve(ModelMetadata.FILE) + " lists " + classes + " classNames "
                    + "but the model has " + outputs + " output" + (outputs == 1 ? " (two classes)" : "s"));
        }
    }

    private static void awaitEngine(CompletableFuture<?> engine, WordPieceTokenizer tokenizer) {
        try {
            engine.join();
        } catch (CompletionException e) {
            tokenizer.close();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** The most classes {@link #predict(List, int)} lists per text for a multi-class model. */
    public static final int TOP = 5;

    /** The model's metadata: class names, window length, how it was trained. */
    public ModelMetadata metadata() {
        return metadata;
    }

    /** 1 for a binary model (the positive class's logit), else one per class (a multi-label model: always). */
    public int logitsPerText() {
        return BertClassifier.logitsPerExample(metadata.classNames().size(), metadata.isMultiLabel());
    }

    /**
     * How texts longer than the window are scored from now on ({@link LongText}); truncated by default.
     *
     * @throws dev.bertclf.runtime.InvalidOptionException if its stride does not fit this model's window
     */
    public void useLongText(LongText longText) {
        longText.strideFor(metadata.maxSeqLen() - 2);
        this.longText = longText;
    }

    /** How texts longer than the window are scored now ({@link #useLongText}). */
    public LongText longText() {
        return longText;
    }

    /**
     * This classifier set to read long texts as {@code longText} says and, unless {@code threshold} is null, to
     * predict a binary model's positive class or a multi-label model's classes above it ({@link #useLongText},
     * {@link #useThreshold}); closed if either does not fit its model, so a caller holding a freshly loaded classifier
     * leaks nothing.
     */
    public TextClassifier scoring(LongText longText, Double threshold) {
        try {
            useLongText(longText);
            if (threshold != null) useThreshold(threshold);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Predicts a binary model's positive class, or a multi-label model's classes, above {@code threshold} from now
     * on, instead of the model's own ({@link ModelMetadata#decisionThreshold}): thresholds are often tuned after
     * training, on held-out data, to trade precision for recall.
     *
     * @throws InferenceException for a multi-class model or a threshold not strictly between 0 and 1
     */
    public void useThreshold(double threshold) {
        metadata.checkThreshold(threshold);
        this.threshold = threshold;
    }

    /**
     * A binary or multi-label model's decision threshold: as {@link #useThreshold} set it, else the model's own
     * (0.5 unless {@code evaluate --save-threshold} or {@code train --threshold} stored another).
     */
    public double threshold() {
        Double t = threshold;
        return t != null ? t : metadata.decisionThreshold();
    }

    /**
     * One logit per text ({@link #logitsPerText()} per text, row after row, for a multi-class model), in the order
     * given, computed in batches of {@code batchSize} texts of similar length (sorted by characters), so that
     * padding to each batch's longest text wastes little. With {@link LongText.Mode#window} a text's logits are the
     * mean of its windows' logits, the windows run {@code batchSize} at a time.
     */
    public float[] logits(List<String> texts, int batchSize) {
        Integer[] order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
        int w = logitsPerText();
        float[] out = new float[texts.size() * w];
        LongText mode = longText;
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            List<String> batch = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) batch.add(texts.get(order[i]));
            float[] part = mode.mode() == LongText.Mode.window
                    ? windowLogits(batch, mode, batchSize)
                    : run(tokenizer.encode(batch));
            for (int i = from; i < to; i++) System.arraycopy(part, (i - from) * w, out, order[i] * w, w);
        }
        return out;
    }

    /** Each text's mean logits over its windows. */
    private float[] windowLogits(List<String> texts, LongText mode, int batchSize) {
        WordPieceTokenizer.Windowed windowed =
                tokenizer.encodeWindows(texts, mode.strideFor(metadata.maxSeqLen() - 2), mode.maxWindows());
        EncodedBatch rows = windowed.batch();
        int w = logitsPerText();
        float[] perWindow = new float[rows.batchSize() * w];
        for (int from = 0; from < rows.batchSize(); from += batchSize) {
            int to = Math.min(rows.batchSize(), from + batchSize);
            System.arraycopy(run(rows.rows(from, to)), 0, perWindow, from * w, (to - from) * w);
        }
        return meanPerText(perWindow, windowed.windows(), w);
    }

    /** The mean of each text's consecutive rows of {@code w} logits, {@code windows[t]} rows for text t. */
    static float[] meanPerText(float[] perWindow, int[] windows, int w) {
        float[] out = new float[windows.length * w];
        int row = 0;
        for (int t = 0; t < windows.length; t++) {
            for (int k = 0; k < w; k++) {
                double sum = 0;
                for (int r = 0; r < windows[t]; r++) sum += perWindow[(row + r) * w + k];
                out[t * w + k] = (float) (sum / windows[t]);
            }
            row += windows[t];
        }
        return out;
    }

    private float[] run(EncodedBatch batch) {
        try {
            return predictor.predict(batch);
        } catch (TranslateException e) {
            throw new InferenceException("inference failed: " + e.getMessage(), e);
        }
    }

    /**
     * The probability and label of each text (a binary model's positive class above {@link #threshold()}),
     * {@code batchSize} texts per model call; for a multi-class model also
     * the {@value #TOP} most probable classes; for a multi-label model also every class over its threshold.
     */
    public List<Prediction> predict(List<String> texts, int batchSize) {
        return predict(texts, batchSize, threshold());
    }

    /**
     * As {@link #predict(List, int)}, a binary model's positive class or a multi-label model's classes predicted
     * above {@code threshold} (a multi-class model ignores it).
     */
    public List<Prediction> predict(List<String> texts, int batchSize, double threshold) {
        float[] logits = logits(texts, batchSize);
        List<String> classes = metadata.classNames();
        List<Prediction> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int from = i * classes.size();
            out.add(
                    metadata.isMultiLabel()
                            ? Prediction.ofSigmoids(texts.get(i), logits, from, classes, threshold, TOP)
                            : classes.size() == 2
                                    ? Prediction.of(texts.get(i), logits[i], classes, threshold)
                                    : Prediction.ofSoftmax(texts.get(i), logits, from, classes, TOP));
        }
        return out;
    }

    /** The logistic function: a binary model's logit as the positive class's probability. */
    public static double sigmoid(double logit) {
        return 1 / (1 + Math.exp(-logit));
    }

    /** Softmax of {@code logits[from..from+n)}, computed stably in double precision. */
    public static double[] softmax(float[] logits, int from, int n) {
        double max = max(logits, from, n);
        double[] p = new double[n];
        double sum = 0;
        for (int c = 0; c < n; c++) sum += p[c] = Math.exp(logits[from + c] - max);
        for (int c = 0; c < n; c++) p[c] /= sum;
        return p;
    }

    /** {@code log softmax(logits[from..from+n))[c]}, as {@code logit - max - log(sum(exp(logit - max)))}. */
    public static double logSoftmax(float[] logits, int from, int n, int c) {
        double max = max(logits, from, n), sum = 0;
        for (int k = 0; k < n; k++) sum += Math.exp(logits[from + k] - max);
        return logits[from + c] - max - Math.log(sum);
    }

    private static double max(float[] logits, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, logits[from + k]);
        return max;
    }

    /** Frees the model's native memory and the tokenizer; the instance cannot be used afterwards. */
    @Override
    public void close() {
        predictor.close();
        model.close();
        tokenizer.close();
    }
}
