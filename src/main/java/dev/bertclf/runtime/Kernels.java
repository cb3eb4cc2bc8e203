package dev.bertclf.runtime;

/**
 * Which element-wise kernels a training graph is built with, chosen once per run ({@link #available()}) and passed
 * into the graph, recorded in its checkpoints and model: bert-clf's {@link FusedKernels} or TensorFlow's own ops.
 * Both compute the same functions and draw the same dropout masks; they differ in speed and in float rounding, so a
 * run resumed on the other choice is no longer bit for bit the run it was.
 */
public enum Kernels {
    FUSED,
    TENSORFLOW;

    /** The fused kernels where they load and are not switched off ({@link FusedKernels#available()}). */
    public static Kernels available() {
        return FusedKernels.available() ? FUSED : TENSORFLOW;
    }

    public boolean fused() {
        return this == FUSED;
    }
}
