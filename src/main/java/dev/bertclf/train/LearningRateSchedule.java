package dev.bertclf.train;

/**
 * The tutorial's schedule ({@code official.nlp.optimization.create_optimizer}): linear warm-up from 0 over the
 * first {@code warmupSteps}, then Keras' PolynomialDecay with power 1 to 0 at {@code totalSteps}, evaluated at the
 * global step (so the rate drops to {@code (1 - warmup/total) * initial} right after warm-up, as there).
 */
public record LearningRateSchedule(double initialRate, long totalSteps, long warmupSteps) {

    /** The tutorial's choice: warm up over the first 10% of all steps. */
    public static LearningRateSchedule tutorial(double initialRate, long totalSteps) {
        return new LearningRateSchedule(initialRate, totalSteps, (long) (0.1 * totalSteps));
    }

    /** The rate for the update made at {@code step} (0-based, as Keras' {@code optimizer.iterations}). */
    public double at(long step) {
        if (step < warmupSteps) return initialRate * step / warmupSteps;
        double progress = Math.min(step, totalSteps) / (double) totalSteps;
        return initialRate * (1 - progress);
    }
}
