package dev.bertclf.model;

import dev.bertclf.runtime.FusedKernels;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Training graphs' GELU, dropout and LayerNorm as bert-clf's fused kernels ({@link FusedKernels}, where they load),
 * each with its gradient: one op and one pass over the activations each way, where TensorFlow's ops take several.
 * They compute what {@link Activations#geluSigmoidForm}, {@link Dropout} and {@link BertModel}'s LayerNorm compute
 * from TensorFlow's ops (tests hold them to it); inference graphs never contain them, so exported models need
 * nothing of bert-clf.
 */
final class FusedOps {
    private FusedOps() {}

    private static boolean gradientsRegistered;

    /** GELU's tanh approximation; the gradient is {@code dy * gelu'(x)}, one op. */
    static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
        registerGradients();
        return op(tf, FusedKernels.GELU, x.asOutput()).output(0);
    }

    /**
     * Each element kept when its 16 random bits (a hash of its index and {@code key}, the op's stateless seed) are
     * at least {@code threshold}, and scaled by {@code 65536 / (65536 - threshold)}; the gradient is the same op on
     * the incoming gradient, so the mask is recomputed, not kept.
     */
    static Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, Operand<TInt64> key, Operand<TFloat32> threshold) {
        registerGradients();
        return op(tf, FusedKernels.DROPOUT, x.asOutput(), key.asOutput(), threshold.asOutput())
                .output(0);
    }

    /** LayerNorm over the last axis, {@code gamma}'s size; the gradient recomputes the moments from {@code x}. */
    static Operand<TFloat32> layerNorm(
            Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, float epsilon) {
        registerGradients();
        return op(
                        tf,
                        FusedKernels.LAYER_NORM,
                        x.asOutput(),
                        gamma.asOutput(),
                        beta.asOutput(),
                        tf.constant(epsilon).asOutput())
                .output(0);
    }

    private static GraphOperation op(Ops tf, String type, Output<?>... inputs) {
        var builder = tf.scope().opBuilder(type, type.replace("BertClf", ""));
        for (Output<?> in : inputs) builder.addInput(in);
        return (GraphOperation) builder.build();
    }

    /**
     * The kernels' gradients, registered once per process. Inputs that are fed or constant (dropout's key and
     * threshold, LayerNorm's epsilon) get zeros, which nothing consumes.
     */
    private static synchronized void registerGradients() {
        if (gradientsRegistered) return;
        boolean ok = TensorFlow.registerCustomGradient(
                        FusedKernels.GELU,
                        (tf, op, dy) -> List.of(op(tf, FusedKernels.GELU_GRAD, dy.get(0), op.input(0))
                                .output(0)))
                && TensorFlow.registerCustomGradient(
                        FusedKernels.DROPOUT,
                        (tf, op, dy) -> List.of(
                                op(tf, FusedKernels.DROPOUT, dy.get(0), op.input(1), op.input(2))
                                        .output(0),
                                tf.zerosLike(op.input(1)),
                                tf.zerosLike(op.input(2))))
                && TensorFlow.registerCustomGradient(FusedKernels.LAYER_NORM, (tf, op, dy) -> {
                    var grad = op(tf, FusedKernels.LAYER_NORM_GRAD, dy.get(0), op.input(0), op.input(1), op.input(3));
                    return List.of(grad.output(0), grad.output(1), grad.output(2), tf.zerosLike(op.input(3)));
                });
        if (!ok) throw new IllegalStateException("bert-clf's fused ops already have gradients");
        gradientsRegistered = true;
    }
}
