package dev.bertclf.train;

import java.nio.file.Path;

/**
 * A run stopped on request (a signal) after saving a checkpoint; carries what a user needs to continue it and the
 * exit code that reports the signal.
 */
public class TrainingInterruptedException extends RuntimeException {
    private final int exitCode;
    private final Path checkpoint;

    public TrainingInterruptedException(StopSignal.Received signal, long step, long totalSteps, Path checkpoint) {
        super("stopped by " + signal.name() + " at step " + step + " of " + totalSteps + "; checkpoint saved in "
                + checkpoint);
        this.exitCode = signal.exitCode();
        this.checkpoint = checkpoint;
    }

    /** A worker of a data-parallel run, stopped because the chief was: the chief holds the checkpoint. */
    public TrainingInterruptedException(long step, long totalSteps) {
        super("the chief was stopped at step " + step + " of " + totalSteps + " and saved a checkpoint; this worker "
                + "stops too: resume the run with --resume on every worker");
        this.exitCode = 130;
        this.checkpoint = null;
    }

    public int exitCode() {
        return exitCode;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
