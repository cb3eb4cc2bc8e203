package dev.bertclf.model;

/**
 * What a graph is built for, as {@code is_training} in Google's modeling.py. It decides two things: training graphs
 * have {@link Dropout} and the GELU form whose gradient is cheapest; inference graphs (served and exported models)
 * have no random ops and the GELU form TensorFlow fuses into the dense layer before it (see {@link Activations}).
 */
public enum Mode {
    TRAINING,
    INFERENCE
}
