package dev.bertclf.train;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;

/**
 * The fine-tuning loop, plain as nanoGPT's: epochs of shuffled ranges of examples, one optimizer step each, under the
 * tutorial's schedule, and a validation pass after each epoch. How a step runs is the graph's {@link TrainingStep}
 * (one batch, accumulated micro-batches, a worker's share); what the run reports and keeps are
 * {@link TrainingListener}s: the console ({@link ConsoleProgress}), the step log ({@link StepLog}), checkpoints
 * ({@link CheckpointWriter}) and the caller's {@link EpochListener}, which saves the model and stops early. With
 * {@link Checkpointing} a run continues from a checkpoint exactly where the saved run stood ({@link RunStart}) and
 * stops cleanly at a step boundary on a signal. It knows nothing of model files: data comes in tokenised, weights
 * go out as tensors.
 *
 * <p>A step is one optimizer step: with {@code --accumulate} N, N micro-batches of {@code --batch-size} (fewer at
 * an epoch's end); the schedule, checkpoints and step counts count these steps, the progress bar and throughput
 * count examples.
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
    private final Loss loss;
    private final StepLog stepLog;
    private final AllReduce replicas;
    private final Kernels kernels;
    private boolean dropout = true;

    /** A binary classifier's trainer, the tutorial's. */
    public Trainer(Hyperparameters hp, SessionOptions sessionOptions) {
        this(hp, sessionOptions, new Loss.Binary(null), StepLog.NONE, null);
    }

    /**
     * Trains for {@code loss}'s kind of labels ({@link Loss#of}). Steps and epochs are reported to {@code stepLog},
     * which the caller closes. {@code replicas}: one worker of a data-parallel run (null: on its own; see
     * {@link ReplicatedStep}). Every worker runs this loop over the same seeded order and trains on its share of each
     * global batch of {@code hp.batchSize()} examples; the chief (task 0) alone restores and writes checkpoints and
     * calls the epoch listener, and tells the others where to start, whether to go on after each epoch and whether
     * to stop after a step.
     */
    public Trainer(Hyperparameters hp, SessionOptions sessionOptions, Loss loss, StepLog stepLog, AllReduce replicas) {
        if (replicas != null && hp.accumulate() > 1) {
            throw new IllegalArgumentException("gradient accumulation is not yet supported on several workers");
        }
        this.hp = hp;
        this.sessionOptions = sessionOptions;
        this.loss = loss;
        this.stepLog = stepLog;
        this.replicas = replicas;
        this.kernels = Kernels.available();
    }

    /** Trains without dropout: for tests that compare runs exactly (their micro-batches draw other masks). */
    Trainer withoutDropout() {
        dropout = false;
        return this;
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
        LearningRateSchedule schedule = hp.schedule((long) stepsPerEpoch * hp.epochs());
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
        StopSignal stop = checkpointing.stop();
        TrainingStep.Kind step = replicas != null
                ? TrainingStep.replicated(replicas, stop)
                : hp.accumulate() > 1
                        ? TrainingStep.accumulating(hp.batchSize(), hp.accumulate(), stop)
                        : TrainingStep.single(stop);
        step = step.withWeightDecay(hp.weightDecay());
        try (TrainingGraph graph = new TrainingGraph(config, hp.seed(), sessionOptions, loss, kernels, step);
                AutoCloseable signals = checkpointing.store() == null ? () -> {} : stop.listen()) {
            if (!dropout) graph.turnOffDropout();
            ReplicatedStep workers = graph.step() instanceof ReplicatedStep r ? r : null;
            if (workers != null) WorkerAgreement.check(workers, checkpointing.settings(), train, validation);
            TrainingCheckpoints.DataIdentity data = checkpointing.identify(train, validation);
            TrainingProgress start =
                    RunStart.restore(graph, initialWeights, checkpointing, train, validation, data, hp.epochs());
            if (workers != null) start = workers.startFromChief(start);
            CheckpointWriter checkpoints = new CheckpointWriter(
                    graph, checkpointing, data, train.size(), validation.size(), schedule.totalSteps());
            List<TrainingListener> listeners = new ArrayList<>(
                    List.of(new ConsoleProgress(hp.epochs(), train.size(), loss), stepLog, checkpoints));
            if (listener != null) listeners.add(2, epochListener(listener));
            return new Loop(graph, train, validation, stepsPerEpoch, schedule, stop, listeners, checkpoints)
                    .from(start);
        } catch (TensorFlowException | TFInvalidArgumentException e) {
            if (replicas == null) throw e;
            throw ReplicatedStep.lostWorkers(replicas, e);
        }
    }

    private static TrainingListener epochListener(EpochListener listener) {
        return new TrainingListener() {
            @Override
            public boolean epochDone(List<EpochMetrics> history, TrainingGraph graph) throws Exception {
                return listener.epochDone(history, graph);
            }
        };
    }

    /** One run of the loop over a graph. */
    private final class Loop {
        final TrainingGraph graph;
        final TokenizedDataset train, validation;
        final int stepsPerEpoch;
        final LearningRateSchedule schedule;
        final StopSignal stop;
        final List<TrainingListener> listeners;
        final CheckpointWriter checkpoints;

        Loop(
                TrainingGraph graph,
                TokenizedDataset train,
                TokenizedDataset validation,
                int stepsPerEpoch,
                LearningRateSchedule schedule,
                StopSignal stop,
                List<TrainingListener> listeners,
                CheckpointWriter checkpoints) {
            this.graph = graph;
            this.train = train;
            this.validation = validation;
            this.stepsPerEpoch = stepsPerEpoch;
            this.schedule = schedule;
            this.stop = stop;
            this.listeners = listeners;
            this.checkpoints = checkpoints;
        }

        List<EpochMetrics> from(TrainingProgress start) throws Exception {
            try {
                listeners.forEach(l -> l.trainingStarted(schedule.totalSteps()));
                return epochs(start);
            } finally {
                listeners.forEach(TrainingListener::trainingEnded);
            }
        }

        private List<EpochMetrics> epochs(TrainingProgress start) throws Exception {
            List<EpochMetrics> history = new ArrayList<>(start.history());
            long step = start.step();
            // A worker's validation is not cut short by a signal: the others would wait for it in vain.
            StopSignal validationStop = graph.step().stopsAlone() ? stop : new StopSignal();
            for (int epoch = start.epoch(); epoch <= hp.epochs(); epoch++) {
                boolean resumed = epoch == start.epoch();
                int[] order = epochOrder(train.size(), hp.seed(), epoch);
                double lossSum = resumed ? start.lossSum() : 0, correct = resumed ? start.correct() : 0;
                int seen = resumed ? start.seen() : 0;
                double seconds = resumed ? start.seconds() : 0;
                long t0 = System.nanoTime();
                int first = resumed ? start.batchesDone() : 0;
                TrainingProgress at =
                        new TrainingProgress(step, epoch, first, lossSum, correct, seen, seconds, history);
                listeners.forEach(l -> l.epochStarted(at));
                for (int b = first; b < stepsPerEpoch; b++) {
                    int from = b * hp.effectiveBatchSize(), to = Math.min(train.size(), from + hp.effectiveBatchSize());
                    double learningRate = schedule.at(step);
                    TrainingGraph.StepResult r = graph.train(train, order, from, to, learningRate, step);
                    step++;
                    if (!Float.isFinite(r.loss())) throw checkpoints.diverged(r.loss(), step, epoch, history.size());
                    lossSum += r.loss() * (to - from);
                    correct += r.correct();
                    seen += to - from;
                    double secs = seconds + (System.nanoTime() - t0) / 1e9;
                    TrainingProgress p =
                            new TrainingProgress(step, epoch, b + 1, lossSum, correct, seen, secs, history);
                    var done = new TrainingListener.StepDone(p, to - from, r, learningRate, b + 1 == stepsPerEpoch);
                    listeners.forEach(l -> l.stepDone(done));
                    if (r.stop()) throw stopping(p);
                }
                seconds += (System.nanoTime() - t0) / 1e9;
                TrainingProgress trained =
                        new TrainingProgress(step, epoch, stepsPerEpoch, lossSum, correct, seen, seconds, history);
                listeners.forEach(l -> l.epochTrained(trained));
                double[] val = new Validation(hp.batchSize()).run(graph, validation, "Validating", validationStop);
                if (val == null) throw stopping(trained);
                history.add(new EpochMetrics(
                        epoch, lossSum / seen, correct / seen, val[0], val[1], val[2], seconds, seen / seconds));
                boolean goOn = true;
                for (TrainingListener l : listeners) goOn &= l.epochDone(history, graph);
                if (!graph.step().decide(goOn)) return history; // stopped early
                if (epoch < hp.epochs()) {
                    TrainingProgress next = new TrainingProgress(step, epoch + 1, 0, 0, 0, 0, 0, history);
                    listeners.forEach(l -> l.nextEpoch(next));
                    if (graph.step().stopsAlone() && stop.received() != null) throw checkpoints.interrupted(step);
                }
            }
            return history;
        }

        /** Tells the listeners (the checkpoint is written) and returns what ends the run at {@code at}. */
        private TrainingInterruptedException stopping(TrainingProgress at) {
            listeners.forEach(l -> l.stopping(at));
            return checkpoints.interrupted(at.step());
        }
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

    static int[] identity(int n) {
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
