package dev.bertclf.train;

import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.Dropout;
import dev.bertclf.model.GraphSession;
import dev.bertclf.model.InputTensors;
import dev.bertclf.model.Mode;
import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.EncodedBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The classifier plus everything training adds: the sigmoid cross-entropy loss (sparse softmax cross-entropy for
 * more than two classes, the labels then being class ids fed as floats; a sigmoid cross-entropy per class for
 * multi-label data, the labels then being multi-hot rows), gradients, and the AdamW update,
 * in one graph and one session. DJL's trainer is not implemented for TensorFlow, so training runs TensorFlow's
 * graph mode directly; inference and export use DJL and a separate, dropout-free graph.
 */
public final class TrainingGraph implements AutoCloseable {
    /**
     * Goes up whenever a change alters the numbers a training step computes (dropout masks, op forms), so a run
     * resumed from another build's checkpoint can say it will not end bit for bit as it would have. 2: 16-bit
     * dropout masks, sigmoid-form GELU.
     */
    public static final int REVISION = 2;

    private final GraphSession graph = new GraphSession();
    private final Session session;
    private final NamedVariables vars;
    private final BertClassifier model;
    private final AdamW optimizer;
    private final Placeholder<TFloat32> labels;
    private final PlaceholderWithDefault<TFloat32> dropoutOn;
    private final PlaceholderWithDefault<TInt64> dropoutStep;
    private final Operand<TFloat32> meanLoss;
    private final Operand<TFloat32> lossSum;
    private final Operand<TFloat32> correct;

    /** A binary classifier's graph, the tutorial's. */
    public TrainingGraph(BertConfig config, long seed, SessionOptions options) {
        this(config, seed, options, 2);
    }

    public TrainingGraph(BertConfig config, long seed, SessionOptions options, int numClasses) {
        this(config, seed, options, numClasses, null);
    }

    /**
     * {@code classWeights} (one per class, null for none) scale each example's loss by its class's weight in the
     * training objective, as Keras' {@code class_weight} does: the mean over the batch of weight times loss.
     * Validation losses stay unweighted, so they compare across runs; without weights the graph is the plain one.
     */
    public TrainingGraph(BertConfig config, long seed, SessionOptions options, int numClasses, float[] classWeights) {
        this(config, seed, options, numClasses, classWeights, false);
    }

    /**
     * With {@code multiLabel}: the labels are multi-hot rows ({@code [batch, numClasses]} of 0s and 1s), the loss is
     * the sigmoid cross-entropy of each class, averaged over the classes and then the batch (Keras'
     * {@code binary_crossentropy} on multi-hot targets), and "correct" is the share of an example's classes right
     * (Keras' {@code binary_accuracy}). Class weights do not apply.
     */
    public TrainingGraph(
            BertConfig config,
            long seed,
            SessionOptions options,
            int numClasses,
            float[] classWeights,
            boolean multiLabel) {
        if (multiLabel && classWeights != null) throw new IllegalArgumentException("no class weights for multi-label");
        vars = graph.variables();
        Ops tf = vars.scope("");
        dropoutOn = tf.withName("dropout_on").placeholderWithDefault(tf.constant(0f), Shape.scalar());
        dropoutStep = tf.withName("dropout_step").placeholderWithDefault(tf.constant(0L), Shape.scalar());
        model = new BertClassifier(
                config, vars, Mode.TRAINING, new Dropout(dropoutOn, dropoutStep, seed), numClasses, multiLabel);
        labels = tf.withName("labels")
                .placeholder(TFloat32.class, Placeholder.shape(multiLabel ? Shape.of(-1, numClasses) : Shape.of(-1)));

        Operand<TFloat32> perExample, predicted;
        if (multiLabel) {
            perExample = multiLabelCrossEntropy(tf, model.logits, labels);
            predicted = tf.dtypes.cast(tf.math.greater(model.logits, tf.constant(0f)), TFloat32.class);
        } else if (numClasses == 2) {
            perExample = sigmoidCrossEntropy(tf, model.logits, labels);
            predicted = tf.dtypes.cast(tf.math.greater(model.logits, tf.constant(0f)), TFloat32.class);
        } else {
            perExample = sparseSoftmaxCrossEntropy(tf, model.logits, labels, numClasses);
            predicted = tf.dtypes.cast(tf.math.argMax(model.logits, tf.constant(1)), TFloat32.class);
        }
        Operand<TFloat32> objective = classWeights == null
                ? perExample
                : tf.math.mul(
                        perExample,
                        tf.gather(tf.constant(classWeights), tf.dtypes.cast(labels, TInt32.class), tf.constant(0)));
        meanLoss = tf.withName("loss").math.mean(objective, tf.constant(0));
        lossSum = tf.sum(perExample, tf.constant(0));
        Operand<TFloat32> hits = tf.dtypes.cast(tf.math.equal(predicted, labels), TFloat32.class);
        if (multiLabel) hits = tf.math.mean(hits, tf.constant(1));
        correct = tf.sum(hits, tf.constant(0));

        optimizer = new AdamW(tf, vars, gradients(tf, config));
        session = graph.start(options.toConfigProto());
        session.initialize();
        session.runner().addTarget(optimizer.resetSlots).run();
    }

    /**
     * Every variable's gradient; the word-embedding table's as looked-up rows (see {@link Gradient.Rows}), by
     * differentiating with respect to the lookup's output instead of the 30,522-row table.
     */
    private Map<String, Gradient> gradients(Ops tf, BertConfig config) {
        String wordEmbeddings = config.wordEmbeddingsName();
        List<String> names = new ArrayList<>();
        List<Operand<?>> xs = new ArrayList<>();
        for (var e : vars.all().entrySet()) {
            if (e.getKey().equals(wordEmbeddings)) continue;
            names.add(e.getKey());
            xs.add(e.getValue());
        }
        xs.add(model.bert.embeddedWords);
        Gradients dy = tf.gradients(meanLoss, xs);
        Map<String, Gradient> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) out.put(names.get(i), new Gradient.Dense(dy.<TFloat32>dy(i)));
        out.put(
                wordEmbeddings,
                Gradient.Rows.ofLookup(
                        tf,
                        dy.<TFloat32>dy(names.size()),
                        model.bert.inputWordIds,
                        config.vocabSize,
                        config.embeddingWidth()));
        return out;
    }

    /** {@code max(x, 0) - x * z + log(1 + exp(-|x|))}: TensorFlow's numerically stable form. */
    static Operand<TFloat32> sigmoidCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
        return tf.math.add(
                tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, labels)),
                tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    }

    /** Each row's {@link #sigmoidCrossEntropy} averaged over its classes: {@code [batch, C]} to {@code [batch]}. */
    static Operand<TFloat32> multiLabelCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> multiHot) {
        return tf.math.mean(sigmoidCrossEntropy(tf, logits, multiHot), tf.constant(1));
    }

    /**
     * {@code -log softmax(logits)[label]} per row, {@code labels} holding class ids as floats. Built from
     * LogSoftmax and a one-hot mask rather than TensorFlow's fused op, whose gradient graph mode may not have.
     */
    static Operand<TFloat32> sparseSoftmaxCrossEntropy(
            Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels, int numClasses) {
        Operand<TFloat32> oneHot = tf.oneHot(
                tf.dtypes.cast(labels, TInt32.class), tf.constant(numClasses), tf.constant(1f), tf.constant(0f));
        return tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(1)));
    }

    public int numClasses() {
        return model.numClasses;
    }

    private int logitsPerExample() {
        return BertClassifier.logitsPerExample(model.numClasses, model.multiLabel);
    }

    public NamedVariables variables() {
        return vars;
    }

    /** Sets every weight by name; see {@link NamedVariables#load}. */
    public void loadWeights(Weights weights) {
        graph.load(weights);
    }

    /** Every weight's current value; the caller closes them. */
    public Weights readWeights() {
        return graph.read();
    }

    /**
     * AdamW's moments by their checkpoint names ({@code [variable]/adam_m}, {@code /adam_v}); the caller closes them.
     */
    public Weights readSlots() {
        return optimizer.slots.read(session);
    }

    public NamedVariables slotVariables() {
        return optimizer.slots;
    }

    /** Restores AdamW's moments, as a resumed run does; see {@link NamedVariables#load}. */
    public void loadSlots(Weights slots) {
        optimizer.slots.load(session, slots.asMap());
    }

    /**
     * One AdamW step with dropout on; {@code step} is 0-based and also selects the dropout masks, so the same step
     * of a resumed run repeats the uninterrupted run's. Returns the batch's mean loss and correct count.
     */
    public StepResult train(EncodedBatch batch, float[] y, double learningRate, long step) {
        try (Inputs in = new Inputs(batch, y);
                TFloat32 lr = TFloat32.scalarOf((float) learningRate);
                TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA1, step + 1));
                TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA2, step + 1));
                TFloat32 on = TFloat32.scalarOf(1f);
                TInt64 dropoutSeedStep = TInt64.scalarOf(step)) {
            Session.Runner r = in.feed(session.runner())
                    .feed(optimizer.learningRate, lr)
                    .feed(optimizer.beta1Power, b1)
                    .feed(optimizer.beta2Power, b2)
                    .feed(dropoutOn, on)
                    .feed(dropoutStep, dropoutSeedStep)
                    .addTarget(optimizer.update)
                    .fetch(meanLoss)
                    .fetch(correct);
            try (Result res = r.run()) {
                return new StepResult(((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat());
            }
        }
    }

    /**
     * Forward pass without dropout. Returns the batch's summed loss, correct count and logits (row by row, one
     * per example, or {@code numClasses} per example for more than two classes).
     */
    public EvalResult evaluate(EncodedBatch batch, float[] y) {
        try (Inputs in = new Inputs(batch, y);
                Result res = in.feed(session.runner())
                        .fetch(lossSum)
                        .fetch(correct)
                        .fetch(model.logits)
                        .run()) {
            TFloat32 logits = (TFloat32) res.get(2);
            float[] l = new float[batch.batchSize() * logitsPerExample()];
            logits.copyTo(DataBuffers.of(l, false, false));
            return new EvalResult(((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat(), l);
        }
    }

    public record StepResult(float loss, float correct) {}

    public record EvalResult(float lossSum, float correct, float[] logits) {}

    /** The batch's input tensors and its labels, closed together. */
    private final class Inputs implements AutoCloseable {
        final InputTensors x;
        final TFloat32 y;

        Inputs(EncodedBatch b, float[] labels) {
            x = new InputTensors(b);
            y = model.multiLabel
                    ? TFloat32.tensorOf(
                            Shape.of(labels.length / model.numClasses, model.numClasses), DataBuffers.of(labels))
                    : TFloat32.vectorOf(labels);
        }

        Session.Runner feed(Session.Runner r) {
            return x.feed(r, model.bert).feed(labels, y);
        }

        @Override
        public void close() {
            x.close();
            y.close();
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
