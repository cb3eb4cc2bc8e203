package dev.bertclf.train;

import dev.bertclf.runtime.UserError;

/** The loss stopped being a finite number; training cannot recover from that, and says how to try again. */
public class TrainingDivergedException extends UserError {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
