package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ThresholdSearch} on fixed scores and labels whose best threshold is known by hand, for each metric; its
 * ties; and its agreement with an exhaustive scan and with the ROC curve's highest point.
 */
class ThresholdSearchTest {
    /** The logit whose sigmoid is {@code p}. */
    private static float logit(double p) {
        return (float) Math.log(p / (1 - p));
    }

    private static float[] logits(double... p) {
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) x[i] = logit(p[i]);
        return x;
    }

    private static double sigmoid(float x) {
        return TextClassifier.sigmoid(x);
    }

    /**
     * Scores 0.9 0.8 0.7 (pos) 0.6 (neg) 0.4 (pos) 0.3 0.2 0.1 (neg). Taking the top three gives F1 6/7, all four
     * positives with the one negative among them 8/9, the best: the cut between 0.3 and 0.4, at their midpoint.
     */
    @Test
    void f1TakesEveryPositiveWhenOneFalseAlarmIsTheirPrice() {
        float[] x = logits(0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1);
        int[] y = {1, 1, 1, 0, 1, 0, 0, 0};
        ThresholdSearch.Result r = ThresholdSearch.find(x, y, ThresholdSearch.Metric.f1);
        double between = (sigmoid(x[5]) + sigmoid(x[4])) / 2;
        assertEquals(between, r.threshold(), 1e-15);
        assertEquals(8.0 / 9, r.value(), 1e-15); // tp 4, fp 1, fn 0: 2*4 / (8 + 1)
        assertEquals(8, r.scores());
        BinaryMetrics at = BinaryMetrics.of(x, y, r.threshold());
        assertEquals(4, at.truePositives());
        assertEquals(1, at.falsePositives());
        assertEquals(r.value(), ThresholdSearch.Metric.f1.value(at), 0);
    }

    /**
     * Scores 0.95 0.9 (pos) 0.85 (neg) 0.8 0.75 0.7 (pos) 0.3 0.2 0.1 (neg): right decisions per cut, from the top,
     * 4, 5, 6, 5, 6, 7, 8, 7, 6, 5; the best, 8 of 9, takes the top six: the threshold is between 0.3 and 0.7.
     */
    @Test
    void accuracyPicksTheCutWithTheMostRightDecisions() {
        float[] x = logits(0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.3, 0.2, 0.1);
        int[] y = {1, 1, 0, 1, 1, 1, 0, 0, 0};
        ThresholdSearch.Result r = ThresholdSearch.find(x, y, ThresholdSearch.Metric.accuracy);
        assertEquals((sigmoid(x[6]) + sigmoid(x[5])) / 2, r.threshold(), 1e-15);
        assertEquals(8.0 / 9, r.value(), 1e-15);
    }

    /**
     * Youden's J weighs the two error rates alike whatever the classes' sizes: 2 positives among 8, scores 0.9
     * (pos) 0.8 0.7 (neg) 0.6 (pos) 0.4 0.3 0.2 0.1 (neg). J is 1/2 with the top one taken, 1 - 2/6 with the top
     * four (both positives, two false alarms): the best. Accuracy, counting examples, prefers the top one alone
     * (7 of 8 against 6 of 8).
     */
    @Test
    void youdenWeighsBothErrorRatesAlike() {
        float[] x = logits(0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1);
        int[] y = {1, 0, 0, 1, 0, 0, 0, 0};
        ThresholdSearch.Result j = ThresholdSearch.find(x, y, ThresholdSearch.Metric.youden);
        assertEquals((sigmoid(x[4]) + sigmoid(x[3])) / 2, j.threshold(), 1e-15);
        assertEquals(1 - 2.0 / 6, j.value(), 1e-15);
        ThresholdSearch.Result a = ThresholdSearch.find(x, y, ThresholdSearch.Metric.accuracy);
        assertEquals((sigmoid(x[1]) + sigmoid(x[0])) / 2, a.threshold(), 1e-15); // 7 of 8 right
        assertEquals(7.0 / 8, a.value(), 1e-15);
    }

    /** Tied scores are one cut: they fall on the same side of any threshold. */
    @Test
    void tiedScoresAreDecidedTogether() {
        float[] x = logits(0.8, 0.6, 0.6, 0.6, 0.2);
        int[] y = {1, 1, 0, 1, 0};
        ThresholdSearch.Result r = ThresholdSearch.find(x, y, ThresholdSearch.Metric.accuracy);
        assertEquals(3, r.scores());
        // the three at 0.6 taken: 4 of 5; left out: 3 of 5
        assertEquals((sigmoid(x[4]) + sigmoid(x[1])) / 2, r.threshold(), 1e-15);
        assertEquals(0.8, r.value(), 1e-15);
    }

    /**
     * Two cuts equally good: the one whose threshold is nearer 0.5 wins, though higher; at equal distances, the
     * lower one. Scores 0.9 (pos) 0.6 (neg) 0.2 (pos) 0.1 (neg): the cuts at 0.75 and at 0.15 both decide 3 of 4
     * right; 0.75 is nearer 0.5.
     */
    @Test
    void tiesGoToTheThresholdNearestOneHalfThenTheLower() {
        float[] x = logits(0.9, 0.6, 0.2, 0.1);
        int[] y = {1, 0, 1, 0};
        ThresholdSearch.Result r = ThresholdSearch.find(x, y, ThresholdSearch.Metric.accuracy);
        assertEquals((sigmoid(x[1]) + sigmoid(x[0])) / 2, r.threshold(), 1e-15);
        assertEquals(0.75, r.value(), 1e-15);
        ThresholdSearch.Result at75 = new ThresholdSearch.Result(ThresholdSearch.Metric.accuracy, 0.75, 0.75, 4);
        assertTrue(ThresholdSearch.better(0.75, 0.25, at75), "as near, lower");
        assertTrue(!ThresholdSearch.better(0.75, 0.75, new ThresholdSearch.Result(null, 0.25, 0.75, 4)));
        assertTrue(!ThresholdSearch.better(0.75, 0.2, at75), "farther");
        assertTrue(ThresholdSearch.better(0.8, 0.01, at75), "a better value wins wherever it lies");
    }

    /** On random scores, the search's value is the best of an exhaustive scan, and Youden's J the ROC's highest. */
    @Test
    void theSearchFindsTheBestOfEveryThreshold() {
        Random random = new Random(5);
        for (int round = 0; round < 20; round++) {
            int n = 5 + random.nextInt(60);
            float[] x = new float[n];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = i < 2 ? i : random.nextInt(2); // both classes
                x[i] = (float) Math.round((random.nextGaussian() + y[i]) * 4) / 4; // ties on purpose
            }
            for (ThresholdSearch.Metric metric : ThresholdSearch.Metric.values()) {
                ThresholdSearch.Result r = ThresholdSearch.find(x, y, metric);
                assertTrue(r.threshold() > 0 && r.threshold() < 1, r.toString());
                assertEquals(r.value(), metric.value(BinaryMetrics.of(x, y, r.threshold())), 0, metric + " at it");
                double best = Double.NEGATIVE_INFINITY;
                for (float cut : x) {
                    for (double t : new double[] {Math.nextDown(sigmoid(cut)), sigmoid(cut)}) {
                        if (t > 0 && t < 1) best = Math.max(best, metric.value(BinaryMetrics.of(x, y, t)));
                    }
                }
                assertEquals(best, r.value(), 1e-12, metric + " in round " + round);
            }
            RocCurve roc = RocCurve.of(x, y);
            double highest = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < roc.truePositiveRates().length; k++) {
                highest = Math.max(highest, roc.truePositiveRates()[k] - roc.falsePositiveRates()[k]);
            }
            assertEquals(
                    highest,
                    ThresholdSearch.find(x, y, ThresholdSearch.Metric.youden).value(),
                    1e-12);
        }
    }

    @Test
    void examplesOfOneClassAreRefused() {
        DataException e = assertThrows(
                DataException.class,
                () -> ThresholdSearch.find(logits(0.2, 0.7), new int[] {1, 1}, ThresholdSearch.Metric.f1));
        assertTrue(e.getMessage().contains("needs examples of both classes"), e.getMessage());
    }

    /** A threshold is strictly between 0 and 1 and keeps the two scores it separates on their sides. */
    @Test
    void aThresholdBetweenTwoScores() {
        assertEquals(0.5, ThresholdSearch.thresholdBetween(0.4, 0.6), 1e-15);
        assertEquals(0.3, ThresholdSearch.thresholdBetween(0, 0.6), 1e-15);
        double a = 0.5, b = Math.nextUp(0.5); // no double between: the lower one, which p > t leaves below
        assertEquals(a, ThresholdSearch.thresholdBetween(a, b));
        assertTrue(Double.isNaN(ThresholdSearch.thresholdBetween(0, Double.MIN_VALUE)));
        assertTrue(Double.isNaN(ThresholdSearch.thresholdBetween(1, 1)));
    }
}
