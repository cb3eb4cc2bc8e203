package dev.bertclf.train;

import dev.bertclf.data.NumpyRandomState;
import dev.bertclf.runtime.InvalidOptionException;
import java.util.Objects;

/**
 * The knobs of one fine-tuning run; defaults are the tutorial's. {@code batchSize} examples go through the model
 * at once; {@code accumulate} such micro-batches make one optimizer step (an effective batch of their product). The
 * learning rate follows {@code schedule} after warming up over {@code warmupRatio} of the steps
 * ({@link LearningRateSchedule}); AdamW decays the weights by {@code weightDecay} ({@link AdamW}).
 */
public record Hyperparameters(
        int epochs,
        int batchSize,
        double learningRate,
        int maxSeqLen,
        long seed,
        int accumulate,
        double warmupRatio,
        double weightDecay,
        Schedule schedule) {
    public static final int EPOCHS = 5, BATCH_SIZE = 32, MAX_SEQ_LEN = 128;
    public static final double LEARNING_RATE = 3e-5;
    public static final long SEED = 42;

    /** Without gradient accumulation: a step is one batch. */
    public Hyperparameters(int epochs, int batchSize, double learningRate, int maxSeqLen, long seed) {
        this(epochs, batchSize, learningRate, maxSeqLen, seed, 1);
    }

    /** With the tutorial's schedule and weight decay. */
    public Hyperparameters(int epochs, int batchSize, double learningRate, int maxSeqLen, long seed, int accumulate) {
        this(
                epochs,
                batchSize,
                learningRate,
                maxSeqLen,
                seed,
                accumulate,
                LearningRateSchedule.WARMUP_RATIO,
                AdamW.WEIGHT_DECAY,
                Schedule.linear);
    }

    public Hyperparameters {
        if (epochs < 1) throw new InvalidOptionException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new InvalidOptionException("--batch-size must be at least 1, got " + batchSize);
        if (accumulate < 1) throw new InvalidOptionException("--accumulate must be at least 1, got " + accumulate);
        if ((long) batchSize * accumulate > Integer.MAX_VALUE) {
            throw new InvalidOptionException(
                    "--batch-size times --accumulate must be below 2^31, got " + batchSize + " x " + accumulate);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidOptionException("--learning-rate must be a positive number, got " + learningRate);
        }
        if (maxSeqLen < 2) throw new InvalidOptionException("--max-seq-len must be at least 2, got " + maxSeqLen);
        if (seed < 0 || seed > NumpyRandomState.MAX_SEED) { // the Keras split is NumPy's, which takes no other
            throw new InvalidOptionException("--seed must be 0 to " + NumpyRandomState.MAX_SEED + ", got " + seed);
        }
        LearningRateSchedule.checkWarmupRatio(warmupRatio);
        AdamW.checkWeightDecay(weightDecay);
        Objects.requireNonNull(schedule, "schedule");
    }

    /** The learning rate of each of the run's {@code totalSteps} steps. */
    public LearningRateSchedule schedule(long totalSteps) {
        return LearningRateSchedule.of(schedule, learningRate, totalSteps, warmupRatio);
    }

    /** Examples per optimizer step. */
    public int effectiveBatchSize() {
        return batchSize * accumulate;
    }
}
