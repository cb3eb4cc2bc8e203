package dev.bertclf.train;

/** What one epoch measured; the rows of {@code history.json} and of the training-curves plot. */
public record EpochMetrics(
        int epoch,
        double loss,
        double accuracy,
        double valLoss,
        double valAccuracy,
        double seconds,
        double examplesPerSecond) {}
