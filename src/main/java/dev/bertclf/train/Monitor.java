package dev.bertclf.train;

import java.util.List;

/**
 * The validation figure that {@code --save best} and {@code --patience} watch, as Keras' {@code ModelCheckpoint}
 * ({@code save_best_only}) and {@code EarlyStopping} watch theirs: an epoch improves on the best before it when it
 * is better by more than {@code minDelta}; the first epoch is always the best so far. Everything is a function of the
 * history, which checkpoints keep, so a resumed run knows its best epoch and its patience as the stopped one did.
 */
public enum Monitor {
    val_loss(false),
    val_accuracy(true),
    val_f1(true);

    private final boolean higherIsBetter;

    Monitor(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    public double of(EpochMetrics m) {
        return switch (this) {
            case val_loss -> m.valLoss();
            case val_accuracy -> m.valAccuracy();
            case val_f1 -> m.valF1();
        };
    }

    /** "lowest val_loss", "highest val_f1": why an epoch is the best, in words. */
    public String best() {
        return (higherIsBetter ? "highest " : "lowest ") + name();
    }

    /** The index in {@code history} of the best epoch. */
    public int bestIndex(List<EpochMetrics> history, double minDelta) {
        int best = 0;
        for (int i = 1; i < history.size(); i++) {
            double now = of(history.get(i)), then = of(history.get(best));
            boolean better = higherIsBetter ? now - minDelta > then : now + minDelta < then;
            if (better || Double.isNaN(then) && !Double.isNaN(now)) best = i;
        }
        return best;
    }

    /** How many epochs came after the best one without improving on it. */
    public int epochsSinceBest(List<EpochMetrics> history, double minDelta) {
        return history.size() - 1 - bestIndex(history, minDelta);
    }
}
