package dev.bertclf.train;

import dev.bertclf.runtime.InvalidOptionException;

/**
 * The learning rate at each optimizer step: a linear warm-up from 0 over the first {@code warmupSteps}
 * ({@code rate * step / warmupSteps}), then, with {@code p} the peak rate and {@code T} {@code totalSteps}:
 *
 * <ul>
 *   <li>{@link Schedule#linear}, the tutorial's ({@code official.nlp.optimization.create_optimizer}): Keras'
 *       PolynomialDecay with power 1 evaluated at the global step, {@code p * (1 - min(step, T) / T)}, so the rate
 *       drops to {@code (1 - warmup/T) * p} right after warm-up, as there;
 *   <li>{@link Schedule#cosine}: {@code p * 0.5 * (1 + cos(pi * min(step - W, T - W) / (T - W)))} with {@code W}
 *       the warm-up steps, half a cosine from the peak at the warm-up's end to 0 at {@code T}: Hugging Face's
 *       {@code get_cosine_schedule_with_warmup} (num_cycles 0.5), and Keras' {@code CosineDecay(0, T - W,
 *       warmup_target=p, warmup_steps=W)}, which give the same numbers;
 *   <li>{@link Schedule#constant}: {@code p}, Hugging Face's {@code get_constant_schedule_with_warmup}.
 * </ul>
 *
 * Step numbers are 0-based, as Keras' {@code optimizer.iterations}: the warm-up's first step trains at rate 0, as
 * the tutorial's does.
 */
public record LearningRateSchedule(Schedule shape, double initialRate, long totalSteps, long warmupSteps) {
    /** The tutorial's share of the steps spent warming up. */
    public static final double WARMUP_RATIO = 0.1;

    /** The tutorial's schedule: linear, warming up over the first 10% of all steps. */
    public static LearningRateSchedule tutorial(double initialRate, long totalSteps) {
        return of(Schedule.linear, initialRate, totalSteps, WARMUP_RATIO);
    }

    /** {@code shape}, warming up over the first {@code floor(warmupRatio * totalSteps)} steps. */
    public static LearningRateSchedule of(Schedule shape, double initialRate, long totalSteps, double warmupRatio) {
        checkWarmupRatio(warmupRatio);
        return new LearningRateSchedule(shape, initialRate, totalSteps, (long) (warmupRatio * totalSteps));
    }

    /** {@code --warmup-ratio}'s range: 0 (no warm-up) up to, not including, 1 (a run that only warms up). */
    public static void checkWarmupRatio(double warmupRatio) {
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new InvalidOptionException("--warmup-ratio must be 0 or more and below 1, got " + warmupRatio);
        }
    }

    /** The rate for the update made at {@code step} (0-based, as Keras' {@code optimizer.iterations}). */
    public double at(long step) {
        if (step < warmupSteps) return initialRate * step / warmupSteps;
        return switch (shape) {
            case linear -> initialRate * (1 - Math.min(step, totalSteps) / (double) totalSteps);
            case cosine -> {
                double decaySteps = totalSteps - warmupSteps;
                double progress = Math.min(step - warmupSteps, decaySteps) / decaySteps;
                yield initialRate * 0.5 * (1 + Math.cos(Math.PI * progress));
            }
            case constant -> initialRate;
        };
    }
}
