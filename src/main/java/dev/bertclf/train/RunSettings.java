package dev.bertclf.train;

/**
 * What the user asked of a {@code train} run, in plain values, saved with every checkpoint so that
 * {@code train --resume} repeats the run exactly (same model, data subset, hyperparameters and precision) without
 * the user having to repeat the options.
 */
public record RunSettings(String model, int epochs, int batchSize, double learningRate, int maxSeqLen, long seed,
                          int maxTrainExamples, String precision, String dataDir, String datasetUrl,
                          String modelMirror, int checkpointEvery) {
    public Hyperparameters hyperparameters() {
        return new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed);
    }
}
