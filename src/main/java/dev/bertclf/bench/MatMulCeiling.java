package dev.bertclf.bench;

import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.TfRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * This machine's own ceiling: the throughput of the MatMuls a model runs, at the model's own shapes, through the same
 * TensorFlow build, in fp32 and in bf16. On a shared, noisy machine absolute times drift; a model's speed as a share
 * of this ceiling, measured in the same process, does not. Only MatMul work is timed: the operands are variables
 * already in the precision, initialised once, and the timed run has the product as its target (nothing fetched, no
 * cast, no reduction), because anything else in the timed run lowers the ceiling and lets a model seem to beat it.
 * Each product is timed in both of its forms and the faster counts: bare, and with its bias add, as every dense layer
 * of the model has it, which TensorFlow's graph optimiser fuses into one oneDNN kernel. Neither form is the fastest
 * everywhere: on an AVX512-BF16 EPYC, at L-4 H-512's three shapes, a bare bf16 MatMul fell to a kernel three times
 * slower than the fused one (187-227 GFLOP/s against 636-780), while a bare fp32 MatMul ran up to 4% faster than the
 * fused at the fastest shape (375-419 against 370-403); timing one form only reads a ceiling low and lets the
 * model's share of it seem high. The bias is
 * {@code n} additions beside {@code k * n} multiply-adds and is not counted.
 * Each figure is the best of rounds of about {@code round} each, at least {@value #MIN_ROUNDS} and more while the best
 * still improves, since noise on a shared machine only ever slows a round down.
 */
public final class MatMulCeiling {
    static final int MIN_ROUNDS = 3, MAX_ROUNDS = 8;
    /** A round that beats the best so far by less than this share counts as no gain. */
    private static final double GAIN = 0.01;

    /** One product {@code [m, k] x [k, n]}. */
    public record Shape(long m, long k, long n) {
        double flops() {
            return 2.0 * m * k * n;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "[%d,%d]x[%d,%d]", m, k, k, n);
        }
    }

    /** Best GFLOP/s of one shape in each precision. */
    public record Figure(Shape shape, double fp32, double bf16) {
        double of(Precision p) {
            return p == Precision.bf16 ? bf16 : fp32;
        }
    }

    /**
     * The figures of every shape measured; the ceiling of a precision is the fastest of them, so a model's share of
     * it never flatters the model, whichever shapes its time goes to.
     */
    public record Result(List<Figure> figures) {
        public Result {
            figures = List.copyOf(figures);
        }

        public double fp32() {
            return best(Precision.fp32);
        }

        public double bf16() {
            return best(Precision.bf16);
        }

        public double best(Precision p) {
            return figures.stream().mapToDouble(f -> f.of(p)).max().orElse(Double.NaN);
        }

        /** Shape by shape, the better figure of this measurement and {@code other} of the same shapes. */
        public Result max(Result other) {
            List<Figure> out = new ArrayList<>();
            for (int i = 0; i < figures.size(); i++) {
                Figure a = figures.get(i), b = other.figures.get(i);
                out.add(new Figure(a.shape(), Math.max(a.fp32(), b.fp32()), Math.max(a.bf16(), b.bf16())));
            }
            return new Result(out);
        }
    }

    private MatMulCeiling() {}

    /**
     * The dense products of an encoder layer at this batch: the token rows ({@code batch * seqLen}) times the
     * query/key/value/output projection, the intermediate dense layer and the output dense layer. Attention's own
     * products are smaller batched ones, and the embeddings' a lookup, so they are left out.
     */
    public static List<Shape> shapesOf(BertConfig c, int batchSize, int seqLen) {
        long rows = (long) batchSize * seqLen, h = c.hiddenSize, i = c.intermediateSize;
        List<Shape> shapes = new ArrayList<>(List.of(new Shape(rows, h, h), new Shape(rows, h, i)));
        if (i != h) shapes.add(new Shape(rows, i, h));
        return shapes;
    }

    /** Each shape in fp32 and bf16, rounds of about {@code round}. */
    public static Result measure(List<Shape> shapes, Duration round) {
        TfRuntime.engine();
        List<Figure> figures = new ArrayList<>();
        for (Shape shape : shapes) {
            figures.add(new Figure(shape, gflops(shape, TFloat32.class, round), gflops(shape, TBfloat16.class, round)));
        }
        return new Result(figures);
    }

    /** The faster form of the product: bare or with its bias add. */
    private static double gflops(Shape shape, Class<? extends TFloating> type, Duration round) {
        return Math.max(gflops(shape, type, false, round), gflops(shape, type, true, round));
    }

    private static double gflops(Shape shape, Class<? extends TFloating> type, boolean withBias, Duration round) {
        try (Graph g = new Graph()) {
            Operand<?> product = timedProduct(Ops.create(g), shape, type, withBias);
            try (Session s = new Session(g)) {
                s.initialize();
                for (int i = 0; i < 3; i++) run(s, product);
                double best = 0;
                for (int r = 0, sinceGain = 0; r < MAX_ROUNDS && (r < MIN_ROUNDS || sinceGain < 2); r++) {
                    double rate = shape.flops() / secondsPerRun(s, product, round) / 1e9;
                    sinceGain = rate > best * (1 + GAIN) ? 0 : sinceGain + 1;
                    best = Math.max(best, rate);
                }
                return best;
            }
        }
    }

    /**
     * The op a round runs: {@code x w}, the product of two variables of {@code type}, plus a third as its bias when
     * {@code withBias}, their random initial values made (and cast) by initialisers that run once, outside every
     * timed run. Package-private so that a test can see what it reads.
     */
    static <T extends TFloating> Operand<T> timedProduct(Ops tf, Shape s, Class<T> type, boolean withBias) {
        Operand<T> x = tf.variable(random(tf, new long[] {s.m(), s.k()}, type));
        Operand<T> w = tf.variable(random(tf, new long[] {s.k(), s.n()}, type));
        Operand<T> product = tf.linalg.matMul(x, w);
        return withBias ? tf.nn.biasAdd(product, tf.variable(random(tf, new long[] {s.n()}, type))) : product;
    }

    private static <T extends TFloating> Operand<T> random(Ops tf, long[] shape, Class<T> type) {
        Operand<TFloat32> values = tf.random.randomUniform(tf.constant(shape), TFloat32.class);
        return tf.dtypes.cast(values, type);
    }

    /** Runs the product until {@code round} has passed (at least once); the mean seconds of a run. */
    private static double secondsPerRun(Session s, Operand<?> product, Duration round) {
        long t0 = System.nanoTime(), budget = round.toNanos(), elapsed;
        int runs = 0;
        do {
            run(s, product);
            runs++;
        } while ((elapsed = System.nanoTime() - t0) < budget);
        return elapsed / 1e9 / runs;
    }

    private static void run(Session s, Operand<?> target) {
        try (org.tensorflow.Result ignored = s.runner().addTarget(target).run()) {
            // a target: nothing is fetched
        }
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
