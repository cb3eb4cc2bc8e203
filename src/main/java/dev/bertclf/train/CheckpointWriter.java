package dev.bertclf.train;

import dev.bertclf.model.Weights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's checkpoints: the whole state (weights, AdamW slots, where the run stands) every N steps and at each
 * epoch's end, and when the run is asked to stop. It also knows which checkpoint is the last good one, which is what
 * the messages of a stopped or diverged run name. Without a store it writes nothing, as a worker other than the chief
 * and a run without {@code --checkpoint-every} write nothing.
 */
final class CheckpointWriter implements TrainingListener {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final TrainingGraph graph;
    private final Trainer.Checkpointing checkpointing;
    private final TrainingCheckpoints.DataIdentity data;
    private final int trainExamples, validationExamples;
    private final long totalSteps;
    private TrainingCheckpoints.Saved lastSaved;

    CheckpointWriter(
            TrainingGraph graph,
            Trainer.Checkpointing checkpointing,
            TrainingCheckpoints.DataIdentity data,
            int trainExamples,
            int validationExamples,
            long totalSteps) {
        this.graph = graph;
        this.checkpointing = checkpointing;
        this.data = data;
        this.trainExamples = trainExamples;
        this.validationExamples = validationExamples;
        this.totalSteps = totalSteps;
        this.lastSaved = checkpointing.resumeFrom();
    }

    /** Every {@code --checkpoint-every} steps; an epoch's last step is followed by the epoch-end checkpoint. */
    @Override
    public void stepDone(StepDone done) {
        long step = done.progress().step();
        int every = checkpointing.everySteps();
        if (every > 0
                && step % every == 0
                && !done.lastOfEpoch()
                && !done.result().stop()) save(done.progress());
    }

    @Override
    public void nextEpoch(TrainingProgress next) {
        save(next);
    }

    @Override
    public void stopping(TrainingProgress at) {
        save(at);
    }

    private void save(TrainingProgress p) {
        if (checkpointing.store() == null) return;
        TrainingCheckpoints.State state = new TrainingCheckpoints.State(
                1,
                checkpointing.settings(),
                p,
                trainExamples,
                validationExamples,
                totalSteps,
                graph.numClasses(),
                TrainingGraph.REVISION,
                data,
                graph.kernels().fused());
        try (Weights weights = graph.readWeights();
                Weights slots = graph.readSlots()) {
            lastSaved = checkpointing.store().save(state, weights.asMap(), slots.asMap());
        }
        log.debug("Saved checkpoint {}", lastSaved.folder());
    }

    /** The run stopped after step {@code step}; the message names the checkpoint to resume from, where there is one. */
    TrainingInterruptedException interrupted(long step) {
        if (lastSaved == null || checkpointing.store() == null)
            return new TrainingInterruptedException(step, totalSteps);
        return new TrainingInterruptedException(checkpointing.stop().received(), step, totalSteps, lastSaved.folder());
    }

    /**
     * The loss at step {@code step} came from the weights the previous step left, so a checkpoint of those is
     * no good: it is removed, and the one before it is named as the last good one.
     */
    TrainingDivergedException diverged(float loss, long step, int epoch, int epochsDone) {
        String kept = "";
        if (lastSaved != null
                && lastSaved.state().progress().step() == step - 1
                && lastSaved != checkpointing.resumeFrom()) {
            checkpointing.store().discard(lastSaved);
            lastSaved = checkpointing.store().latest().orElse(null);
        }
        if (lastSaved != null) {
            kept = " The last good checkpoint (step "
                    + lastSaved.state().progress().step() + ") is kept in " + lastSaved.folder() + ".";
        }
        return new TrainingDivergedException("the loss became " + loss + " at step " + step + " (epoch " + epoch
                + "); try a lower --learning-rate."
                + (epochsDone > 0 ? " The model saved after epoch " + epochsDone + " is kept." : "") + kept);
    }
}
