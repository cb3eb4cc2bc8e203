package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Micro- and macro-F1, subset accuracy and Hamming loss against scikit-learn's definitions, by hand. */
class MultiLabelMetricsTest {
    @Test
    void countsEveryClassDecision() {
        // three examples, classes a b c; a logit of +-2 is a probability of 0.88 / 0.12
        float[] logits = {2, 2, -2, 2, -2, -2, -2, -2, 2};
        float[] truth = {1, 0, 0, 1, 0, 0, 0, 1, 1};
        MultiLabelMetrics m = MultiLabelMetrics.of(logits, truth, 3, 0.5);
        // a: tp 2; b: fp 1, fn 1; c: tp 1
        assertArrayEquals(new double[] {1, 0, 1}, m.precision(), 1e-12);
        assertArrayEquals(new double[] {1, 0, 1}, m.recall(), 1e-12);
        assertArrayEquals(new long[] {2, 1, 1}, m.support());
        assertEquals(2 * 3.0 / (2 * 3 + 1 + 1), m.microF1(), 1e-12, "2 tp / (2 tp + fp + fn)");
        assertEquals(2 / 3.0, m.macroF1(), 1e-12);
        assertEquals(1 / 3.0, m.subsetAccuracy(), 1e-12, "only the second example is all right");
        assertEquals(2 / 9.0, m.hammingLoss(), 1e-12);
        double right = Math.log1p(Math.exp(-2)), wrong = Math.log1p(Math.exp(2));
        assertEquals((7 * right + 2 * wrong) / 9, m.loss(), 1e-9);
        MultiLabelMetrics strict = MultiLabelMetrics.of(logits, truth, 3, 0.9);
        assertEquals(0, strict.microF1(), "nothing is over 0.9");
    }
}
