package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RocCurveTest {
    /**
     * By hand: positives score 0.9, 0.8, 0.6, 0.4 and negatives 0.8, 0.4, 0.2. Of the 12 (positive, negative)
     * pairs the positive wins 3 + 2 + 2 + 1 = 8 and ties 2 (0.8 with 0.8, 0.4 with 0.4): AUC (8 + 2/2) / 12 = 0.75.
     */
    private static final float[] SCORES = {0.9f, 0.8f, 0.8f, 0.6f, 0.4f, 0.4f, 0.2f};

    private static final int[] LABELS = {1, 1, 0, 1, 0, 1, 0};

    @Test
    void handComputedExampleWithTies() {
        RocCurve roc = RocCurve.of(SCORES, LABELS);
        assertEquals(0.75, roc.auc(), 1e-12);
        // one point per distinct score: a tie moves diagonally
        assertArrayEquals(new double[] {0, 0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 1}, roc.falsePositiveRates(), 1e-12);
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1, 1}, roc.truePositiveRates(), 1e-12);
    }

    @Test
    void orderOfTheInputDoesNotMatter() {
        float[] s = {0.2f, 0.4f, 0.8f, 0.6f, 0.9f, 0.4f, 0.8f};
        int[] y = {0, 1, 0, 1, 1, 0, 1};
        assertEquals(0.75, RocCurve.of(s, y).auc(), 1e-12);
    }

    @Test
    void extremes() {
        assertEquals(
                1.0,
                RocCurve.of(new float[] {3, 2, -1, -2}, new int[] {1, 1, 0, 0}).auc());
        assertEquals(
                0.0,
                RocCurve.of(new float[] {3, 2, -1, -2}, new int[] {0, 0, 1, 1}).auc());
        assertEquals(
                0.5,
                RocCurve.of(new float[] {1, 1, 1, 1}, new int[] {0, 1, 1, 0}).auc(),
                "all tied: the diagonal");
        assertTrue(
                Double.isNaN(RocCurve.of(new float[] {1, 2}, new int[] {1, 1}).auc()), "one class: undefined");
    }

    @Test
    void metricsReportTheAucWithTheConfusionMatrix() {
        float[] logits = new float[SCORES.length];
        for (int i = 0; i < logits.length; i++) logits[i] = SCORES[i] - 0.5f;
        BinaryMetrics m = BinaryMetrics.of(logits, LABELS);
        assertEquals(0.75, m.rocAuc(), 1e-12);
        assertEquals(3, m.truePositives());
        assertEquals(1, m.falsePositives());
        assertEquals(2, m.trueNegatives());
        assertEquals(1, m.falseNegatives());
        assertEquals(5 / 7.0, m.accuracy(), 1e-12);
        assertEquals(0.75, m.f1(), 1e-12);
        assertEquals(0.75, (double) m.toMap().get("roc_auc"), 1e-12);
        assertEquals(
                Math.log(2), BinaryMetrics.of(new float[] {0}, new int[] {1}).loss(), 1e-12);
    }
}
