package dev.bertclf.train;

import dev.bertclf.infer.BinaryMetrics;
import dev.bertclf.infer.MultiClassMetrics;
import dev.bertclf.infer.MultiLabelMetrics;
import dev.bertclf.model.BertClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;

/**
 * The fine-tuning loop: epochs of shuffled batches through {@link TrainingGraph} under the tutorial's schedule,
 * a validation pass after each epoch, and a callback so the caller can save the model as it improves. With
 * {@link Checkpointing} it also saves its whole state every N steps and after each epoch, continues from such a
 * checkpoint exactly where the saved run stood, and stops cleanly at a step boundary on a signal. It knows nothing
 * of model files: data comes in tokenised, weights go out as tensors.
 *
 * <p>A step is one optimizer step: with {@code --accumulate} N, N micro-batches of {@code --batch-size} (fewer at
 * an epoch's end) whose gradients are summed ({@link GradientAccumulator}); the schedule, checkpoints and step
 * counts count these steps, the progress bar and throughput count examples.
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    /**
     * Called after each epoch with the metrics so far and the graph, whose weights can then be read; answers whether
     * to go on (false: the run ends here, finished, as early stopping ends it).
     */
    public interface EpochListener {
        boolean epochDone(List<EpochMetrics> history, TrainingGraph graph) throws Exception;
    }

    /**
     * Where checkpoints go ({@code store} null: nowhere), every how many steps besides epoch ends (0: epoch ends
     * only), the checkpoint to continue from (null: a fresh start), the run settings and class names saved with
     * each checkpoint, and the signal that asks the run to stop.
     */
    public record Checkpointing(
            TrainingCheckpoints store,
            int everySteps,
            TrainingCheckpoints.Saved resumeFrom,
            RunSettings settings,
            List<String> classNames,
            StopSignal stop) {
        public static final Checkpointing NONE = new Checkpointing(null, 0, null, null, null, new StopSignal());

        /** What the run trains on, as checkpoints record it; computed only when checkpoints are written or read. */
        TrainingCheckpoints.DataIdentity identify(TokenizedDataset train, TokenizedDataset validation) {
            if (store == null && resumeFrom == null) return null;
            return new TrainingCheckpoints.DataIdentity(classNames, train.fingerprint(), validation.fingerprint());
        }
    }

    private final Hyperparameters hp;
    private final SessionOptions sessionOptions;
    private final int numClasses;
    private final float[] classWeights;
    /** Null for single-label data, else the threshold a class is predicted over (for the validation micro-F1). */
    private final Double multiLabelThreshold;

    private final StepLog stepLog;
    private final AllReduce replicas;
    private final Kernels kernels;
    private boolean dropout = true;

    /** A binary classifier's trainer, the tutorial's. */
    public Trainer(Hyperparameters hp, SessionOptions sessionOptions) {
        this(hp, sessionOptions, 2);
    }

    /** Labels are class ids {@code 0..numClasses-1}; see {@link TrainingGraph}. */
    public Trainer(Hyperparameters hp, SessionOptions sessionOptions, int numClasses) {
        this(hp, sessionOptions, numClasses, null);
    }

    /** With one loss weight per class ({@link ClassWeights}; null: none). */
    public Trainer(Hyperparameters hp, SessionOptions sessionOptions, int numClasses, float[] classWeights) {
        this(hp, sessionOptions, numClasses, classWeights, null, StepLog.NONE, null);
    }

    /**
     * {@code multiLabelThreshold} not null: multi-label data (multi-hot labels, see {@link TrainingGraph}), whose
     * validation F1 is the micro-F1 with a class predicted when its sigmoid is above the threshold. Steps and epochs
     * are reported to {@code stepLog}, which the caller closes. {@code replicas}: one worker of a data-parallel run
     * (null: on its own). Every worker runs this loop over the same seeded order and trains on its share of each
     * global batch of {@code hp.batchSize()} examples; the chief (task 0) alone restores and writes checkpoints and
     * calls the epoch listener, and tells the others where to start, whether to go on after each epoch and whether
     * to stop after a step.
     */
    public Trainer(
            Hyperparameters hp,
            SessionOptions sessionOptions,
            int numClasses,
            float[] classWeights,
            Double multiLabelThreshold,
            StepLog stepLog,
            AllReduce replicas) {
        this.hp = hp;
        this.sessionOptions = sessionOptions;
        this.numClasses = numClasses;
        this.classWeights = classWeights;
        this.multiLabelThreshold = multiLabelThreshold;
        this.stepLog = stepLog;
        this.replicas = replicas;
        this.kernels = Kernels.available();
    }

    /** Trains without dropout: for tests that compare runs exactly (their micro-batches draw other masks). */
    Trainer withoutDropout() {
        dropout = false;
        return this;
    }

    private boolean multiLabel() {
        return multiLabelThreshold != null;
    }

    /**
     * Trains from the weights {@code initialWeights} returns for the graph's variable shapes (it may close
     * nothing: the trainer closes them once loaded).
     */
    public List<EpochMetrics> fit(
            BertConfig config,
            Function<Map<String, Shape>, Weights> initialWeights,
            TokenizedDataset train,
            TokenizedDataset validation,
            EpochListener listener)
            throws Exception {
        return fit(config, initialWeights, train, validation, listener, Checkpointing.NONE);
    }

    /** As {@link #fit(BertConfig, Function, TokenizedDataset, TokenizedDataset, EpochListener)}, with checkpoints. */
    public List<EpochMetrics> fit(
            BertConfig config,
            Function<Map<String, Shape>, Weights> initialWeights,
            TokenizedDataset train,
            TokenizedDataset validation,
            EpochListener listener,
            Checkpointing checkpointing)
            throws Exception {
        int stepsPerEpoch = (int) ((train.size() + (long) hp.effectiveBatchSize() - 1) / hp.effectiveBatchSize());
        LearningRateSchedule schedule =
                LearningRateSchedule.tutorial(hp.learningRate(), (long) stepsPerEpoch * hp.epochs());
        log.info(
                "Training {} examples for {} epoch{}: {} steps, {} warm-up steps, batch {}, learning rate {}",
                train.size(),
                hp.epochs(),
                hp.epochs() == 1 ? "" : "s",
                schedule.totalSteps(),
                schedule.warmupSteps(),
                hp.accumulate() == 1
                        ? "" + hp.batchSize()
                        : hp.effectiveBatchSize() + " (" + hp.accumulate() + " accumulated micro-batches of "
                                + hp.batchSize() + ")",
                hp.learningRate());
        try (TrainingGraph graph = new TrainingGraph(
                        config,
                        hp.seed(),
                        sessionOptions,
                        numClasses,
                        classWeights,
                        multiLabel(),
                        hp.accumulate() > 1,
                        replicas,
                        kernels);
                AutoCloseable signals = checkpointing.store() == null
                        ? () -> {}
                        : checkpointing.stop().listen()) {
            if (!dropout) graph.turnOffDropout();
            if (replicas != null) WorkerAgreement.check(graph, checkpointing.settings(), train, validation);
            TrainingCheckpoints.DataIdentity data = checkpointing.identify(train, validation);
            TrainingProgress start = restore(graph, initialWeights, checkpointing, train, validation, data);
            if (replicas != null) start = startFromChief(graph, start);
            return new Run(graph, train, validation, data, listener, checkpointing, stepsPerEpoch, schedule)
                    .from(start);
        } catch (TensorFlowException | TFInvalidArgumentException e) {
            if (replicas == null) throw e;
            throw lostWorkers(e);
        }
    }

    /** A collective op that failed: which worker is to blame TensorFlow does not say, only how it failed. */
    private DataException lostWorkers(RuntimeException e) {
        // TensorFlow's message starts with the task that reported it; the cause is on the next line.
        String cause = String.valueOf(e.getMessage())
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("From /job:"))
                .findFirst()
                .orElse(e.getClass().getSimpleName());
        return new DataException("worker " + replicas.taskIndex() + " lost the other workers (" + cause + "): one "
                + "of them stopped, hung or became unreachable for longer than --worker-timeout. "
                + (replicas.chief()
                        ? "The last checkpoint is kept: resume with --resume on every worker"
                        : "Resume the run with --resume on every worker"));
    }

    /** Loads the initial weights, or a checkpoint's weights and AdamW slots, and returns where to start. */
    private TrainingProgress restore(
            TrainingGraph graph,
            Function<Map<String, Shape>, Weights> initialWeights,
            Checkpointing c,
            TokenizedDataset train,
            TokenizedDataset validation,
            TrainingCheckpoints.DataIdentity data) {
        TrainingCheckpoints.Saved saved = c.resumeFrom();
        if (saved == null) {
            try (Weights w = initialWeights.apply(graph.variables().shapes())) {
                graph.loadWeights(w);
            }
            return TrainingProgress.start();
        }
        TrainingCheckpoints.State s = saved.state();
        if (s.trainExamples() != train.size() || s.validationExamples() != validation.size()) {
            throw new DataException("the data changed since the checkpoint " + saved.folder()
                    + " was saved ("
                    + s.trainExamples() + " training and " + s.validationExamples() + " validation examples then, "
                    + train.size() + " and " + validation.size() + " now); cannot resume it");
        }
        if (s.classes() != numClasses) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved ("
                    + s.classes() + " classes then, " + numClasses + " now); cannot resume it");
        }
        TrainingCheckpoints.DataIdentity then = s.data();
        if (then != null && then.classNames() != null && !then.classNames().equals(data.classNames())) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved "
                    + "(classes " + then.classNames() + " then, " + data.classNames() + " now); cannot resume it");
        }
        if (then != null
                && !(then.training().equals(data.training())
                        && then.validation().equals(data.validation()))) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved "
                    + "(the same number of examples, but other texts or labels: another file, other columns or "
                    + "edited rows); resume with the data the run started with, or train a new model");
        }
        try (Weights w = Weights.of(c.store().read(saved, graph.variables().shapes()));
                Weights slots =
                        Weights.of(c.store().read(saved, graph.slotVariables().shapes()))) {
            graph.loadWeights(w);
            graph.loadSlots(slots);
        }
        log.info(
                "Resuming from step {} of {} (epoch {}/{}), checkpoint {}",
                s.progress().step(),
                s.totalSteps(),
                Math.min(s.progress().epoch(), hp.epochs()),
                hp.epochs(),
                saved.folder());
        if (s.fusedKernels() != null && s.fusedKernels() != kernels.fused()) {
            String was = s.fusedKernels() ? "on" : "off", is = kernels.fused() ? "on" : "off";
            if (c.store() == null || !c.store().kernelChangeAllowed()) {
                throw new DataException("the checkpoint " + saved.folder() + " was trained with bert-clf's fused "
                        + "kernels " + was + ", and this run would train with them " + is + ": they round otherwise "
                        + "(and before revision 5 drew other dropout masks), so the run would not end as it would "
                        + "have without the stop. Resume where they are " + was
                        + (s.fusedKernels() ? "" : " (-Dbertclf.fused-kernels=off)")
                        + ", or accept a run that is no longer bit-exact with --allow-kernel-change");
            }
            log.warn(
                    "--allow-kernel-change: the checkpoint trained with the fused kernels {}, this run with them {}: "
                            + "it goes on, but will not end bit for bit as it would have without the stop",
                    was,
                    is);
        }
        if (s.graphRevision() != TrainingGraph.REVISION) {
            log.warn("The checkpoint was written by another bert-clf build, whose training steps compute slightly "
                    + "differently (dropout masks, rounding): the run goes on from it, but will not end bit for bit "
                    + "as it would have without the stop");
        }
        return s.progress();
    }

    /** Every worker takes the chief's weights, AdamW slots and place in the run (the chief's own history stays). */
    private TrainingProgress startFromChief(TrainingGraph graph, TrainingProgress mine) {
        graph.takeChiefsVariables();
        double[] p = graph.fromChief(new double[] {
            mine.step(), mine.epoch(), mine.batchesDone(), mine.lossSum(), mine.correct(), mine.seen(), mine.seconds()
        });
        if (replicas.chief()) return mine;
        return new TrainingProgress((long) p[0], (int) p[1], (int) p[2], p[3], p[4], (int) p[5], p[6], List.of());
    }

    /** One run of the loop over a graph; holds what every step needs. */
    private final class Run {
        final TrainingGraph graph;
        final TokenizedDataset train, validation;
        final TrainingCheckpoints.DataIdentity data;
        final EpochListener listener;
        final Checkpointing checkpointing;
        final int stepsPerEpoch;
        final LearningRateSchedule schedule;
        TrainingCheckpoints.Saved lastSaved;

        Run(
                TrainingGraph graph,
                TokenizedDataset train,
                TokenizedDataset validation,
                TrainingCheckpoints.DataIdentity data,
                EpochListener listener,
                Checkpointing checkpointing,
                int stepsPerEpoch,
                LearningRateSchedule schedule) {
            this.graph = graph;
            this.train = train;
            this.validation = validation;
            this.data = data;
            this.listener = listener;
            this.checkpointing = checkpointing;
            this.stepsPerEpoch = stepsPerEpoch;
            this.schedule = schedule;
            this.lastSaved = checkpointing.resumeFrom();
        }

        List<EpochMetrics> from(TrainingProgress start) throws Exception {
            List<EpochMetrics> history = new ArrayList<>(start.history());
            long step = start.step();
            stepLog.begin(schedule.totalSteps());
            for (int epoch = start.epoch(); epoch <= hp.epochs(); epoch++) {
                boolean resumed = epoch == start.epoch();
                int[] order = epochOrder(train.size(), hp.seed(), epoch);
                double lossSum = resumed ? start.lossSum() : 0, correct = resumed ? start.correct() : 0;
                int seen = resumed ? start.seen() : 0;
                double seconds = resumed ? start.seconds() : 0;
                long t0 = System.nanoTime();
                ProgressBar bar = new ProgressBar(
                        String.format(Locale.ROOT, "Epoch %d/%d", epoch, hp.epochs()),
                        train.size(),
                        seen,
                        ProgressBar.Unit.ITEMS);
                stepLog.epochStarted();
                for (int b = resumed ? start.batchesDone() : 0; b < stepsPerEpoch; b++) {
                    int from = b * hp.effectiveBatchSize(), to = Math.min(train.size(), from + hp.effectiveBatchSize());
                    double learningRate = schedule.at(step);
                    TrainingGraph.StepResult r = step(order, from, to, learningRate, step);
                    step++;
                    if (!Float.isFinite(r.loss())) {
                        bar.close();
                        throw diverged(r.loss(), step, epoch, history.size());
                    }
                    stepLog.stepDone(step, to - from, r, learningRate);
                    lossSum += r.loss() * (to - from);
                    correct += r.correct();
                    seen += to - from;
                    bar.setExtra(String.format(Locale.ROOT, "loss %.4f acc %.4f", lossSum / seen, correct / seen));
                    bar.step(to - from);
                    // An epoch's last batch is followed by the epoch-end checkpoint, after validation.
                    boolean periodic = checkpointing.everySteps() > 0
                            && step % checkpointing.everySteps() == 0
                            && b + 1 < stepsPerEpoch;
                    boolean stopNow = replicas == null ? checkpointing.stop().received() != null : r.stop();
                    if (periodic || stopNow) {
                        double secs = seconds + (System.nanoTime() - t0) / 1e9;
                        save(new TrainingProgress(step, epoch, b + 1, lossSum, correct, seen, secs, history));
                        if (stopNow) throw interrupted(step);
                    }
                }
                bar.close();
                seconds += (System.nanoTime() - t0) / 1e9;
                // A worker's validation is not cut short by a signal: the others would wait for it in vain.
                StopSignal validationStop = replicas == null ? checkpointing.stop() : new StopSignal();
                double[] val = evaluate(graph, validation, "Validating", validationStop);
                if (val == null) {
                    save(new TrainingProgress(step, epoch, stepsPerEpoch, lossSum, correct, seen, seconds, history));
                    throw interrupted(step);
                }
                EpochMetrics m = new EpochMetrics(
                        epoch, lossSum / seen, correct / seen, val[0], val[1], val[2], seconds, seen / seconds);
                history.add(m);
                String acc = accuracyName(numClasses, multiLabel());
                log.info(String.format(
                        Locale.ROOT,
                        "Epoch %d/%d: loss %.4f - %s %.4f - val_loss %.4f - val_%s %.4f" + " (%.0f s, %.1f examples/s)",
                        epoch,
                        hp.epochs(),
                        m.loss(),
                        acc,
                        m.accuracy(),
                        m.valLoss(),
                        acc,
                        m.valAccuracy(),
                        seconds,
                        m.examplesPerSecond()));
                stepLog.epochDone(m, numClasses);
                boolean goOn = listener == null || listener.epochDone(history, graph);
                if (replicas != null) goOn = graph.fromChief(new double[] {goOn ? 1 : 0})[0] > 0;
                if (!goOn) return history; // stopped early
                if (epoch < hp.epochs()) {
                    save(new TrainingProgress(step, epoch + 1, 0, 0, 0, 0, 0, history));
                    if (replicas == null) stopIfAsked(step);
                }
            }
            return history;
        }

        /**
         * Optimizer step {@code step} (0-based) on the examples {@code order[from..to)}: one batch, or with
         * {@code --accumulate} N up to N micro-batches of {@code --batch-size} whose gradients, each of its summed
         * loss over all {@code to - from} examples, add up to the mean-loss gradient of the whole range (an epoch's
         * last, shorter, step included). Micro-batch i of the step draws the dropout masks of number
         * {@code step * N + i}, so with N = 1 the masks are those of the step itself. A worker of a data-parallel
         * run trains on its contiguous share of the range and tells the others whether the chief was asked to stop.
         * Returns the mean loss and the correct count over the range.
         */
        TrainingGraph.StepResult step(int[] order, int from, int to, double learningRate, long step) {
            if (replicas != null) {
                int n = to - from, w = replicas.workers(), t = replicas.taskIndex();
                int lo = from + (int) ((long) n * t / w), hi = from + (int) ((long) n * (t + 1) / w);
                boolean stop = replicas.chief() && checkpointing.stop().received() != null;
                return graph.train(
                        train.batch(order, lo, hi), train.labels(order, lo, hi), learningRate, step, n, stop);
            }
            if (hp.accumulate() == 1) {
                return graph.train(train.batch(order, from, to), train.labels(order, from, to), learningRate, step);
            }
            double lossSum = 0, correct = 0;
            long microBatch = step * hp.accumulate();
            for (int m = from; m < to; m += hp.batchSize(), microBatch++) {
                int end = Math.min(to, m + hp.batchSize());
                TrainingGraph.StepResult r = graph.accumulate(
                        train.batch(order, m, end), train.labels(order, m, end), to - from, microBatch);
                lossSum += (double) r.loss() * (end - m);
                correct += r.correct();
            }
            float norm = graph.applyAccumulated(learningRate, step);
            return new TrainingGraph.StepResult((float) (lossSum / (to - from)), (float) correct, norm, false);
        }

        /** Writes a checkpoint of the graph's weights and slots at {@code p}, unless checkpoints are off. */
        void save(TrainingProgress p) {
            if (checkpointing.store() == null) return;
            TrainingCheckpoints.State state = new TrainingCheckpoints.State(
                    1,
                    checkpointing.settings(),
                    p,
                    train.size(),
                    validation.size(),
                    schedule.totalSteps(),
                    numClasses,
                    TrainingGraph.REVISION,
                    data,
                    kernels.fused());
            try (Weights weights = graph.readWeights();
                    Weights slots = graph.readSlots()) {
                lastSaved = checkpointing.store().save(state, weights.asMap(), slots.asMap());
            }
            log.debug("Saved checkpoint {}", lastSaved.folder());
        }

        void stopIfAsked(long step) {
            if (checkpointing.stop().received() != null) throw interrupted(step);
        }

        TrainingInterruptedException interrupted(long step) {
            if (replicas != null && !replicas.chief())
                return new TrainingInterruptedException(step, schedule.totalSteps());
            return new TrainingInterruptedException(
                    checkpointing.stop().received(), step, schedule.totalSteps(), lastSaved.folder());
        }

        /**
         * The loss at step {@code step} came from the weights the previous step left, so a checkpoint of those is
         * no good: it is removed, and the one before it is named as the last good one.
         */
        TrainingDivergedException diverged(float loss, long step, int epoch, int epochsDone) {
            String kept = "";
            if (lastSaved != null
                    && lastSaved.state().progress().step() == step - 1
                    && lastSaved != checkpointing.resumeFrom()) {
                checkpointing.store().discard(lastSaved);
                lastSaved = checkpointing.store().latest().orElse(null);
            }
            if (lastSaved != null) {
                kept = " The last good checkpoint (step "
                        + lastSaved.state().progress().step() + ") is kept in " + lastSaved.folder() + ".";
            }
            return new TrainingDivergedException("the loss became " + loss + " at step " + step + " (epoch " + epoch
                    + "); try a lower --learning-rate."
                    + (epochsDone > 0 ? " The model saved after epoch " + epochsDone + " is kept." : "") + kept);
        }
    }

    /** Keras' name for the accuracy metric: {@code binary_accuracy} for the tutorial's single logit. */
    public static String accuracyName(int numClasses) {
        return accuracyName(numClasses, false);
    }

    /** {@code binary_accuracy} also for multi-label data: the share of class decisions right, as Keras counts it. */
    public static String accuracyName(int numClasses, boolean multiLabel) {
        return numClasses == 2 || multiLabel ? "binary_accuracy" : "accuracy";
    }

    /**
     * Mean loss, accuracy and F1 (the positive class's for two classes, macro for more, micro for multi-label data)
     * over a whole dataset, dropout off; null if {@code stop} came before the pass finished.
     */
    private double[] evaluate(TrainingGraph graph, TokenizedDataset data, String label, StopSignal stop) {
        if (data == null || data.size() == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        // A worker of a data-parallel run validates its contiguous share; the shares are gathered, in order.
        int n = data.size(), workers = replicas == null ? 1 : replicas.workers();
        int t = replicas == null ? 0 : replicas.taskIndex();
        Validated v = validate(
                graph, data, (int) ((long) n * t / workers), (int) ((long) n * (t + 1) / workers), label, stop);
        if (v == null) return null;
        if (replicas != null) v = gathered(graph, v, n, data.labelWidth());
        int[] labels = new int[multiLabel() ? 0 : n];
        for (int i = 0; i < labels.length; i++) labels[i] = (int) v.y()[i];
        double f1 = multiLabel()
                ? MultiLabelMetrics.of(v.logits(), v.y(), numClasses, multiLabelThreshold)
                        .microF1()
                : numClasses == 2
                        ? BinaryMetrics.of(v.logits(), labels).f1()
                        : MultiClassMetrics.of(v.logits(), labels, numClasses).macroF1();
        return new double[] {v.lossSum() / n, v.correct() / n, f1};
    }

    /** A validation pass's sums, logits and labels, over all examples or a worker's share of them. */
    private record Validated(double lossSum, double correct, float[] logits, float[] y) {}

    /** Examples {@code [lo, hi)} of {@code data} in batches, dropout off; null if {@code stop} came first. */
    private Validated validate(
            TrainingGraph graph, TokenizedDataset data, int lo, int hi, String label, StopSignal stop) {
        int[] order = identity(data.size());
        double lossSum = 0, correct = 0;
        int w = BertClassifier.logitsPerExample(numClasses, multiLabel()), lw = data.labelWidth();
        float[] logits = new float[(hi - lo) * w], y = new float[(hi - lo) * lw];
        try (ProgressBar bar = new ProgressBar(label, hi - lo, 0, ProgressBar.Unit.ITEMS)) {
            for (int from = lo; from < hi; from += hp.batchSize()) {
                if (stop.received() != null) return null;
                int to = Math.min(hi, from + hp.batchSize());
                float[] batchY = data.labels(order, from, to);
                TrainingGraph.EvalResult r = graph.evaluate(data.batch(order, from, to), batchY);
                lossSum += r.lossSum();
                correct += r.correct();
                System.arraycopy(r.logits(), 0, logits, (from - lo) * w, (to - from) * w);
                System.arraycopy(batchY, 0, y, (from - lo) * lw, batchY.length);
                bar.step(to - from);
            }
        }
        return new Validated(lossSum, correct, logits, y);
    }

    /**
     * Every worker's share of a validation pass of {@code n} examples, put back together in order. A gather takes
     * the same length from every worker, so each sends its sums, its row count and its rows padded to the largest
     * share.
     */
    private Validated gathered(TrainingGraph graph, Validated mine, int n, int labelWidth) {
        int w = BertClassifier.logitsPerExample(numClasses, multiLabel()), workers = replicas.workers();
        int maxRows = (n + workers - 1) / workers, rows = mine.logits().length / w;
        double[] packed = new double[3 + maxRows * (w + labelWidth)];
        packed[0] = mine.lossSum();
        packed[1] = mine.correct();
        packed[2] = rows;
        for (int i = 0; i < mine.logits().length; i++) packed[3 + i] = mine.logits()[i];
        for (int i = 0; i < mine.y().length; i++) packed[3 + maxRows * w + i] = mine.y()[i];
        double lossSum = 0, correct = 0;
        float[] logits = new float[n * w], y = new float[n * labelWidth];
        int at = 0;
        for (double[] share : graph.gather(TrainingGraph.Gathered.VALIDATION, packed)) {
            int r = (int) share[2];
            lossSum += share[0];
            correct += share[1];
            for (int i = 0; i < r * w; i++) logits[at * w + i] = (float) share[3 + i];
            for (int i = 0; i < r * labelWidth; i++) y[at * labelWidth + i] = (float) share[3 + maxRows * w + i];
            at += r;
        }
        return new Validated(lossSum, correct, logits, y);
    }

    /**
     * The order of epoch {@code epoch} (1-based): the epoch-th permutation drawn from one {@code Random(seed)}, as an
     * uninterrupted run draws them, so a run resumed in epoch 3 shuffles exactly as it would have.
     */
    static int[] epochOrder(int n, long seed, int epoch) {
        Random random = new Random(seed);
        int[] order = null;
        for (int e = 1; e <= epoch; e++) order = permutation(n, random);
        return order;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    static int[] permutation(int n, Random random) {
        int[] order = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
