package dev.bertclf.train;

import java.util.List;

/**
 * A side concern of the training loop (the console's progress, the step log and TensorBoard, checkpoints, saving
 * the model and stopping early), told where the run stands, in the manner of DJL's {@code TrainingListener}: the
 * loop itself only steps, validates and keeps the history, and a new concern is one more listener rather than
 * another branch in it. Listeners are told in the order the trainer lists them; every method has a default that
 * does nothing.
 */
public interface TrainingListener {
    /** Before anything runs; {@code totalSteps}: the whole run's optimizer steps. */
    default void trainingStarted(long totalSteps) {}

    /** Before an epoch's first step, or where a resumed run continues it ({@code at}: the epoch's sums so far). */
    default void epochStarted(TrainingProgress at) {}

    /** After each optimizer step. */
    default void stepDone(StepDone done) {}

    /** After the epoch's last step: validation is next. */
    default void epochTrained(TrainingProgress at) {}

    /**
     * After the epoch's validation, with the epoch's metrics the last of {@code history}; answers whether to go on
     * (false: the run ends here, finished, as early stopping ends it). Every listener is asked.
     */
    default boolean epochDone(List<EpochMetrics> history, TrainingGraph graph) throws Exception {
        return true;
    }

    /** The run goes on to the next epoch, which starts at {@code next}. */
    default void nextEpoch(TrainingProgress next) {}

    /** The run was asked to stop and will end at {@code at}, a step boundary, once the listeners are told. */
    default void stopping(TrainingProgress at) {}

    /** The loop is over, however it ended. */
    default void trainingEnded() {}

    /**
     * Step {@code progress.step()} is done: it trained {@code examples} examples at {@code learningRate};
     * {@code lastOfEpoch}: validation follows.
     */
    record StepDone(
            TrainingProgress progress,
            int examples,
            TrainingGraph.StepResult result,
            double learningRate,
            boolean lastOfEpoch) {}
}
