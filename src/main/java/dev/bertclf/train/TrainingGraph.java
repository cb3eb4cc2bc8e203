package dev.bertclf.train;

import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.DenseLayers;
import dev.bertclf.model.Dropout;
import dev.bertclf.model.GraphSession;
import dev.bertclf.model.InputTensors;
import dev.bertclf.model.Mode;
import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.CpuFeatures;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.EncodedBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The classifier plus everything training adds, in one graph and one session: the {@link Loss} of its kind of
 * labels, the gradients, and the AdamW update as its {@link TrainingStep} builds it (one batch a run, accumulated
 * micro-batches, or a worker's share summed over the network). DJL's trainer is not implemented for TensorFlow, so
 * training runs TensorFlow's graph mode directly; inference and export use DJL and a separate, dropout-free graph.
 */
public final class TrainingGraph implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingGraph.class);

    /**
     * Goes up whenever a change alters the numbers a training step computes (dropout masks, op forms), so a run
     * resumed from another build's checkpoint can say it will not end bit for bit as it would have. 2: 16-bit
     * dropout masks, sigmoid-form GELU. 3: bf16 dense layers as fused bfloat16 products ({@link DenseLayers#BF16}).
     * 4: GELU as bert-clf's fused kernel where it loads ({@link dev.bertclf.runtime.FusedKernels}). 5: TensorFlow's
     * ops draw the fused kernel's dropout masks ({@link Dropout}).
     */
    public static final int REVISION = 5;

    /**
     * {@code -Dbertclf.dropout=off} trains without dropout: for tests that compare runs whose masks differ by design
     * (a data-parallel run draws each worker's own) in child JVMs, never for a model anyone keeps.
     */
    static final boolean DROPOUT_OFF = "off".equals(System.getProperty("bertclf.dropout"));

    private final GraphSession graph = new GraphSession();
    private final Session session;
    private final NamedVariables vars;
    private final BertClassifier model;
    private final Loss loss;
    private final TrainingStep step;
    private final Kernels kernels;
    private final Placeholder<TFloat32> labels;
    private final PlaceholderWithDefault<TFloat32> dropoutOn;
    private final PlaceholderWithDefault<TInt64> dropoutStep;
    /** What {@link #fed} feeds the dropout switch: 1, or 0 where a test compares runs. */
    private float dropoutWhileTraining = DROPOUT_OFF ? 0f : 1f;

    /** The batch's mean objective, what a plain step differentiates. */
    private final Operand<TFloat32> meanLoss;
    /** The batch's summed unweighted loss and correct count, for validation. */
    private final Operand<TFloat32> lossSum, correct;

    /** A binary classifier's graph, the tutorial's. */
    public TrainingGraph(BertConfig config, long seed, SessionOptions options) {
        this(config, seed, options, new Loss.Binary(null));
    }

    /** A graph for {@code loss}'s kind of labels, one batch a step. */
    public TrainingGraph(BertConfig config, long seed, SessionOptions options, Loss loss) {
        this(config, seed, options, loss, Kernels.available(), TrainingStep.single(new StopSignal()));
    }

    /**
     * The full graph. {@code kernels}: the run's element-wise kernels, chosen once ({@link Kernels#available()}) and
     * recorded; {@code step}: how an optimizer step runs ({@link TrainingStep}). Class weights ({@link Loss}) scale
     * the training objective only: validation losses stay unweighted, so they compare across runs.
     */
    public TrainingGraph(
            BertConfig config, long seed, SessionOptions options, Loss loss, Kernels kernels, TrainingStep.Kind step) {
        this.loss = loss;
        this.kernels = kernels;
        vars = graph.variables();
        Ops tf = vars.scope("");
        dropoutOn = tf.withName("dropout_on").placeholderWithDefault(tf.constant(0f), Shape.scalar());
        dropoutStep = tf.withName("dropout_step").placeholderWithDefault(tf.constant(0L), Shape.scalar());
        model = new BertClassifier(
                config,
                vars,
                Mode.TRAINING,
                new Dropout(dropoutOn, dropoutStep, seed, kernels),
                loss.numClasses(),
                loss.multiLabel(),
                denseLayers(options));
        labels = tf.withName("labels").placeholder(TFloat32.class, Placeholder.shape(loss.labelShape()));
        Operand<TFloat32> perExample = loss.perExample(tf, model.logits, labels);
        Operand<TFloat32> objective = loss.objective(tf, perExample, labels);
        meanLoss = tf.withName("loss").math.mean(objective, tf.constant(0));
        lossSum = tf.sum(perExample, tf.constant(0));
        correct = tf.sum(loss.hits(tf, model.logits, labels), tf.constant(0));
        this.step = step.build(new TrainingStep.Parts(
                tf,
                vars,
                meanLoss,
                tf.sum(objective, tf.constant(0)),
                correct,
                l -> gradients(tf, config, l),
                AdamW.WEIGHT_DECAY));
        session = this.step.start(graph, options.toConfigProto());
        session.initialize();
        this.step.initialize(session);
    }

    /**
     * bf16 dense layers as fused bfloat16 products where the CPU has bf16 instructions; elsewhere, and in fp32, the
     * standard ones (a bf16 run there is left to the auto mixed precision rewrite, as in earlier builds).
     */
    private static DenseLayers denseLayers(SessionOptions options) {
        if (!options.bf16()) return DenseLayers.STANDARD;
        if (CpuFeatures.bf16()) return DenseLayers.BF16;
        log.warn("This CPU has neither AVX512-BF16 nor AMX: --precision bf16 runs on oneDNN's emulation, usually "
                + "slower than fp32");
        return DenseLayers.STANDARD;
    }

    /**
     * Every variable's gradient; the word-embedding table's as looked-up rows (see {@link Gradient.Rows}), by
     * differentiating with respect to the lookup's output instead of the 30,522-row table.
     */
    private Map<String, Gradient> gradients(Ops tf, BertConfig config, Operand<TFloat32> loss) {
        String wordEmbeddings = config.wordEmbeddingsName();
        List<String> names = new ArrayList<>();
        List<Operand<?>> xs = new ArrayList<>();
        for (var e : vars.all().entrySet()) {
            if (e.getKey().equals(wordEmbeddings)) continue;
            names.add(e.getKey());
            xs.add(e.getValue());
        }
        xs.add(model.bert.embeddedWords);
        Gradients dy = tf.gradients(loss, xs);
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

    public int numClasses() {
        return model.numClasses;
    }

    /** What this graph minimises, and how it scores predictions. */
    public Loss loss() {
        return loss;
    }

    /** How this graph's optimizer steps run. */
    public TrainingStep step() {
        return step;
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
        return step.optimizer().slots.read(session);
    }

    public NamedVariables slotVariables() {
        return step.optimizer().slots;
    }

    /** Restores AdamW's moments, as a resumed run does; see {@link NamedVariables#load}. */
    public void loadSlots(Weights slots) {
        step.optimizer().slots.load(session, slots.asMap());
    }

    /** The element-wise kernels this graph was built with. */
    public Kernels kernels() {
        return kernels;
    }

    /** Training steps without dropout from now on: for tests that compare runs, whose masks would differ. */
    void turnOffDropout() {
        dropoutWhileTraining = 0f;
    }

    /**
     * Optimizer step {@code step} (0-based) on the examples {@code order[from..to)} of {@code data}, as this graph's
     * {@link TrainingStep} runs it; {@code step} also selects the dropout masks, so the same step of a resumed run
     * repeats the uninterrupted run's.
     */
    public StepResult train(TokenizedDataset data, int[] order, int from, int to, double learningRate, long step) {
        return this.step.run(this, data, order, from, to, learningRate, step);
    }

    /**
     * One AdamW step on one batch with dropout on, in a graph of {@link SingleStep}s: the batch's mean loss and
     * correct count, and the gradients' global norm before clipping.
     */
    public StepResult train(EncodedBatch batch, float[] y, double learningRate, long step) {
        return single().run(this, batch, y, learningRate, step, null);
    }

    /**
     * One step as {@link #train(EncodedBatch, float[], double, long)} runs it, traced: TensorFlow's timing of every
     * op the step ran, for {@code bench --op-profile}. The step is a real one and updates the weights.
     */
    public RunMetadata traceTrain(EncodedBatch batch, float[] y, double learningRate, long step) {
        RunMetadata[] trace = new RunMetadata[1];
        single().run(this, batch, y, learningRate, step, trace);
        return trace[0];
    }

    private SingleStep single() {
        if (step instanceof SingleStep s) return s;
        throw new IllegalStateException("a graph of " + step.getClass().getSimpleName() + "s trains by ranges");
    }

    /**
     * Forward pass without dropout. Returns the batch's summed loss, correct count and logits (row by row,
     * {@link Loss#logitsPerExample} per example).
     */
    public EvalResult evaluate(EncodedBatch batch, float[] y) {
        try (Fed fed = new Fed(batch, y, null);
                Result res = fed.runner()
                        .fetch(lossSum)
                        .fetch(correct)
                        .fetch(model.logits)
                        .run()) {
            TFloat32 logits = (TFloat32) res.get(2);
            float[] l = new float[batch.batchSize() * loss.logitsPerExample()];
            logits.copyTo(DataBuffers.of(l, false, false));
            return new EvalResult(((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat(), l);
        }
    }

    /**
     * {@code gradientNorm}: the global norm before clipping; {@code stop}: the run was asked to end after this step
     * (in a data-parallel run, the chief was).
     */
    public record StepResult(float loss, float correct, float gradientNorm, boolean stop) {}

    public record EvalResult(float lossSum, float correct, float[] logits) {}

    /** The batch's mean objective, for steps to fetch. */
    Operand<TFloat32> meanLoss() {
        return meanLoss;
    }

    /** The batch's correct count, for steps to fetch. */
    Operand<TFloat32> correct() {
        return correct;
    }

    /** A run of this graph's session, fed nothing yet. */
    Session.Runner runner() {
        return session.runner();
    }

    /** A run fed a training batch, its labels and dropout masks number {@code masks}, dropout on. */
    Fed fed(EncodedBatch batch, float[] y, long masks) {
        return new Fed(batch, y, masks);
    }

    /** A run fed a batch and its labels, and, for training, the dropout switch and mask number; closed together. */
    final class Fed implements AutoCloseable {
        private final InputTensors x;
        private final TFloat32 y;
        private final TFloat32 on;
        private final TInt64 masks;

        private Fed(EncodedBatch b, float[] labels, Long masks) {
            x = new InputTensors(b);
            y = loss.labelTensor(labels);
            on = masks == null ? null : TFloat32.scalarOf(dropoutWhileTraining);
            this.masks = masks == null ? null : TInt64.scalarOf(masks);
        }

        Session.Runner runner() {
            Session.Runner r = x.feed(session.runner(), model.bert).feed(labels, y);
            return on == null ? r : r.feed(dropoutOn, on).feed(dropoutStep, masks);
        }

        @Override
        public void close() {
            x.close();
            y.close();
            if (on != null) {
                on.close();
                masks.close();
            }
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
