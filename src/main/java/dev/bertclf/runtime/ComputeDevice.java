package dev.bertclf.runtime;

import java.util.Locale;

/**
 * Where TensorFlow runs: {@code auto} takes a CUDA GPU when one is usable, else the CPU. A GPU is usable only
 * when two things hold: the build carries TensorFlow's CUDA natives (Maven profile {@code gpu}) and the machine
 * shows a CUDA device. Asking for {@code gpu} when either is missing fails at once with what to fix, rather
 * than training for hours on the CPU by surprise.
 */
public enum ComputeDevice {
    AUTO,
    CPU,
    GPU;

    /** The CUDA and cuDNN versions TensorFlow 2.16's natives were built against. */
    public static final String CUDA_REQUIREMENT = "CUDA 12.3 and cuDNN 8.9 (NVIDIA driver 525 or newer)";

    /** Thrown when {@code gpu} is asked for and none can be used. */
    public static final class UnavailableException extends UserError {
        UnavailableException(String message) {
            super(message);
        }
    }

    /** True when this choice runs on a GPU, after checking one is usable; AUTO quietly falls back to the CPU. */
    public boolean useGpu() {
        if (this == CPU) return false;
        String problem = gpuProblem();
        if (problem == null) return true;
        if (this == AUTO) return false;
        throw new UnavailableException("--device gpu: " + problem + "; or run with --device cpu");
    }

    /** Why no GPU can be used, or null when one can. */
    static String gpuProblem() {
        if (!TfRuntime.hasGpuNatives()) {
            return "this build has TensorFlow's CPU natives; rebuild with 'mvn -Pgpu package' (needs "
                    + CUDA_REQUIREMENT + ")";
        }
        if (TfRuntime.engine().getGpuCount() == 0) {
            return "no CUDA GPU is visible (check nvidia-smi, the driver, CUDA_VISIBLE_DEVICES; needs "
                    + CUDA_REQUIREMENT + ")";
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
