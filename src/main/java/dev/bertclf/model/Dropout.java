package dev.bertclf.model;

import dev.bertclf.runtime.Kernels;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * Dropout in training graphs ({@link Mode#TRAINING}; inference graphs have none). Every rate is scaled by a fed
 * switch ({@code 1} while training, {@code 0} for validation) so one graph serves both. The masks are stateless:
 * keyed by (seed, fed step, op), not drawn from TensorFlow's stateful generators, so a run resumed from a checkpoint
 * at step N draws exactly the masks an uninterrupted run draws from step N on. Each element's draw is 16 bits, not a
 * float: the rate is then a multiple of 1/65536 (0.1 becomes 0.100006).
 *
 * <p>The 16 bits come from a hash of the element's index and the key ({@link #elementBits}), the rule bert-clf's fused
 * dropout kernel runs in one pass ({@code src/main/native/bertclf_ops.c}); where the run chose TensorFlow's ops
 * ({@link Kernels#TENSORFLOW}: no kernels on this machine, the CUDA build, or switched off) the same integer
 * operations run as TensorFlow ops, in int64 so that no product overflows. Both choices draw the same masks: they
 * differ in speed only (and in the rounding of the fused GELU and layer normalisation).
 *
 * <p>Ops are numbered in the order {@link #apply} is called: building the layers in another order draws other masks.
 */
public final class Dropout {
    /** Distinct stateless seeds for up to this many dropout ops per step. */
    private static final long OPS_PER_STEP = 4096;
    /** The values 16 random bits take. */
    private static final float BITS_RANGE = 65536f;

    private static final long LOW_32 = 0xFFFFFFFFL;

    private final Operand<TFloat32> switchOn;
    private final Operand<TInt64> step;
    private final long seed;
    private final Kernels kernels;
    private Operand<TInt64> stepBase;
    private int opIndex;

    /**
     * Dropout scaled by {@code switchOn}, a scalar fed as 1 while training and 0 otherwise; {@code step}, a fed
     * int64 scalar, selects the step's masks; {@code kernels} is the run's choice, which the whole training graph
     * follows (its GELU and layer normalisation too).
     */
    public Dropout(Operand<TFloat32> switchOn, Operand<TInt64> step, long seed, Kernels kernels) {
        this.switchOn = switchOn;
        this.step = step;
        this.seed = seed;
        this.kernels = kernels;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** {@code x} with each element zeroed at {@code rate} and the rest scaled by {@code 1 / (1 - rate)}. */
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, float rate) {
        if (rate <= 0) return x;
        if (++opIndex >= OPS_PER_STEP) throw new IllegalStateException("more than " + OPS_PER_STEP + " dropout ops");
        if (stepBase == null) stepBase = tf.math.mul(step, tf.constant(OPS_PER_STEP));
        Operand<TInt64> opSeed =
                tf.stack(List.of(tf.constant(seed), tf.math.add(stepBase, tf.constant((long) opIndex))));
        // 16 random bits per element against the rate rounded to a multiple of 1/65536; kept values are scaled by
        // 1 / (1 - that rate), so the output's mean stays x.
        Operand<TFloat32> threshold = tf.math.minimum(
                tf.math.round(tf.math.mul(switchOn, tf.constant(rate * BITS_RANGE))), tf.constant(BITS_RANGE - 1));
        if (kernels.fused()) return FusedOps.dropout(tf, x, opSeed, threshold);
        Operand<TInt64> bits = tf.reshape(elementBits(tf, tf.size(x, TInt64.class), opSeed), tf.shape(x));
        Operand<TBool> keep = tf.math.greaterEqual(bits, tf.dtypes.cast(threshold, TInt64.class));
        // The kernel's float scale, computed in double and rounded once (the same float for every threshold, checked
        // for all 65,536): as a float division, the product with x came out as x * 65536 / t rounded once
        // (TensorFlow's graph rewrites), an ulp from the kernel's.
        Operand<TFloat64> range = tf.constant((double) BITS_RANGE);
        Operand<TFloat32> scale = tf.dtypes.cast(
                tf.math.div(range, tf.math.sub(range, tf.dtypes.cast(threshold, TFloat64.class))), TFloat32.class);
        return tf.select(keep, tf.math.mul(x, scale), tf.zerosLike(x));
    }

    /**
     * The fused kernel's 16 bits for elements {@code 0..n-1} under the 128-bit {@code key} (run seed, then step and
     * op): elements {@code 2j} and {@code 2j+1} take the low and high halves of {@code mix32(mix32(j + k0) ^ k1)},
     * with {@code k0} and {@code k1} mixed from the key's halves as the kernel's {@code dropout_key} does; every
     * value a 32-bit word held in an int64. Each pair is hashed once: the ops cost half of a hash per element.
     */
    static Operand<TInt64> elementBits(Ops tf, Operand<TInt64> n, Operand<TInt64> key) {
        Operand<TInt64> k0 = keyWord(tf, tf.gather(key, tf.constant(0), tf.constant(0)), 0x9e3779b9L);
        Operand<TInt64> k1 = keyWord(tf, tf.gather(key, tf.constant(1), tf.constant(0)), 0x7f4a7c15L);
        Operand<TInt64> pairs = tf.math.floorDiv(tf.math.add(n, tf.constant(1L)), tf.constant(2L));
        Operand<TInt64> pair = tf.range(tf.constant(0L), pairs, tf.constant(1L));
        Operand<TInt64> h = mix32(tf, tf.bitwise.bitwiseAnd(tf.math.add(pair, k0), tf.constant(LOW_32)));
        Operand<TInt64> word = mix32(tf, tf.bitwise.bitwiseXor(h, k1));
        Operand<TInt64> halves = tf.stack(
                List.of(
                        tf.bitwise.bitwiseAnd(word, tf.constant(0xFFFFL)),
                        tf.bitwise.rightShift(word, tf.constant(16L))),
                Stack.axis(1L));
        return tf.slice(
                tf.reshape(halves, tf.constant(new long[] {-1})),
                tf.constant(new long[] {0}),
                tf.reshape(n, tf.constant(new long[] {1})));
    }

    /** {@code mix32(low ^ mix32(high + salt))} of a 64-bit key half, as 32-bit words. */
    private static Operand<TInt64> keyWord(Ops tf, Operand<TInt64> half, long salt) {
        Operand<TInt64> low = tf.bitwise.bitwiseAnd(half, tf.constant(LOW_32));
        Operand<TInt64> high =
                tf.bitwise.bitwiseAnd(tf.bitwise.rightShift(half, tf.constant(32L)), tf.constant(LOW_32));
        Operand<TInt64> salted = tf.bitwise.bitwiseAnd(tf.math.add(high, tf.constant(salt)), tf.constant(LOW_32));
        return mix32(tf, tf.bitwise.bitwiseXor(low, mix32(tf, salted)));
    }

    /** Wellons' lowbias32 finaliser of a 32-bit word, the kernel's {@code mix32}. */
    private static Operand<TInt64> mix32(Ops tf, Operand<TInt64> h) {
        h = xorShift(tf, h, 16);
        h = mulLow32(tf, h, 0x7feb352dL);
        h = xorShift(tf, h, 15);
        h = mulLow32(tf, h, 0x846ca68bL);
        return xorShift(tf, h, 16);
    }

    private static Operand<TInt64> xorShift(Ops tf, Operand<TInt64> h, long bits) {
        return tf.bitwise.bitwiseXor(h, tf.bitwise.rightShift(h, tf.constant(bits)));
    }

    /**
     * The low 32 bits of {@code h * c} for 32-bit {@code h} and {@code c}, with no int64 overflow: a {@code c} of 2^31
     * or more is taken as {@code c - 2^32}, the same modulo 2^32, so that the product stays within 2^63 in size.
     */
    private static Operand<TInt64> mulLow32(Ops tf, Operand<TInt64> h, long c) {
        long factor = c < (1L << 31) ? c : c - (1L << 32);
        return tf.bitwise.bitwiseAnd(tf.math.mul(h, tf.constant(factor)), tf.constant(LOW_32));
    }
}
