package dev.bertclf.train;

/** The loss stopped being a finite number; training cannot recover from that, and says how to try again. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
