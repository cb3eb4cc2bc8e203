package dev.bertclf.train;

/**
 * What the user asked of a {@code train} run, in plain values, saved with every checkpoint so that
 * {@code train --resume} repeats the run exactly (same model, data subset, hyperparameters and precision) without
 * the user having to repeat the options. {@code trainFile} and its format and columns are null for a run on the
 * data folder (and in checkpoints written before they existed).
 */
public record RunSettings(String model, int epochs, int batchSize, double learningRate, int maxSeqLen, long seed,
                          int maxTrainExamples, String precision, String dataDir, String datasetUrl,
                          String modelMirror, int checkpointEvery, String trainFile, String trainFileFormat,
                          String textColumn, String labelColumn) {
    public Hyperparameters hyperparameters() {
        return new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed);
    }
}
