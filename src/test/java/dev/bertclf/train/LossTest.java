package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** The kind of loss a run's labels choose, and what each kind tells the graph, the logs and the metrics. */
class LossTest {
    @Test
    void theLabelsChooseTheKind() {
        assertInstanceOf(Loss.Binary.class, Loss.of(2, null, null));
        assertInstanceOf(Loss.MultiClass.class, Loss.of(3, new float[] {1, 2, 3}, null));
        assertInstanceOf(Loss.MultiLabel.class, Loss.of(2, null, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Loss.of(3, new float[] {1, 2, 3}, 0.5));
    }

    /** Keras' names: the logs, {@code history.json} and TensorBoard's tags all take them from here. */
    @Test
    void accuracyIsNamedAsKerasNamesIt() {
        assertEquals("binary_accuracy", Loss.of(2, null, null).accuracyName());
        assertEquals("accuracy", Loss.of(4, null, null).accuracyName());
        assertEquals("binary_accuracy", Loss.of(4, null, 0.5).accuracyName(), "a decision per class, as Keras counts");
    }

    @Test
    void multiLabelRowsAreFedAsAMatrix() {
        Loss loss = Loss.of(3, null, 0.5);
        assertArrayEquals(new long[] {-1, 3}, loss.labelShape().asArray());
        assertEquals(3, loss.logitsPerExample());
        try (TFloat32 y = loss.labelTensor(new float[] {1, 0, 1, 0, 0, 1})) {
            assertEquals(Shape.of(2, 3), y.shape());
        }
        assertEquals(1, Loss.of(2, null, null).logitsPerExample(), "the tutorial's single logit");
    }

    /** Two of three true positives found, one false positive: F1 = 2 * (2/3 * 2/3) / (4/3). */
    @Test
    void f1IsThePositiveClasssForTwoClasses() {
        float[] logits = {3, 2, -1, 1, -2}, y = {1, 1, 1, 0, 0};
        assertEquals(2.0 / 3, Loss.of(2, null, null).f1(logits, y, 5), 1e-9);
    }
}
