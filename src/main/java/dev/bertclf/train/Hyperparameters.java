package dev.bertclf.train;

import dev.bertclf.data.NumpyRandomState;
import dev.bertclf.runtime.InvalidOptionException;

/** The knobs of one fine-tuning run; defaults are the tutorial's. */
public record Hyperparameters(int epochs, int batchSize, double learningRate, int maxSeqLen, long seed) {
    public static final int EPOCHS = 5, BATCH_SIZE = 32, MAX_SEQ_LEN = 128;
    public static final double LEARNING_RATE = 3e-5;
    public static final long SEED = 42;

    public Hyperparameters {
        if (epochs < 1) throw new InvalidOptionException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new InvalidOptionException("--batch-size must be at least 1, got " + batchSize);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidOptionException("--learning-rate must be a positive number, got " + learningRate);
        }
        if (maxSeqLen < 2) throw new InvalidOptionException("--max-seq-len must be at least 2, got " + maxSeqLen);
        if (seed < 0 || seed > NumpyRandomState.MAX_SEED) { // the Keras split is NumPy's, which takes no other
            throw new InvalidOptionException("--seed must be 0 to " + NumpyRandomState.MAX_SEED + ", got " + seed);
        }
    }
}
