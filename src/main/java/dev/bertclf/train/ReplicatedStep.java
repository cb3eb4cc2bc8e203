package dev.bertclf.train;

import dev.bertclf.model.GraphSession;
import dev.bertclf.runtime.DataException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * One worker's step of a data-parallel run: the worker trains on its contiguous share of the global batch, computing
 * the gradient of its examples' summed loss over the global batch's count (fed), the shares are summed over the
 * workers ({@link AllReduce}), and every worker then clips and applies the same AdamW update: the numbers of one
 * process with the global batch, up to float rounding. Each worker draws its own dropout masks (number
 * {@code step * workers + task}). The chief's stop request travels with the gradients, so every worker stops after
 * the same step. Also the workers' other exchanges, each a collective op of this graph: the chief's variables and
 * values to every worker, and gathers. Not together with {@code --accumulate} yet.
 */
public final class ReplicatedStep implements TrainingStep {
    private final AllReduce replicas;
    private final StopSignal stop;
    private final Placeholder<TFloat32> stepExamples, stopRequest;
    private final AdamW optimizer;
    private final Operand<TFloat32> globalObjectiveSum, globalCorrect, stopRequested;
    /** Sets every weight and AdamW slot to the chief's: the sum of the chief's values and the others' zeros. */
    private final Op takeChiefsVariables;

    private final Placeholder<TFloat64> fromChiefIn;
    private final Operand<TFloat64> fromChiefOut;
    /** One gather per {@link Gathered} use: a collective's shape is fixed by its first run. */
    private final Map<Gathered, Placeholder<TFloat64>> gatherIn = new EnumMap<>(Gathered.class);

    private final Map<Gathered, Operand<TFloat64>> gatherOut = new EnumMap<>(Gathered.class);
    private Session session;

    ReplicatedStep(Parts parts, AllReduce replicas, StopSignal stop) {
        this.replicas = replicas;
        this.stop = stop;
        Ops root = parts.tf();
        stepExamples = parts.stepExamples();
        Operand<TFloat32> share = parts.shareOfStep(stepExamples);
        stopRequest = root.withName("stop_request").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        AllReduce.Summed summed = replicas.sumGradients(
                root, parts.gradients().apply(share), List.of(parts.objectiveSum(), parts.correct(), stopRequest));
        optimizer = parts.adamW(root, summed.gradients());
        globalObjectiveSum = summed.extras().get(0);
        globalCorrect = summed.extras().get(1);
        stopRequested = summed.extras().get(2);

        Ops tf = root.withSubScope("replicas");
        Operand<TFloat32> mine = tf.constant(replicas.chief() ? 1f : 0f);
        List<Op> assigns = new ArrayList<>();
        Map<String, Variable<TFloat32>> all =
                new LinkedHashMap<>(parts.variables().all());
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
            Placeholder<TFloat64> in = tf.withName(name).placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
            gatherIn.put(g, in);
            gatherOut.put(g, replicas.gather(tf, in, name + "_gathered"));
        }
    }

    @Override
    public AdamW optimizer() {
        return optimizer;
    }

    /** A worker's session runs on its in-process server, which joins the cluster. */
    @Override
    public Session start(GraphSession graph, ConfigProto config) {
        session = graph.start(
                replicas.server().sessionConfig(config), replicas.server().target());
        return session;
    }

    @Override
    public int[] share(int from, int to) {
        int n = to - from, w = replicas.workers(), t = replicas.taskIndex();
        return new int[] {from + (int) ((long) n * t / w), from + (int) ((long) n * (t + 1) / w)};
    }

    /** The global batch's mean loss and correct count, and whether the chief asked to end the run after it. */
    @Override
    public TrainingGraph.StepResult run(
            TrainingGraph graph, TokenizedDataset data, int[] order, int from, int to, double learningRate, long step) {
        int[] mine = share(from, to);
        int lo = mine[0], hi = mine[1], globalBatch = to - from;
        boolean stopAsked = replicas.chief() && stop.received() != null;
        long masks = step * replicas.workers() + replicas.taskIndex();
        try (TrainingGraph.Fed fed = graph.fed(data.batch(order, lo, hi), data.labels(order, lo, hi), masks);
                AdamW.Scalars s = optimizer.scalars(learningRate, step);
                TFloat32 count = TFloat32.scalarOf(globalBatch);
                TFloat32 stopIn = TFloat32.scalarOf(stopAsked ? 1f : 0f);
                Result res = s.feed(fed.runner())
                        .feed(stepExamples, count)
                        .feed(stopRequest, stopIn)
                        .addTarget(optimizer.update)
                        .fetch(globalObjectiveSum)
                        .fetch(globalCorrect)
                        .fetch(optimizer.globalNorm)
                        .fetch(stopRequested)
                        .run()) {
            return new TrainingGraph.StepResult(
                    ((TFloat32) res.get(0)).getFloat() / globalBatch,
                    ((TFloat32) res.get(1)).getFloat(),
                    ((TFloat32) res.get(2)).getFloat(),
                    ((TFloat32) res.get(3)).getFloat() > 0);
        }
    }

    @Override
    public boolean stopsAlone() {
        return false;
    }

    @Override
    public boolean decide(boolean mine) {
        return fromChief(new double[] {mine ? 1 : 0})[0] > 0;
    }

    /** Every worker takes the chief's weights, AdamW slots and place in the run (the chief's own history stays). */
    TrainingProgress startFromChief(TrainingProgress mine) {
        takeChiefsVariables();
        double[] p = fromChief(new double[] {
            mine.step(), mine.epoch(), mine.batchesDone(), mine.lossSum(), mine.correct(), mine.seen(), mine.seconds()
        });
        if (replicas.chief()) return mine;
        return new TrainingProgress((long) p[0], (int) p[1], (int) p[2], p[3], p[4], (int) p[5], p[6], List.of());
    }

    public boolean chief() {
        return replicas.chief();
    }

    public int workers() {
        return replicas.workers();
    }

    public int taskIndex() {
        return replicas.taskIndex();
    }

    /** Sets this worker's weights and AdamW slots to the chief's, as every worker must start from the same ones. */
    private void takeChiefsVariables() {
        session.runner().addTarget(takeChiefsVariables).run();
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
                        .feed(fromChiefIn, in)
                        .fetch(fromChiefOut)
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
                        .feed(gatherIn.get(use), in)
                        .fetch(gatherOut.get(use))
                        .run()) {
            TFloat64 out = (TFloat64) res.get(0);
            double[][] all = new double[replicas.workers()][values.length];
            for (int w = 0; w < all.length; w++) {
                for (int i = 0; i < values.length; i++) all[w][i] = out.getDouble(w * values.length + i);
            }
            return all;
        }
    }

    /** A collective op that failed: which worker is to blame TensorFlow does not say, only how it failed. */
    static DataException lostWorkers(AllReduce replicas, RuntimeException e) {
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
}
