package dev.bertclf.model;

import dev.bertclf.runtime.FusedKernels;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint16;

/**
 * Dropout in training graphs ({@link Mode#TRAINING}; inference graphs have none). Every rate is scaled by a fed
 * switch ({@code 1} while training, {@code 0} for validation) so one graph serves both. The masks are stateless
 * random numbers keyed by (seed, fed step, op), not TensorFlow's stateful generators, so a run resumed from a
 * checkpoint at step N draws exactly the masks an uninterrupted run draws from step N on. Each element's draw is
 * 16 random bits, not a float: the rate is then a multiple of 1/65536 (0.1 becomes 0.100006), and the masks cost
 * half the random numbers, 2% of a training step. Where bert-clf's fused kernels load ({@link FusedKernels}) the
 * same rule runs as one op whose 16 bits per element come from a hash of the element's index and that seed.
 *
 * <p>Ops are numbered in the order {@link #apply} is called: building the layers in another order draws other masks.
 */
public final class Dropout {
    /** Distinct stateless seeds for up to this many dropout ops per step. */
    private static final long OPS_PER_STEP = 4096;
    /** The values 16 random bits take. */
    private static final float BITS_RANGE = 65536f;

    private final Operand<TFloat32> switchOn;
    private final Operand<TInt64> step;
    private final long seed;
    private Operand<TInt64> stepBase;
    private int opIndex;

    /**
     * Dropout scaled by {@code switchOn}, a scalar fed as 1 while training and 0 otherwise; {@code step}, a fed
     * int64 scalar, selects the step's masks.
     */
    public Dropout(Operand<TFloat32> switchOn, Operand<TInt64> step, long seed) {
        this.switchOn = switchOn;
        this.step = step;
        this.seed = seed;
    }

    /** {@code x} with each element zeroed at {@code rate} and the rest scaled by {@code 1 / (1 - rate)}. */
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, float rate) {
        if (rate <= 0) return x;
        if (++opIndex >= OPS_PER_STEP) throw new IllegalStateException("more than " + OPS_PER_STEP + " dropout ops");
        if (stepBase == null) stepBase = tf.math.mul(step, tf.constant(OPS_PER_STEP));
        Operand<TInt64> opSeed =
                tf.stack(List.of(tf.constant(seed), tf.math.add(stepBase, tf.constant((long) opIndex))));
        // 16 random bits per element (half the random numbers of a float uniform) against the rate rounded to
        // a multiple of 1/65536; kept values are scaled by 1 / (1 - that rate), so the output's mean stays x.
        Operand<TFloat32> threshold = tf.math.minimum(
                tf.math.round(tf.math.mul(switchOn, tf.constant(rate * BITS_RANGE))), tf.constant(BITS_RANGE - 1));
        if (FusedKernels.available()) return FusedOps.dropout(tf, x, opSeed, threshold);
        Operand<TInt32> n = tf.size(x);
        Operand<TInt32> words = tf.reshape(
                tf.math.floorDiv(tf.math.add(n, tf.constant(1)), tf.constant(2)), tf.constant(new int[] {1}));
        Operand<TInt32> bits32 = tf.random.statelessRandomUniformFullInt(words, opSeed, TInt32.class);
        Operand<TUint16> bits = tf.reshape(tf.bitcast(bits32, TUint16.class), tf.constant(new int[] {-1}));
        bits = tf.reshape(
                tf.slice(bits, tf.constant(new int[] {0}), tf.reshape(n, tf.constant(new int[] {1}))), tf.shape(x));
        Operand<TBool> keep = tf.math.greaterEqual(bits, tf.dtypes.cast(threshold, TUint16.class));
        Operand<TFloat32> scale = tf.math.div(tf.constant(BITS_RANGE), tf.math.sub(tf.constant(BITS_RANGE), threshold));
        return tf.math.mul(x, tf.select(keep, scale, tf.constant(0f)));
    }
}
