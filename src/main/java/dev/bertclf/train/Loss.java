package dev.bertclf.train;

import dev.bertclf.infer.BinaryMetrics;
import dev.bertclf.infer.MultiClassMetrics;
import dev.bertclf.infer.MultiLabelMetrics;
import dev.bertclf.model.BertClassifier;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a head is trained to minimise and how its predictions count as right, for each kind of labels: the
 * tutorial's single logit (binary), one logit per class (multi-class), one sigmoid per class (multi-label). The
 * training graph, the loop's metrics and the run's logs ask the loss rather than test which kind they hold, so a
 * fourth kind is one more class here.
 */
public sealed interface Loss permits Loss.Binary, Loss.MultiClass, Loss.MultiLabel {
    /** The loss for labels of {@code numClasses} classes: multi-label where a threshold is given (null: not). */
    static Loss of(int numClasses, float[] classWeights, Double multiLabelThreshold) {
        if (multiLabelThreshold != null) {
            if (classWeights != null) throw new IllegalArgumentException("no class weights for multi-label");
            return new MultiLabel(numClasses, multiLabelThreshold);
        }
        return numClasses == 2 ? new Binary(classWeights) : new MultiClass(numClasses, classWeights);
    }

    int numClasses();

    default boolean multiLabel() {
        return false;
    }

    /** Labels a batch holds: one float per example (a class id), or a multi-hot row. */
    default Shape labelShape() {
        return Shape.of(-1);
    }

    /** The labels of a batch as the graph takes them; {@code y} is row by row. */
    default TFloat32 labelTensor(float[] y) {
        return TFloat32.vectorOf(y);
    }

    /** Each example's loss, {@code [batch]}. */
    Operand<TFloat32> perExample(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels);

    /**
     * Each example's share of predictions right, {@code [batch]}: 1 or 0, or for multi-label data the share of its
     * classes right (Keras' {@code binary_accuracy}).
     */
    Operand<TFloat32> hits(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels);

    /** What training minimises per example: {@link #perExample} scaled by the example's class weight, if any. */
    default Operand<TFloat32> objective(Ops tf, Operand<TFloat32> perExample, Operand<TFloat32> labels) {
        return perExample;
    }

    /** Keras' name for the accuracy metric, as the logs and {@code history.json} name it. */
    default String accuracyName() {
        return accuracyName(numClasses(), multiLabel());
    }

    /**
     * {@code binary_accuracy} for the tutorial's single logit and for multi-label data (the share of class decisions
     * right, as Keras counts it), {@code accuracy} for more than two classes.
     */
    static String accuracyName(int numClasses, boolean multiLabel) {
        return numClasses == 2 || multiLabel ? "binary_accuracy" : "accuracy";
    }

    /** Logits per example. */
    default int logitsPerExample() {
        return BertClassifier.logitsPerExample(numClasses(), multiLabel());
    }

    /**
     * The validation F1 of {@code n} examples' logits and labels (row by row): the positive class's for two classes,
     * macro for more, micro for multi-label data.
     */
    double f1(float[] logits, float[] y, int n);

    /**
     * The tutorial's: sigmoid cross-entropy of one logit, a prediction right when the logit's sign matches the 0/1
     * label. {@code classWeights} (two, or null) scale each example's loss as Keras' {@code class_weight} does.
     */
    record Binary(float[] classWeights) implements Loss {
        @Override
        public int numClasses() {
            return 2;
        }

        @Override
        public Operand<TFloat32> perExample(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return sigmoidCrossEntropy(tf, logits, labels);
        }

        @Override
        public Operand<TFloat32> hits(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return matches(tf, above0(tf, logits), labels);
        }

        @Override
        public Operand<TFloat32> objective(Ops tf, Operand<TFloat32> perExample, Operand<TFloat32> labels) {
            return weighted(tf, perExample, labels, classWeights);
        }

        @Override
        public double f1(float[] logits, float[] y, int n) {
            return BinaryMetrics.of(logits, classIds(y, n)).f1();
        }
    }

    /**
     * Softmax cross-entropy of one logit per class, the labels being class ids fed as floats; a prediction right when
     * the largest logit's class is the label.
     */
    record MultiClass(int numClasses, float[] classWeights) implements Loss {
        @Override
        public Operand<TFloat32> perExample(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return sparseSoftmaxCrossEntropy(tf, logits, labels, numClasses);
        }

        @Override
        public Operand<TFloat32> hits(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return matches(tf, tf.dtypes.cast(tf.math.argMax(logits, tf.constant(1)), TFloat32.class), labels);
        }

        @Override
        public Operand<TFloat32> objective(Ops tf, Operand<TFloat32> perExample, Operand<TFloat32> labels) {
            return weighted(tf, perExample, labels, classWeights);
        }

        @Override
        public double f1(float[] logits, float[] y, int n) {
            return MultiClassMetrics.of(logits, classIds(y, n), numClasses).macroF1();
        }
    }

    /**
     * Multi-hot labels ({@code [batch, numClasses]} of 0s and 1s): the sigmoid cross-entropy of each class, averaged
     * over the classes (Keras' {@code binary_crossentropy} on multi-hot targets); a class predicted when its logit is
     * above 0 for accuracy, and when its sigmoid is above {@code threshold} for the validation micro-F1. Class
     * weights do not apply.
     */
    record MultiLabel(int numClasses, double threshold) implements Loss {
        @Override
        public boolean multiLabel() {
            return true;
        }

        @Override
        public Shape labelShape() {
            return Shape.of(-1, numClasses);
        }

        @Override
        public TFloat32 labelTensor(float[] y) {
            return TFloat32.tensorOf(Shape.of(y.length / numClasses, numClasses), DataBuffers.of(y));
        }

        @Override
        public Operand<TFloat32> perExample(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return tf.math.mean(sigmoidCrossEntropy(tf, logits, labels), tf.constant(1));
        }

        @Override
        public Operand<TFloat32> hits(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
            return tf.math.mean(matches(tf, above0(tf, logits), labels), tf.constant(1));
        }

        @Override
        public double f1(float[] logits, float[] y, int n) {
            return MultiLabelMetrics.of(logits, y, numClasses, threshold).microF1();
        }
    }

    /** {@code max(x, 0) - x * z + log(1 + exp(-|x|))}: TensorFlow's numerically stable form. */
    static Operand<TFloat32> sigmoidCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
        return tf.math.add(
                tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, labels)),
                tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    }

    /**
     * {@code -log softmax(logits)[label]} per row, {@code labels} holding class ids as floats. Built from
     * LogSoftmax and a one-hot mask rather than TensorFlow's fused op, whose gradient graph mode may not have.
     */
    static Operand<TFloat32> sparseSoftmaxCrossEntropy(
            Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels, int numClasses) {
        Operand<TFloat32> oneHot = tf.oneHot(
                tf.dtypes.cast(labels, TInt32.class), tf.constant(numClasses), tf.constant(1f), tf.constant(0f));
        return tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(1)));
    }

    private static Operand<TFloat32> above0(Ops tf, Operand<TFloat32> logits) {
        return tf.dtypes.cast(tf.math.greater(logits, tf.constant(0f)), TFloat32.class);
    }

    private static Operand<TFloat32> matches(Ops tf, Operand<TFloat32> predicted, Operand<TFloat32> labels) {
        return tf.dtypes.cast(tf.math.equal(predicted, labels), TFloat32.class);
    }

    /** Keras' {@code class_weight}: each example's loss times its class's weight ({@code weights} null: as is). */
    private static Operand<TFloat32> weighted(
            Ops tf, Operand<TFloat32> perExample, Operand<TFloat32> labels, float[] weights) {
        if (weights == null) return perExample;
        return tf.math.mul(
                perExample, tf.gather(tf.constant(weights), tf.dtypes.cast(labels, TInt32.class), tf.constant(0)));
    }

    private static int[] classIds(float[] y, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = (int) y[i];
        return ids;
    }
}
