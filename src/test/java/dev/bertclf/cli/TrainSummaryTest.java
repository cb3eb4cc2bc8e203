package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.train.EpochMetrics;
import dev.bertclf.train.Monitor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainSummaryTest {
    private static final Path DIR = Path.of("/runs/imdb_bert");

    @Test
    void bestAndLastEpochTimeRateAndWhereEverythingIs() {
        List<EpochMetrics> history = List.of(
                new EpochMetrics(1, 0.6, 0.7, 0.5, 0.80, 60, 10),
                new EpochMetrics(2, 0.4, 0.8, 0.4, 0.86, 60, 12),
                new EpochMetrics(3, 0.3, 0.9, 0.45, 0.85, 75, 14));
        String s = TrainSummary.format(
                "small_bert/L-2_H-128_A-2",
                history,
                Monitor.val_loss,
                0,
                history.get(2),
                DIR,
                DIR.resolve("train.log"),
                2);
        assertEquals(
                """

                Trained small_bert/L-2_H-128_A-2: 3 epochs in 3m15s, 12.0 examples/s
                  best epoch  2: val_binary_accuracy 0.8600, val_loss 0.4000 (lowest val_loss)
                  last epoch  3: val_binary_accuracy 0.8500, val_loss 0.4500 (the saved model)
                  model       /runs/imdb_bert
                  curves      /runs/imdb_bert/training_curves.png
                  log         /runs/imdb_bert/train.log
                  tensorboard /runs/imdb_bert/logs
                Next: bert-clf evaluate, or bert-clf predict "this is such an amazing movie!"
                """,
                s);
    }

    @Test
    void equalAccuracyIsDecidedByTheLowerLoss() {
        List<EpochMetrics> history = List.of(
                new EpochMetrics(1, 0.6, 0.7, 0.3, 1.0, 5, 10),
                new EpochMetrics(2, 0.6, 0.7, 0.1, 1.0, 5, 10),
                new EpochMetrics(3, 0.6, 0.7, 0.2, 1.0, 5, 10));
        String s = TrainSummary.format(
                "m", history, Monitor.val_loss, 0, history.get(1), DIR, DIR.resolve("train.log"), 2);
        assertTrue(s.contains("best epoch  2: "), s);
        assertTrue(
                s.contains("(lowest val_loss: the saved model)")
                        && !s.contains(
                                "last epoch  3: val_binary_accuracy 1.0000, " + "val_loss 0.2000 (the saved model)"),
                s);
    }

    @Test
    void lastEpochIsNotRepeatedWhenItIsTheBest() {
        List<EpochMetrics> one = List.of(new EpochMetrics(1, 0.6, 0.7, 0.5, 0.8, 5, 10));
        String s = TrainSummary.format("m", one, Monitor.val_loss, 0, one.get(0), DIR, DIR.resolve("train.log"), 2);
        assertFalse(s.contains("last epoch") || s.contains("epochs"), s);
    }

    /** A run on a table file has no test/ folder to evaluate on: the hint names --test-file (once it did not). */
    @Test
    void aRunOnATableFileIsToldToEvaluateOnATestFile() {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 0.6, 0.7, 0.5, 0.80, 60, 10));
        String s = TrainSummary.format(
                "m", history, Monitor.val_loss, 0, history.get(0), DIR, DIR.resolve("train.log"), 2, false, true);
        assertTrue(
                s.contains("Trained m: 1 epoch in")
                        && s.contains("Next: bert-clf evaluate --test-file FILE, or bert-clf predict"),
                s);
        String folder = TrainSummary.format(
                "m", history, Monitor.val_loss, 0, history.get(0), DIR, DIR.resolve("train.log"), 2, false, false);
        assertTrue(folder.contains("Next: bert-clf evaluate, or bert-clf predict"), folder);
    }
}
