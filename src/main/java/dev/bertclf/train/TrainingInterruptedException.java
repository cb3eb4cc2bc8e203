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

    public int exitCode() {
        return exitCode;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
