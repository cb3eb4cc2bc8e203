package dev.bertclf.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unique;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The gradient of the loss for one variable, in the form that is cheapest to clip. The word-embedding table has
 * 30,522 rows but a batch touches a few thousand: its gradient is kept as the touched rows (duplicates summed) for
 * the global norm and the clipping scale, and made dense only for the AdamW update, which must touch every row to
 * stay exact (Adam's moments decay everywhere). The result is the same as clipping the dense gradient.
 */
public interface Gradient {
    /** Sum of squares of every element. */
    Operand<TFloat32> squaredNorm(Ops tf);

    /** The dense gradient times {@code scale}. */
    Operand<TFloat32> scaledDense(Ops tf, Operand<TFloat32> scale);

    /** Adds this gradient to {@code sum}, a variable of the dense gradient's shape ({@link GradientAccumulator}). */
    Op addTo(Ops tf, Variable<TFloat32> sum);

    /** Sum of squares of every element of {@code x}. */
    private static Operand<TFloat32> sumOfSquares(Ops tf, Operand<TFloat32> x) {
        // One reduction pass (EuclideanNorm) rather than Square then Sum, which writes a squared copy of every
        // gradient first: a measurable share of a training step.
        return tf.math.square(tf.linalg.euclideanNorm(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0)));
    }

    /** A gradient as TensorFlow's symbolic differentiation gave it. */
    record Dense(Operand<TFloat32> value) implements Gradient {
        @Override
        public Operand<TFloat32> squaredNorm(Ops tf) {
            return sumOfSquares(tf, value);
        }

        @Override
        public Operand<TFloat32> scaledDense(Ops tf, Operand<TFloat32> scale) {
            return tf.math.mul(value, scale);
        }

        @Override
        public Op addTo(Ops tf, Variable<TFloat32> sum) {
            return tf.assignAdd(sum, value);
        }
    }

    /** Rows {@code values[i]} to be added at row {@code indices[i]} of a {@code rows}-row table, indices unique. */
    record Rows(Operand<TFloat32> values, Operand<TInt32> indices, int rows) implements Gradient {
        /** The gradient of a lookup: one row per looked-up id, ids repeating; repeated ids are summed here. */
        public static Rows ofLookup(Ops tf, Operand<TFloat32> rowGradients, Operand<TInt32> ids, int rows, int width) {
            Operand<TInt32> flatIds = tf.reshape(ids, tf.constant(new int[] {-1}));
            Unique<TInt32, TInt32> unique = tf.unique(flatIds, tf.constant(new int[] {0}));
            Operand<TFloat32> flat = tf.reshape(rowGradients, tf.constant(new int[] {-1, width}));
            Operand<TFloat32> summed = tf.math.unsortedSegmentSum(flat, unique.idx(), tf.size(unique.y()));
            return new Rows(summed, unique.y(), rows);
        }

        @Override
        public Operand<TFloat32> squaredNorm(Ops tf) {
            return sumOfSquares(tf, values);
        }

        @Override
        public Operand<TFloat32> scaledDense(Ops tf, Operand<TFloat32> scale) {
            return tf.math.unsortedSegmentSum(tf.math.mul(values, scale), indices, tf.constant(rows));
        }

        /** Only the touched rows: a scatter-add, not a pass over the whole table. */
        @Override
        public Op addTo(Ops tf, Variable<TFloat32> sum) {
            return tf.scatterAdd(sum, indices, values);
        }
    }
}
