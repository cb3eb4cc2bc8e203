package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Expected values were produced once with numpy 2.4.6: {@code np.random.RandomState(seed).shuffle(list(range(n)))}. */
class NumpyRandomStateTest {

    private static List<Integer> shuffled(int n, long seed) {
        List<Integer> list = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        new NumpyRandomState(seed).shuffle(list);
        return list;
    }

    @Test
    void rawOutputMatchesMt19937() {
        NumpyRandomState r = new NumpyRandomState(42);
        assertEquals(1608637542L, r.nextUint32());
        assertEquals(3421126067L, r.nextUint32());
        assertEquals(4083286876L, r.nextUint32());
    }

    @Test
    void shuffleMatchesNumpy() {
        assertEquals(List.of(0, 17, 15, 1, 8, 5, 11, 3, 18, 16, 13, 2, 9, 19, 4, 12, 7, 10, 14, 6), shuffled(20, 42));
        assertEquals(List.of(2, 8, 4, 9, 1, 6, 7, 3, 0, 5), shuffled(10, 0));
        assertEquals(List.of(0), shuffled(1, 5));
        assertEquals(List.of(0, 1), shuffled(2, 1));
        assertEquals(
                List.of(
                        2, 1, 36, 21, 23, 17, 6, 24, 22, 35, 9, 27, 5, 16, 32, 8, 10, 11, 12, 30, 18, 14, 31, 33, 3, 0,
                        20, 13, 19, 15, 4, 34, 7, 29, 26, 25, 28),
                shuffled(37, 123456789));
        assertEquals(
                List.of(
                        13, 15, 22, 42, 30, 27, 1, 20, 10, 36, 32, 46, 34, 18, 17, 35, 29, 41, 9, 2, 33, 16, 21, 31, 38,
                        24, 5, 12, 45, 6, 37, 40, 11, 0, 7, 48, 43, 26, 49, 8, 44, 14, 28, 39, 23, 19, 3, 25, 4, 47),
                shuffled(50, 7));
    }

    @Test
    void largestSeed() {
        assertEquals(
                List.of(
                        92, 36, 80, 77, 31, 6, 69, 20, 21, 81, 29, 48, 59, 5, 76, 83, 22, 95, 78, 82, 28, 62, 33, 57,
                        93, 88, 58, 19, 90, 53, 46, 70, 10, 94, 8, 63, 2, 39, 50, 42, 85, 51, 49, 0, 98, 79, 16, 66, 4,
                        99, 91, 68, 7, 15, 40, 84, 60, 72, 30, 67, 41, 87, 38, 56, 75, 96, 65, 18, 45, 47, 1, 61, 23,
                        25, 3, 43, 26, 97, 17, 24, 44, 9, 73, 37, 14, 55, 54, 13, 27, 74, 11, 32, 89, 86, 64, 52, 71,
                        12, 34, 35),
                shuffled(100, 4294967295L));
    }

    /** The tutorial's case: 25,000 training files, seed 42. */
    @Test
    void imdbSizedShuffle() {
        List<Integer> a = shuffled(25000, 42);
        assertEquals(List.of(6868, 24016, 9668, 13640, 14018, 7488, 5804, 12909, 3386, 9567), a.subList(0, 10));
        assertEquals(
                List.of(16850, 6265, 22118, 11284, 11964, 21575, 5390, 860, 15795, 23654), a.subList(24990, 25000));
        long mod = (1L << 61) - 1, sum = 0;
        for (int i = 0; i < a.size(); i++) sum = (sum + (long) i * a.get(i)) % mod;
        assertEquals(3914946534567L, sum);
    }

    @Test
    void rejectsSeedsNumpyRejects() {
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(-1));
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1L << 32));
    }
}
