package dev.bertclf.train;

import dev.bertclf.runtime.WorkerServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SplitV;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The collective ops that keep every worker's copy of the model equal, as MultiWorkerMirroredStrategy builds
 * them: TensorFlow's {@code CollectiveReduceV2} (ring all-reduce over gRPC) and {@code CollectiveGatherV2}, one
 * group of all the workers, led by task 0. Each op gets its own instance key, so every worker must build the same
 * ops in the same order (they build the same graph). Every op gives up after the timeout, so a worker that dies
 * or hangs ends the others' step with an error instead of a wait without end.
 */
public final class AllReduce {
    private static final int GROUP_KEY = 1;

    private final WorkerServer server;
    private final float timeoutSeconds;
    /** The most looked-up rows one worker's share of a global batch has: its examples times the tokens of each. */
    private final int rowsPerWorker;

    private int nextInstanceKey = 1;

    /** For global batches of up to {@code batchSize} examples of {@code maxSeqLen} tokens. */
    public AllReduce(WorkerServer server, Duration timeout, int batchSize, int maxSeqLen) {
        this.server = server;
        this.timeoutSeconds = timeout.toMillis() / 1000f;
        int workers = server.cluster().size();
        this.rowsPerWorker = Math.toIntExact((long) ((batchSize + workers - 1) / workers) * maxSeqLen);
    }

    public WorkerServer server() {
        return server;
    }

    public int workers() {
        return server.cluster().size();
    }

    public int taskIndex() {
        return server.cluster().taskIndex();
    }

    public boolean chief() {
        return server.cluster().chief();
    }

    /** The element-wise sum of {@code x} over all workers, the same on each. */
    public <T extends TNumber> Operand<T> sum(Ops tf, Operand<T> x, String name) {
        return collective(tf, "CollectiveReduceV2", x, name)
                .setAttr("merge_op", "Add")
                .setAttr("final_op", "Id")
                .build()
                .output(0);
    }

    /** Every worker's {@code x} concatenated along the first dimension, in task order. */
    public <T extends TNumber> Operand<T> gather(Ops tf, Operand<T> x, String name) {
        return collective(tf, "CollectiveGatherV2", x, name).build().output(0);
    }

    private GraphOperationBuilder collective(Ops tf, String type, Operand<?> x, String name) {
        GraphOperationBuilder b = (GraphOperationBuilder)
                tf.scope().env().opBuilder(type, tf.scope().makeOpName(name), tf.scope());
        return b.addInput(x.asOutput())
                .addInput(tf.constant(workers()).asOutput())
                .addInput(tf.constant(GROUP_KEY).asOutput())
                .addInput(tf.constant(nextInstanceKey++).asOutput())
                .addInputList(new Output<?>[0])
                .setAttr("communication_hint", "ring")
                .setAttr("timeout_seconds", timeoutSeconds);
    }

    /** The gradients summed over workers, and the sums of {@code extras} (scalars), from one all-reduce. */
    public record Summed(Map<String, Gradient> gradients, List<Operand<TFloat32>> extras) {}

    /**
     * Sums every gradient and the scalars {@code extras} over the workers: the dense gradients and the scalars in
     * one all-reduce of one flat vector (one collective per step, not one per variable, as MultiWorkerMirroredStrategy
     * packs small tensors); a gradient kept as looked-up rows (the word embeddings) by gathering every worker's rows
     * instead, which sends a few thousand rows rather than the whole table (see {@link #gatherRows}). The sum is each
     * worker's share of the global batch's mean-loss gradient added up.
     */
    public Summed sumGradients(Ops root, Map<String, Gradient> gradients, List<Operand<TFloat32>> extras) {
        Ops tf = root.withSubScope("all_reduce");
        List<Operand<TFloat32>> dense = new ArrayList<>();
        List<Operand<TFloat32>> flat = new ArrayList<>();
        for (Gradient g : gradients.values()) {
            if (!(g instanceof Gradient.Dense d)) continue;
            dense.add(d.value());
            flat.add(tf.reshape(d.value(), tf.constant(new int[] {-1})));
        }
        for (Operand<TFloat32> e : extras) flat.add(tf.reshape(e, tf.constant(new int[] {1})));
        Operand<TFloat32> summed = sum(tf, tf.concat(flat, tf.constant(0)), "gradients");
        List<Operand<TInt32>> sizes = new ArrayList<>();
        for (Operand<TFloat32> f : flat) sizes.add(tf.reshape(tf.size(f), tf.constant(new int[] {1})));
        SplitV<TFloat32> split =
                tf.splitV(summed, tf.concat(sizes, tf.constant(0)), tf.constant(0), (long) flat.size());
        Map<String, Gradient> out = new LinkedHashMap<>();
        int i = 0;
        for (var e : gradients.entrySet()) {
            if (e.getValue() instanceof Gradient.Rows rows) {
                out.put(e.getKey(), gatherRows(tf, rows));
            } else {
                out.put(e.getKey(), new Gradient.Dense(tf.reshape(split.output().get(i), tf.shape(dense.get(i)))));
                i++;
            }
        }
        List<Operand<TFloat32>> extraSums = new ArrayList<>();
        for (int k = 0; k < extras.size(); k++)
            extraSums.add(tf.squeeze(split.output().get(i + k)));
        return new Summed(out, extraSums);
    }

    /**
     * Every worker's looked-up rows and their ids, gathered, with repeated ids summed: the sum of the workers'
     * sparse gradients. A gather needs the same shape from every worker, so each pads its rows to
     * {@link #rowsPerWorker} with zero rows at id 0, which add nothing.
     */
    private Gradient.Rows gatherRows(Ops tf, Gradient.Rows rows) {
        Operand<TInt32> n = tf.reshape(
                tf.slice(tf.shape(rows.values()), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
                tf.constant(new int[0]));
        Operand<TInt32> missing = tf.math.sub(tf.constant(rowsPerWorker), n);
        Operand<TInt32> padValues = tf.reshape(
                tf.stack(List.of(tf.constant(0), missing, tf.constant(0), tf.constant(0))),
                tf.constant(new int[] {2, 2}));
        Operand<TInt32> padIds = tf.reshape(tf.stack(List.of(tf.constant(0), missing)), tf.constant(new int[] {1, 2}));
        Operand<TFloat32> values = gather(tf, tf.pad(rows.values(), padValues, tf.constant(0f)), "embedding_rows");
        Operand<TInt32> ids = gather(tf, tf.pad(rows.indices(), padIds, tf.constant(0)), "embedding_ids");
        int width = (int) rows.values().shape().get(1);
        return Gradient.Rows.ofLookup(tf, values, ids, rows.rows(), width);
    }
}
