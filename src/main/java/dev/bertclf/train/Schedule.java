package dev.bertclf.train;

/**
 * {@code --schedule}: the shape of the learning rate after the warm-up ({@link LearningRateSchedule} gives the exact
 * formulas). {@link #linear} is the tutorial's, the default, so that a run that names none trains as it always did.
 */
public enum Schedule {
    /** The tutorial's: Keras' PolynomialDecay, power 1, from the peak at step 0 to 0 at the last step. */
    linear,
    /** Half a cosine from the peak at the warm-up's end to 0 at the last step, as Hugging Face's and Keras'. */
    cosine,
    /** The peak rate from the warm-up's end to the last step. */
    constant
}
