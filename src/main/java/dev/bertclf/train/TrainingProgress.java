package dev.bertclf.train;

import java.util.List;

/**
 * Where a run stands, exactly enough to continue it: the global step, the epoch under way and how many of its
 * batches are done, that epoch's running sums (so its reported loss and accuracy count every batch once), and the
 * finished epochs' metrics. The data order and dropout masks need no state of their own: they are functions of the
 * seed and of the epoch and step (see {@link Trainer#epochOrder} and {@link TrainingGraph#train}).
 *
 * @param epoch 1-based epoch under way; {@code epochs + 1} once every epoch is done
 * @param step optimizer steps done: with {@code --accumulate} N, each is N micro-batches (an effective batch)
 * @param batchesDone steps (effective batches) of {@code epoch} already trained; all of them means validation is
 *     next
 */
public record TrainingProgress(
        long step,
        int epoch,
        int batchesDone,
        double lossSum,
        double correct,
        int seen,
        double seconds,
        List<EpochMetrics> history) {
    public TrainingProgress {
        history = List.copyOf(history);
    }

    public static TrainingProgress start() {
        return new TrainingProgress(0, 1, 0, 0, 0, 0, 0, List.of());
    }
}
