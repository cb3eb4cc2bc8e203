package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bertclf.runtime.InvalidOptionException;
import org.junit.jupiter.api.Test;

/**
 * Each {@code --schedule} at steps whose rate is known by hand: the warm-up's ramp, its end, the middle of the decay
 * and the last step; the tutorial's linear schedule as it always was.
 */
class LearningRateScheduleTest {
    @Test
    void theTutorialsScheduleWarmsUpThenDecaysAtTheGlobalStep() {
        LearningRateSchedule s = LearningRateSchedule.tutorial(3e-5, 3125);
        assertEquals(Schedule.linear, s.shape());
        assertEquals(312, s.warmupSteps());
        assertEquals(0, s.at(0), 0);
        assertEquals(3e-5 * 156 / 312, s.at(156), 1e-12);
        assertEquals(3e-5 * (1 - 312 / 3125.0), s.at(312), 1e-12, "PolynomialDecay at the global step, as Keras");
        assertEquals(0, s.at(3125), 0);
        assertEquals(0, s.at(4000), 0);
        assertEquals(s, LearningRateSchedule.of(Schedule.linear, 3e-5, 3125, 0.1), "the default options: the same");
    }

    /** The tutorial's rates, as the code before --schedule computed them: every step, bit for bit. */
    @Test
    void theDefaultIsBitForBitTheTutorialsFormula() {
        long total = 977, warmup = (long) (0.1 * total);
        LearningRateSchedule s = new Hyperparameters(5, 32, 3e-5, 128, 42).schedule(total);
        for (long step = 0; step <= total + 3; step++) {
            double old = step < warmup ? 3e-5 * step / warmup : 3e-5 * (1 - Math.min(step, total) / (double) total);
            assertEquals(old, s.at(step), 0, "step " + step);
        }
    }

    /** 100 steps, 10 of warm-up: 90 of half a cosine, from the peak at step 10 to 0 at step 100. */
    @Test
    void cosineIsHalfACosineFromTheWarmupsEndToTheLastStep() {
        LearningRateSchedule s = LearningRateSchedule.of(Schedule.cosine, 2e-3, 100, 0.1);
        assertEquals(10, s.warmupSteps());
        assertEquals(0, s.at(0), 0);
        assertEquals(1e-3, s.at(5), 1e-15, "the same linear warm-up");
        assertEquals(2e-3, s.at(10), 1e-15, "the peak at the warm-up's end");
        assertEquals(2e-3 * 0.5 * (1 + Math.cos(Math.PI * 30 / 90)), s.at(40), 1e-15);
        assertEquals(0.75 * 2e-3, s.at(10 + 30), 1e-15, "cos(pi/3) = 1/2: three quarters of the peak");
        assertEquals(1e-3, s.at(55), 1e-15, "half the peak halfway through the decay");
        assertEquals(0, s.at(100), 1e-18);
        assertEquals(0, s.at(150), 1e-18, "0 after the last step");
    }

    @Test
    void cosineWithoutWarmupStartsAtThePeak() {
        LearningRateSchedule s = LearningRateSchedule.of(Schedule.cosine, 1.0, 8, 0);
        assertEquals(1.0, s.at(0), 0);
        assertEquals(0.5, s.at(4), 1e-15);
        assertEquals((1 + Math.cos(Math.PI / 8)) / 2, s.at(1), 1e-15);
    }

    @Test
    void constantHoldsThePeakAfterTheWarmup() {
        LearningRateSchedule s = LearningRateSchedule.of(Schedule.constant, 5e-5, 40, 0.25);
        assertEquals(10, s.warmupSteps());
        assertEquals(2.5e-5, s.at(5), 1e-18);
        assertEquals(5e-5, s.at(10), 0);
        assertEquals(5e-5, s.at(39), 0);
        assertEquals(5e-5, s.at(100), 0);
    }

    @Test
    void aWarmupRatioOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {-0.1, 1, 1.5, Double.NaN}) {
            InvalidOptionException e = assertThrows(
                    InvalidOptionException.class, () -> LearningRateSchedule.of(Schedule.linear, 1e-3, 10, bad));
            assertEquals("--warmup-ratio must be 0 or more and below 1, got " + bad, e.getMessage());
        }
        assertEquals(0, LearningRateSchedule.of(Schedule.linear, 1e-3, 10, 0).warmupSteps());
        assertEquals(1e-3, LearningRateSchedule.of(Schedule.linear, 1e-3, 10, 0).at(0), 0, "no warm-up");
    }
}
