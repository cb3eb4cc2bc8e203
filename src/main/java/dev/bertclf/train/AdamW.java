package dev.bertclf.train;

import dev.bertclf.model.NamedVariables;
import dev.bertclf.runtime.InvalidOptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The tutorial's optimizer, {@code AdamWeightDecay} from TensorFlow's official BERT code, as graph ops: gradients
 * clipped to a global norm of 1, decoupled weight decay {@code w -= lr * weightDecay * w} (the tutorial's 0.01,
 * {@code --weight-decay}) on every weight except LayerNorm and bias, applied before Keras' Adam update with bias
 * correction (beta1 0.9, beta2 0.999, epsilon 1e-6); a decay of 0 adds no decay op at all. The learning rate and
 * Adam's beta powers are fed each step, so the schedule stays in Java.
 */
public final class AdamW {
    public static final double BETA1 = 0.9, BETA2 = 0.999, EPSILON = 1e-6, WEIGHT_DECAY = 0.01, CLIP_NORM = 1.0;

    public final Placeholder<TFloat32> learningRate;
    public final Placeholder<TFloat32> beta1Power;
    public final Placeholder<TFloat32> beta2Power;
    /** Runs one update of every variable. */
    public final Op update;
    /**
     * Adam's moments, {@code [name]/adam_m} and {@code [name]/adam_v}: the names Google's own checkpoints give these
     * slots. Kept as named variables so a training checkpoint saves and restores them by name like the weights.
     */
    public final NamedVariables slots;
    /** Sets every slot to zero: the state of a fresh optimizer. */
    public final Op resetSlots;
    /** The gradients' global norm before clipping, {@code global_norm}: what a step's log reports. */
    public final Operand<TFloat32> globalNorm;

    /** The tutorial's weight decay. */
    public AdamW(Ops root, NamedVariables vars, Map<String, Gradient> gradients) {
        this(root, vars, gradients, WEIGHT_DECAY);
    }

    /** {@code gradients} holds one entry per variable of {@code vars}, by name. */
    public AdamW(Ops root, NamedVariables vars, Map<String, Gradient> gradients, double weightDecay) {
        checkWeightDecay(weightDecay);
        Ops tf = root.withSubScope("adamw");
        learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        beta1Power = tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        beta2Power = tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        globalNorm = globalNorm(tf, gradients.values());
        Operand<TFloat32> scale = tf.math.div(
                tf.constant((float) CLIP_NORM), tf.math.maximum(globalNorm, tf.constant((float) CLIP_NORM)));
        // Every read of every weight, forward and backward, feeds the global norm: decaying a weight only after it
        // is known keeps the in-place decay from racing the reads (the graph's variables are TF1 ref variables).
        Ops afterGradients =
                tf.withControlDependencies(List.of(tf.withName("gradients_done").identity(scale)));

        slots = new NamedVariables(tf);
        List<Op> updates = new ArrayList<>(), resets = new ArrayList<>();
        for (var e : vars.all().entrySet()) {
            String name = e.getKey();
            Variable<TFloat32> w = e.getValue();
            long[] dims = vars.shapes().get(name).asArray();
            Variable<TFloat32> m = slots.create(name + "/adam_m", dims);
            Variable<TFloat32> v = slots.create(name + "/adam_v", dims);
            resets.add(tf.assign(m, tf.zeros(tf.constant(dims), TFloat32.class)));
            resets.add(tf.assign(v, tf.zeros(tf.constant(dims), TFloat32.class)));
            Ops step = tf;
            if (weightDecay > 0 && decays(name)) {
                // w -= (lr * decay) * w in one pass over the weight, as a gradient-descent step along w itself.
                Operand<TFloat32> rate = tf.math.mul(learningRate, tf.constant((float) weightDecay));
                step = tf.withControlDependencies(List.of(afterGradients.train.applyGradientDescent(w, rate, w)));
            }
            updates.add(step.train.applyAdam(
                    w,
                    m,
                    v,
                    beta1Power,
                    beta2Power,
                    learningRate,
                    tf.constant((float) BETA1),
                    tf.constant((float) BETA2),
                    tf.constant((float) EPSILON),
                    gradients.get(name).scaledDense(tf, scale)));
        }
        update = tf.withControlDependencies(updates).withName("update").noOp();
        resetSlots = tf.withControlDependencies(resets).withName("reset_slots").noOp();
    }

    /** The scalars step {@code step} (0-based) is fed: the learning rate and Adam's bias-correction powers. */
    Scalars scalars(double learningRate, long step) {
        return new Scalars(learningRate, step);
    }

    /** One step's fed scalars, closed after the run. */
    final class Scalars implements AutoCloseable {
        private final TFloat32 lr, b1, b2;

        private Scalars(double learningRate, long step) {
            lr = TFloat32.scalarOf((float) learningRate);
            b1 = TFloat32.scalarOf((float) Math.pow(BETA1, step + 1));
            b2 = TFloat32.scalarOf((float) Math.pow(BETA2, step + 1));
        }

        Session.Runner feed(Session.Runner r) {
            return r.feed(learningRate, lr).feed(beta1Power, b1).feed(beta2Power, b2);
        }

        @Override
        public void close() {
            lr.close();
            b1.close();
            b2.close();
        }
    }

    /** {@code --weight-decay}'s range: 0 (none) or a positive finite number. */
    public static void checkWeightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new InvalidOptionException("--weight-decay must be 0 or a positive number, got " + weightDecay);
        }
    }

    /** As the official optimizer's {@code exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"]}. */
    static boolean decays(String name) {
        return !(name.contains("LayerNorm") || name.contains("layer_norm") || name.contains("bias"));
    }

    /**
     * {@code tf.clip_by_global_norm}'s norm, the square root of every gradient's summed squares; the clipping factor
     * is {@code clip / max(global_norm, clip)}.
     */
    private static Operand<TFloat32> globalNorm(Ops tf, Iterable<Gradient> grads) {
        Operand<TFloat32> sumOfSquares = null;
        for (Gradient g : grads) {
            Operand<TFloat32> sq = g.squaredNorm(tf);
            sumOfSquares = sumOfSquares == null ? sq : tf.math.add(sumOfSquares, sq);
        }
        return tf.withName("global_norm").math.sqrt(sumOfSquares);
    }
}
