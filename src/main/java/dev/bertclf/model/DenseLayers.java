package dev.bertclf.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * How a graph computes its dense layers {@code x W + b}, and so what their backward pass runs. A bf16 product is
 * fast on CPUs without AMX only as oneDNN's fused MatMul-plus-bias kernel: TensorFlow's own gradient of MatMul is
 * two bare MatMuls, one of them on a transposed left operand, which take a kernel about 3x slower than fp32 (measured
 * on an AVX512-BF16 EPYC, [4096,512]x[512,2048]: 285 GFLOP/s for a plain layer's forward and backward under auto
 * mixed precision, 830 this way). {@link #BF16} therefore builds each layer as one {@code _FusedMatMul} op in
 * bfloat16 with a backward pass of our own (see {@link #gradient}) made of fused products as well. The training graph
 * chooses it only on CPUs with bf16 instructions, where it was measured.
 */
public enum DenseLayers {
    /** MatMul then BiasAdd in float32, differentiated by TensorFlow; what inference graphs and fp32 training use. */
    STANDARD,
    /**
     * The product in bfloat16 (inputs cast down, the result cast back to float32, master weights stay float32),
     * forward and backward as fused oneDNN products; the bias gradient is summed in float32.
     */
    BF16;

    /** {@code x kernel + bias}, {@code [rows, in] x [in, out] + [out]}. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, Operand<TFloat32> bias) {
        if (this == STANDARD) return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias);
        registerGradient();
        Operand<TBfloat16> product = fusedMatMul(
                tf,
                tf.dtypes.cast(x, TBfloat16.class),
                tf.dtypes.cast(kernel, TBfloat16.class),
                tf.dtypes.cast(bias, TBfloat16.class),
                false);
        return tf.dtypes.cast(product, TFloat32.class);
    }

    private static final String FUSED_MATMUL = "_FusedMatMul";
    private static boolean registered;

    /**
     * Gives {@code _FusedMatMul} a gradient (it has none: TensorFlow's graph optimiser makes it from MatMul and
     * BiasAdd after differentiation), once per process.
     */
    private static synchronized void registerGradient() {
        if (registered) return;
        if (!TensorFlow.registerCustomGradient(
                FUSED_MATMUL, (tf, op, dy) -> gradient(tf, op.input(0), op.input(1), op.input(2), dy.get(0)))) {
            throw new IllegalStateException(FUSED_MATMUL + " already has a gradient");
        }
        registered = true;
    }

    /**
     * The gradient of {@code y = x w + b} as three ops oneDNN runs fast in bf16: {@code dx = dy w^T + 0} (a fused
     * product whose right operand is transposed, with a zero bias so that it takes the fused kernel),
     * {@code dw = (x^T) dy + 0} (the transpose made explicitly, because the fused kernel takes no transposed left
     * operand), and {@code db} summed over the rows in float32, as bf16 sums of thousands of rows lose every addend
     * once the total outgrows them. No shapes are read here: TensorFlow holds the graph's lock while it calls a
     * gradient function, so the zero biases take their sizes from ops.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Operand<?>> gradient(Ops tf, Output<?> x, Output<?> w, Output<?> b, Output<?> dy) {
        Class type = dy.type();
        Operand zerosIn = tf.zeros(tf.slice(tf.shape(w), tf.constant(new int[] {0}), tf.constant(new int[] {1})), type);
        Operand dx = fusedMatMul(tf, (Operand) dy, (Operand) w, zerosIn, true);
        Operand xTransposed = tf.linalg.transpose((Operand) x, tf.constant(new int[] {1, 0}));
        Operand dw = fusedMatMul(tf, xTransposed, (Operand) dy, tf.zerosLike((Operand) b), false);
        Operand db = tf.dtypes.cast(tf.nn.biasAddGrad(tf.dtypes.cast((Operand) dy, TFloat32.class)), type);
        return List.of(dx, dw, db);
    }

    /** One {@code _FusedMatMul}: {@code a b + bias}, or {@code a b^T + bias}, one oneDNN kernel. */
    private static <T extends TType> Operand<T> fusedMatMul(
            Ops tf, Operand<T> a, Operand<T> b, Operand<T> bias, boolean transposeB) {
        return tf.scope()
                .opBuilder(FUSED_MATMUL, "FusedMatMul")
                .addInput(a.asOutput())
                .addInput(b.asOutput())
                .addInputList(new Output<?>[] {bias.asOutput()})
                .setAttr("transpose_a", false)
                .setAttr("transpose_b", transposeB)
                .setAttr("num_args", 1L)
                .setAttr("fused_ops", new String[] {"BiasAdd"})
                .build()
                .output(0);
    }
}
