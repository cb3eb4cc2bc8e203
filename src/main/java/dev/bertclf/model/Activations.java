package dev.bertclf.model;

import dev.bertclf.model.BertConfig.HiddenAct;
import dev.bertclf.runtime.Kernels;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The feed-forward activations {@code hidden_act} names. GELU has two graph forms of the same function (tanh
 * approximation, as Google's {@code modeling.py}), chosen by the {@link Mode}: each is the cheaper one there; training
 * graphs take bert-clf's fused GELU kernel where the run chose the fused {@link Kernels}.
 */
final class Activations {
    private Activations() {}

    /** {@code kernels}: a training graph's choice, null in inference graphs. */
    static Operand<TFloat32> apply(Ops tf, HiddenAct act, Mode mode, Kernels kernels, Operand<TFloat32> x) {
        return switch (act) {
            case RELU -> tf.nn.relu(x);
            case GELU_EXACT -> geluExact(tf, x);
            case GELU, GELU_NEW ->
                mode != Mode.TRAINING
                        ? geluFusable(tf, x)
                        : kernels.fused() ? FusedOps.gelu(tf, x) : geluSigmoidForm(tf, x);
        };
    }

    /** {@code 0.5 x (1 + erf(x / sqrt(2)))}: GELU itself, as ELECTRA computes it. */
    static Operand<TFloat32> geluExact(Ops tf, Operand<TFloat32> x) {
        return tf.math.mul(
                tf.math.mul(x, tf.constant(0.5f)),
                tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
    }

    /**
     * Training graphs' tanh-approximated GELU, written as {@code x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))}. Its
     * gradient keeps three {@code [tokens, intermediate_size]} tensors alive where the tanh form's keeps five: about
     * 300 MB less at batch 32 with L-4 H-512, and no slower.
     */
    static Operand<TFloat32> geluSigmoidForm(Ops tf, Operand<TFloat32> x) {
        double c = Math.sqrt(2 / Math.PI);
        Operand<TFloat32> z = tf.math.mul(
                x,
                tf.math.add(tf.math.mul(tf.math.square(x), tf.constant((float) (2 * c * 0.044715))), tf.constant((float)
                        (2 * c))));
        return tf.math.mul(x, tf.math.sigmoid(z));
    }

    /**
     * Inference graphs' {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, its ops in the order of
     * TensorFlow's CPU remapper pattern ({@code 0.044715 x * x^2}, operands in that order), so that the whole of it
     * fuses with the dense layer before it into one oneDNN MatMul with a GELU post-op.
     */
    static Operand<TFloat32> geluFusable(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> cubic = tf.math.mul(tf.math.mul(tf.constant(0.044715f), x), tf.math.square(x));
        Operand<TFloat32> inner = tf.math.mul(addV2(tf, x, cubic), tf.constant((float) Math.sqrt(2 / Math.PI)));
        Operand<TFloat32> half = tf.math.mul(addV2(tf, tf.math.tanh(inner), tf.constant(1f)), tf.constant(0.5f));
        return tf.math.mul(half, x);
    }

    /** {@code a + b} as the AddV2 op Python's TensorFlow emits: the graph optimiser's fusion patterns name it. */
    private static Operand<TFloat32> addV2(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.scope()
                .opBuilder("AddV2", "AddV2")
                .addInput(a.asOutput())
                .addInput(b.asOutput())
                .build()
                .output(0);
    }
}
