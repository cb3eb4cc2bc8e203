package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The best epoch and the patience count as Keras' callbacks decide them, from the history alone. */
class MonitorTest {
    static EpochMetrics epoch(int n, double valLoss, double valAccuracy, double valF1) {
        return new EpochMetrics(n, 1, 0.5, valLoss, valAccuracy, valF1, 1, 1);
    }

    static final List<EpochMetrics> HISTORY = List.of(
            epoch(1, 0.50, 0.70, 0.60),
            epoch(2, 0.40, 0.80, 0.75),
            epoch(3, 0.39, 0.80, 0.70),
            epoch(4, 0.45, 0.79, 0.74));

    @Test
    void lowerLossAndHigherAccuracyOrF1AreBetter() {
        assertEquals(2, Monitor.val_loss.bestIndex(HISTORY, 0));
        assertEquals(1, Monitor.val_accuracy.bestIndex(HISTORY, 0), "an equal accuracy is no improvement");
        assertEquals(1, Monitor.val_f1.bestIndex(HISTORY, 0));
        assertEquals(1, Monitor.val_loss.epochsSinceBest(HISTORY, 0));
        assertEquals(2, Monitor.val_accuracy.epochsSinceBest(HISTORY, 0));
    }

    @Test
    void minDeltaIsTheImprovementThatCounts() {
        assertEquals(1, Monitor.val_loss.bestIndex(HISTORY, 0.05), "0.39 is not 0.05 below 0.40");
        assertEquals(0, Monitor.val_accuracy.bestIndex(HISTORY, 0.2));
        assertEquals(3, Monitor.val_accuracy.epochsSinceBest(HISTORY, 0.2));
    }

    /** A resumed run sees the stopped run's history, so its best epoch is the one the stopped run had. */
    @Test
    void theBestOfAPrefixIsTheBestSoFar() {
        assertEquals(1, Monitor.val_loss.bestIndex(HISTORY.subList(0, 2), 0));
        assertEquals(2, Monitor.val_loss.bestIndex(HISTORY.subList(0, 3), 0));
    }

    @Test
    void aNanEpochIsNeverTheBestAfterAFiniteOne() {
        List<EpochMetrics> h =
                List.of(epoch(1, Double.NaN, 0.5, 0.5), epoch(2, 0.3, 0.6, 0.6), epoch(3, Double.NaN, 0.7, 0.7));
        assertEquals(1, Monitor.val_loss.bestIndex(h, 0));
    }
}
