package dev.bertclf.train;

/**
 * What one epoch measured; the rows of {@code history.json} and of the training-curves plot. {@code valF1} is the
 * positive class's F1 for a binary model, the macro-F1 for more classes.
 */
public record EpochMetrics(
        int epoch,
        double loss,
        double accuracy,
        double valLoss,
        double valAccuracy,
        double valF1,
        double seconds,
        double examplesPerSecond) {
    /** Without the validation F1 (NaN), as checkpoints of earlier builds recorded epochs. */
    public EpochMetrics(
            int epoch,
            double loss,
            double accuracy,
            double valLoss,
            double valAccuracy,
            double seconds,
            double examplesPerSecond) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, Double.NaN, seconds, examplesPerSecond);
    }
}
