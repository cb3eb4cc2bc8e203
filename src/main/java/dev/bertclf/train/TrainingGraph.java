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
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
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
    private final AdamW optimizer;
    private final Placeholder<TFloat32> labels;
    private final PlaceholderWithDefault<TFloat32> dropoutOn;
    private final PlaceholderWithDefault<TInt64> dropoutStep;
    /** Examples in the whole step, fed with each micro-batch or worker's share of it; null in a plain graph. */
    private final Placeholder<TFloat32> stepExamples;
    /** Null unless the graph accumulates; see {@link #accumulate}. */
    private final GradientAccumulator accumulator;
    /** The update, then the sums zeroed: an accumulating graph's optimizer step. */
    private final Op applyAndZero;

    private final Operand<TFloat32> meanLoss;
    /** What {@link #train} and {@link #accumulate} feed the dropout switch: 1, or 0 where a test compares runs. */
    private float dropoutWhileTraining = DROPOUT_OFF ? 0f : 1f;

    private final AllReduce replicas;
    private final Replicated replicated;
    private final Kernels kernels;

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
        this(config, seed, options, numClasses, classWeights, false, false, null, Kernels.available());
    }

    /**
     * The full graph. With {@code multiLabel}: the labels are multi-hot rows ({@code [batch, numClasses]} of 0s and
     * 1s), the loss is the sigmoid cross-entropy of each class, averaged over the classes and then the batch (Keras'
     * {@code binary_crossentropy} on multi-hot targets), and "correct" is the share of an example's classes right
     * (Keras' {@code binary_accuracy}). Class weights do not apply.
     *
     * <p>{@code accumulating}: the gradient and the update are two stages, {@link #accumulate} then
     * {@link #applyAccumulated}, with the summed gradient held in variables between them
     * ({@link GradientAccumulator}); the loss a micro-batch differentiates is then its summed (weighted) loss over
     * the examples of the whole step, fed with it, so the micro-batches' gradients add up to the mean-loss gradient
     * of one large batch. Otherwise {@link #train} computes and applies the batch's mean-loss gradient in one run,
     * with no sums in memory.
     *
     * <p>{@code replicas}: one worker's graph of a data-parallel run (null: a run on its own). Each worker computes
     * the gradient of its share of the global batch's mean loss (its examples' summed loss over the global batch's
     * count, fed), the shares are summed over the workers (see {@link AllReduce}), and every worker then clips and
     * applies the same AdamW update: the numbers of one process with the global batch, up to float rounding. Not
     * yet together with {@code accumulating}.
     *
     * <p>{@code kernels}: the run's element-wise kernels, chosen once ({@link Kernels#available()}) and recorded.
     */
    public TrainingGraph(
            BertConfig config,
            long seed,
            SessionOptions options,
            int numClasses,
            float[] classWeights,
            boolean multiLabel,
            boolean accumulating,
            AllReduce replicas,
            Kernels kernels) {
        if (multiLabel && classWeights != null) throw new IllegalArgumentException("no class weights for multi-label");
        if (accumulating && replicas != null) {
            throw new IllegalArgumentException("gradient accumulation is not yet supported on several workers");
        }
        this.replicas = replicas;
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
                numClasses,
                multiLabel,
                denseLayers(options));
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

        // Accumulating micro-batches and sharing a batch between workers both split a step's examples: each part's
        // gradient is then of its summed loss over the whole step's examples (fed), and the parts' gradients add up
        // to the step's mean-loss gradient.
        Operand<TFloat32> objectiveSum = tf.sum(objective, tf.constant(0)), shareOfStep = null;
        if (accumulating || replicas != null) {
            stepExamples = tf.withName("step_examples").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            shareOfStep = tf.withName("step_loss_share").math.div(objectiveSum, stepExamples);
        } else {
            stepExamples = null;
        }
        if (accumulating) {
            accumulator = new GradientAccumulator(tf, vars, gradients(tf, config, shareOfStep));
            optimizer = new AdamW(tf, vars, accumulator.sums());
            applyAndZero = accumulator.zeroAfter(List.of(optimizer.update));
            replicated = null;
        } else if (replicas == null) {
            accumulator = null;
            applyAndZero = null;
            optimizer = new AdamW(tf, vars, gradients(tf, config, meanLoss));
            replicated = null;
        } else {
            accumulator = null;
            applyAndZero = null;
            Placeholder<TFloat32> stop =
                    tf.withName("stop_request").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            AllReduce.Summed summed =
                    replicas.sumGradients(tf, gradients(tf, config, shareOfStep), List.of(objectiveSum, correct, stop));
            optimizer = new AdamW(tf, vars, summed.gradients());
            replicated = new Replicated(tf, summed, stop);
        }
        session = replicas == null
                ? graph.start(options.toConfigProto())
                : graph.start(
                        replicas.server().sessionConfig(options.toConfigProto()),
                        replicas.server().target());
        session.initialize();
        session.runner().addTarget(optimizer.resetSlots).run();
        if (accumulator != null) session.runner().addTarget(accumulator.zero).run();
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

    /** What a worker of a data-parallel run adds to the graph; see {@link AllReduce}. */
    private final class Replicated {
        final Placeholder<TFloat32> stopRequest;
        final Operand<TFloat32> globalObjectiveSum, globalCorrect, stopRequested;
        /** Sets every weight and AdamW slot to the chief's: the sum of the chief's values and the others' zeros. */
        final Op takeChiefsVariables;

        final Placeholder<TFloat64> fromChiefIn;
        final Operand<TFloat64> fromChiefOut;
        /** One gather per {@link Gathered} use: a collective's shape is fixed by its first run. */
        final Map<Gathered, Placeholder<TFloat64>> gatherIn = new EnumMap<>(Gathered.class);

        final Map<Gathered, Operand<TFloat64>> gatherOut = new EnumMap<>(Gathered.class);

        Replicated(Ops root, AllReduce.Summed summed, Placeholder<TFloat32> stop) {
            Ops tf = root.withSubScope("replicas");
            this.stopRequest = stop;
            globalObjectiveSum = summed.extras().get(0);
            globalCorrect = summed.extras().get(1);
            stopRequested = summed.extras().get(2);
            Operand<TFloat32> mine = tf.constant(replicas.chief() ? 1f : 0f);
            List<Op> assigns = new ArrayList<>();
            Map<String, Variable<TFloat32>> all = new LinkedHashMap<>(vars.all());
            all.putAll(optimizer.slots.all());
            for (var e : all.entrySet()) {
                Operand<TFloat32> chiefs = replicas.sum(tf, tf.math.mul(e.getValue(), mine), "sync");
                assigns.add(tf.assign(e.getValue(), chiefs));
            }
            takeChiefsVariables = tf.withControlDependencies(assigns)
                    .withName("take_chiefs_variables")
                    .noOp();
            fromChiefIn = tf.withName("from_chief").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
            fromChiefOut = replicas.sum(tf, fromChiefIn, "from_chief_sum");
            for (Gathered g : Gathered.values()) {
                String name = g.name().toLowerCase(Locale.ROOT);
                Placeholder<TFloat64> in =
                        tf.withName(name).placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
                gatherIn.put(g, in);
                gatherOut.put(g, replicas.gather(tf, in, name + "_gathered"));
            }
        }
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

    /** The element-wise kernels this graph was built with. */
    public Kernels kernels() {
        return kernels;
    }

    /** Training steps without dropout from now on: for tests that compare runs, whose masks would differ. */
    void turnOffDropout() {
        dropoutWhileTraining = 0f;
    }

    /**
     * One AdamW step with dropout on; {@code step} is 0-based and also selects the dropout masks, so the same step
     * of a resumed run repeats the uninterrupted run's. Returns the batch's mean loss and correct count, and the
     * gradients' global norm before clipping.
     */
    public StepResult train(EncodedBatch batch, float[] y, double learningRate, long step) {
        return train(batch, y, learningRate, step, y.length, false);
    }

    /**
     * As {@link #train(EncodedBatch, float[], double, long)} for a worker of a data-parallel run: {@code batch} is
     * this worker's share of a global batch of {@code globalBatchSize} examples; the result is the global batch's
     * mean loss and correct count, and whether the chief asked (its {@code stop}) to end the run after this step.
     * Each worker draws its own dropout masks (step {@code step * workers + task}).
     */
    public StepResult train(
            EncodedBatch batch, float[] y, double learningRate, long step, int globalBatchSize, boolean stop) {
        return step(batch, y, learningRate, step, globalBatchSize, stop, null);
    }

    /**
     * One step as {@link #train(EncodedBatch, float[], double, long)} runs it, traced: TensorFlow's timing of every
     * op the step ran, for {@code bench --op-profile}. The step is a real one and updates the weights.
     */
    public RunMetadata traceTrain(EncodedBatch batch, float[] y, double learningRate, long step) {
        RunMetadata[] trace = new RunMetadata[1];
        step(batch, y, learningRate, step, y.length, false, trace);
        return trace[0];
    }

    /** {@code trace}: null, or where the step's trace goes. */
    private StepResult step(
            EncodedBatch batch,
            float[] y,
            double learningRate,
            long step,
            int globalBatchSize,
            boolean stop,
            RunMetadata[] trace) {
        if (accumulator != null) throw new IllegalStateException("an accumulating graph trains by accumulate/apply");
        int workers = replicas == null ? 1 : replicas.workers(), task = replicas == null ? 0 : replicas.taskIndex();
        try (Inputs in = new Inputs(batch, y);
                StepScalars s = new StepScalars(learningRate, step);
                TFloat32 on = TFloat32.scalarOf(dropoutWhileTraining);
                TInt64 dropoutSeedStep = TInt64.scalarOf(step * workers + task);
                TFloat32 count = TFloat32.scalarOf(globalBatchSize);
                TFloat32 stopIn = TFloat32.scalarOf(stop ? 1f : 0f)) {
            Session.Runner r = s.feed(in.feed(session.runner()))
                    .feed(dropoutOn, on)
                    .feed(dropoutStep, dropoutSeedStep)
                    .addTarget(optimizer.update);
            if (replicated == null) {
                r.fetch(meanLoss).fetch(correct).fetch(optimizer.globalNorm);
            } else {
                r.feed(stepExamples, count)
                        .feed(replicated.stopRequest, stopIn)
                        .fetch(replicated.globalObjectiveSum)
                        .fetch(replicated.globalCorrect)
                        .fetch(optimizer.globalNorm)
                        .fetch(replicated.stopRequested);
            }
            if (trace != null)
                r.setOptions(RunOptions.newBuilder()
                        .setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
                        .build());
            try (Result res = trace == null ? r.run() : r.runAndFetchMetadata()) {
                if (trace != null) trace[0] = res.getMetadata().orElseThrow();
                float loss = ((TFloat32) res.get(0)).getFloat(), right = ((TFloat32) res.get(1)).getFloat();
                float norm = ((TFloat32) res.get(2)).getFloat();
                if (replicated == null) return new StepResult(loss, right, norm, false);
                return new StepResult(loss / globalBatchSize, right, norm, ((TFloat32) res.get(3)).getFloat() > 0);
            }
        }
    }

    /** Sets this worker's weights and AdamW slots to the chief's, as every worker must start from the same ones. */
    public void takeChiefsVariables() {
        session.runner().addTarget(replicated().takeChiefsVariables).run();
    }

    private static final int FROM_CHIEF = 8;

    /** The chief's {@code values} on every worker (what the others pass is ignored; the same length on all). */
    public double[] fromChief(double[] values) {
        if (values.length > FROM_CHIEF) throw new IllegalArgumentException("at most " + FROM_CHIEF + " values");
        // A collective op's shape is fixed by its first run: always FROM_CHIEF values, the unused ones zero.
        double[] mine = new double[FROM_CHIEF];
        if (replicas.chief()) System.arraycopy(values, 0, mine, 0, values.length);
        try (TFloat64 in = TFloat64.vectorOf(mine);
                Result res = session.runner()
                        .feed(replicated().fromChiefIn, in)
                        .fetch(replicated().fromChiefOut)
                        .run()) {
            TFloat64 out = (TFloat64) res.get(0);
            double[] v = new double[values.length];
            for (int i = 0; i < v.length; i++) v[i] = out.getDouble(i);
            return v;
        }
    }

    /** What workers gather from each other: each use has its own collective op. */
    public enum Gathered {
        /** Digests of the settings and data, once (see {@link WorkerAgreement}). */
        AGREEMENT,
        /** Each worker's share of a validation pass, after every epoch. */
        VALIDATION
    }

    /**
     * Every worker's {@code values}, in task order; the same length on every worker and on every call of one
     * {@code use}.
     */
    public double[][] gather(Gathered use, double[] values) {
        try (TFloat64 in = TFloat64.vectorOf(values);
                Result res = session.runner()
                        .feed(replicated().gatherIn.get(use), in)
                        .fetch(replicated().gatherOut.get(use))
                        .run()) {
            TFloat64 out = (TFloat64) res.get(0);
            double[][] all = new double[replicas.workers()][values.length];
            for (int w = 0; w < all.length; w++) {
                for (int i = 0; i < values.length; i++) all[w][i] = out.getDouble(w * values.length + i);
            }
            return all;
        }
    }

    private Replicated replicated() {
        if (replicated == null) throw new IllegalStateException("not a worker of a data-parallel run");
        return replicated;
    }

    /**
     * The gradient stage of an accumulating graph, dropout on: adds the micro-batch's gradient of its summed loss
     * over {@code stepExamples} (the examples of all the step's micro-batches) to the sums. {@code microBatch}
     * selects the dropout masks (the trainer numbers micro-batches {@code step * accumulate + i}). Returns the
     * micro-batch's own mean loss and correct count.
     */
    public StepResult accumulate(EncodedBatch batch, float[] y, int stepExamples, long microBatch) {
        if (accumulator == null) throw new IllegalStateException("this graph does not accumulate gradients");
        try (Inputs in = new Inputs(batch, y);
                TFloat32 total = TFloat32.scalarOf(stepExamples);
                TFloat32 on = TFloat32.scalarOf(dropoutWhileTraining);
                TInt64 dropoutSeedStep = TInt64.scalarOf(microBatch);
                Result res = in.feed(session.runner())
                        .feed(this.stepExamples, total)
                        .feed(dropoutOn, on)
                        .feed(dropoutStep, dropoutSeedStep)
                        .addTarget(accumulator.add)
                        .fetch(meanLoss)
                        .fetch(correct)
                        .run()) {
            return new StepResult(
                    ((TFloat32) res.get(0)).getFloat(), ((TFloat32) res.get(1)).getFloat(), Float.NaN, false);
        }
    }

    /**
     * The update stage of an accumulating graph: AdamW step {@code step} (0-based) on the summed gradient, clipped to
     * a global norm of 1 as {@link #train} clips a batch's, then the sums set to zero for the next step. Returns
     * the summed gradient's global norm before clipping.
     */
    public float applyAccumulated(double learningRate, long step) {
        if (accumulator == null) throw new IllegalStateException("this graph does not accumulate gradients");
        try (StepScalars s = new StepScalars(learningRate, step);
                Result res = s.feed(session.runner())
                        .addTarget(applyAndZero)
                        .fetch(optimizer.globalNorm)
                        .run()) {
            return ((TFloat32) res.get(0)).getFloat();
        }
    }

    /** The scalars one AdamW step is fed: the learning rate and Adam's bias-correction powers. */
    private final class StepScalars implements AutoCloseable {
        final TFloat32 lr, b1, b2;

        StepScalars(double learningRate, long step) {
            lr = TFloat32.scalarOf((float) learningRate);
            b1 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA1, step + 1));
            b2 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA2, step + 1));
        }

        Session.Runner feed(Session.Runner r) {
            return r.feed(optimizer.learningRate, lr)
                    .feed(optimizer.beta1Power, b1)
                    .feed(optimizer.beta2Power, b2);
        }

        @Override
        public void close() {
            lr.close();
            b1.close();
            b2.close();
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

    /**
     * {@code gradientNorm}: the global norm before clipping (NaN for one micro-batch of several); {@code stop}: the
     * chief asked to end the run after this step (data-parallel runs only).
     */
    public record StepResult(float loss, float correct, float gradientNorm, boolean stop) {}

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
