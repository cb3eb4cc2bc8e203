package dev.bertclf.data;

import java.util.List;

/**
 * A bit-exact copy of numpy's legacy {@code np.random.RandomState(seed).shuffle(x)}, because Keras'
 * {@code text_dataset_from_directory} uses it to order files before taking the validation split: only the same
 * generator gives the same training/validation files as the TensorFlow tutorial.
 *
 * <p>The generator is MT19937 seeded with {@code init_genrand(seed)} (numpy's legacy integer seeding); shuffle is
 * Fisher-Yates from the end, drawing each index with numpy's {@code random_interval}: masked 32-bit draws,
 * rejecting values above the bound.
 */
public final class NumpyRandomState {
    /** The largest seed numpy accepts for legacy integer seeding. */
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index;

    /** @throws IllegalArgumentException for a seed outside {@code [0, 2^32-1]}, as numpy does */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > MAX_SEED) {
            throw new IllegalArgumentException("Seed must be between 0 and " + MAX_SEED + ", got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next raw 32-bit output, as an unsigned value. */
    public long nextUint32() {
        if (index >= N) twist();
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xFFFF_FFFFL;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        index = 0;
    }

    /** A uniform value in {@code [0, max]}, drawn exactly like numpy's {@code random_interval} for 32-bit bounds. */
    long randomInterval(long max) {
        if (max == 0) return 0;
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long value;
        do {
            value = nextUint32() & mask;
        } while (value > max);
        return value;
    }

    /** Shuffles {@code list} in place in the same order as {@code RandomState.shuffle} on a list or 1-d array. */
    public <T> void shuffle(List<T> list) {
        int n = list.size();
        for (int i = n - 1; i >= 1; i--) {
            int j = (int) randomInterval(i);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}
