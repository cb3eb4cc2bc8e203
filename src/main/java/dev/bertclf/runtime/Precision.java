package dev.bertclf.runtime;

/**
 * A run's arithmetic: {@code fp32}, or {@code bf16} compute with float32 master weights. An enum, so that picocli
 * rejects other values of {@code --precision} as a usage error and checkpoints save it by name.
 */
public enum Precision {
    /** float32 throughout. */
    fp32,
    /** bfloat16 compute (on the CPU: oneDNN's auto mixed precision), float32 master weights. */
    bf16;

    /** The session options that give this precision, on the GPU or the CPU. */
    public SessionOptions session(boolean gpu) {
        return new SessionOptions(0, 0, this == bf16, gpu);
    }
}
