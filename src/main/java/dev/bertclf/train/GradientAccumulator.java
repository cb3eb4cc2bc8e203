package dev.bertclf.train;

import dev.bertclf.model.NamedVariables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Gradient accumulation ({@code train --accumulate}): one variable per weight sums the gradients of a step's
 * micro-batches, so that the optimizer then applies the gradient of a batch too large to compute at once. This
 * splits a training step into two stages, the gradient computation ({@link #add}, once per micro-batch) and the
 * update (clipping and AdamW on {@link #sums}, then {@link #zeroAfter} clears the sums), with the summed gradient
 * in between as plain variables: the place where data-parallel training can all-reduce it.
 *
 * <p>The sums are not saved in checkpoints: they are zero at every optimizer-step boundary, the only place one is
 * written. The word-embedding table's gradient arrives as looked-up rows ({@link Gradient.Rows}) and is
 * scatter-added into its dense sum, so a micro-batch adds only the rows it touched.
 */
final class GradientAccumulator {
    private final Ops tf;
    private final Map<String, Variable<TFloat32>> sumVariables = new LinkedHashMap<>();
    /** Adds one micro-batch's gradients to the sums. */
    final Op add;
    /** Sets every sum to zero: the state at a step boundary, and of a fresh graph. */
    final Op zero;

    /** {@code gradients}: one micro-batch's gradient per variable of {@code vars}, by name. */
    GradientAccumulator(Ops root, NamedVariables vars, Map<String, Gradient> gradients) {
        tf = root.withSubScope("accumulate");
        NamedVariables sums = new NamedVariables(tf);
        List<Op> adds = new ArrayList<>();
        for (var e : gradients.entrySet()) {
            Variable<TFloat32> sum =
                    sums.create(e.getKey(), vars.shapes().get(e.getKey()).asArray());
            sumVariables.put(e.getKey(), sum);
            adds.add(e.getValue().addTo(tf, sum));
        }
        add = tf.withControlDependencies(adds).withName("add").noOp();
        zero = zeroAfter(List.of());
    }

    /** The summed gradients, as the optimizer takes them. */
    Map<String, Gradient> sums() {
        Map<String, Gradient> out = new LinkedHashMap<>();
        sumVariables.forEach((name, sum) -> out.put(name, new Gradient.Dense(sum)));
        return out;
    }

    /** An op that zeroes every sum once {@code before} (the update that reads them) have run. */
    Op zeroAfter(List<Op> before) {
        Ops after = before.isEmpty() ? tf : tf.withControlDependencies(before);
        List<Op> zeros = new ArrayList<>();
        for (Variable<TFloat32> sum : sumVariables.values()) {
            // A zeros op of the static shape, not ZerosLike: that would read the sum, uninitialised in a fresh graph.
            zeros.add(after.assign(sum, after.zeros(after.constant(sum.shape().asArray()), TFloat32.class)));
        }
        return tf.withControlDependencies(zeros).noOp();
    }
}
