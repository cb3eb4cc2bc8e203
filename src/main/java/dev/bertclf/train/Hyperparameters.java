package dev.bertclf.train;

/** The knobs of one fine-tuning run; defaults are the tutorial's. */
public record Hyperparameters(int epochs, int batchSize, double learningRate, int maxSeqLen, long seed) {
    public static final int EPOCHS = 5, BATCH_SIZE = 32, MAX_SEQ_LEN = 128;
    public static final double LEARNING_RATE = 3e-5;
    public static final long SEED = 42;

    public Hyperparameters {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--learning-rate must be a positive number, got " + learningRate);
        }
        if (maxSeqLen < 2) throw new IllegalArgumentException("--max-seq-len must be at least 2, got " + maxSeqLen);
    }
}
