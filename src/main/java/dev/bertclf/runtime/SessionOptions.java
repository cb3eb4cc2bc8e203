package dev.bertclf.runtime;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How a TensorFlow session uses the machine. Kept in one place so training, export and benchmarks run with the
 * same settings and a precision or threading change is measured everywhere at once.
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean bf16, boolean gpu) {
    /** On the CPU. */
    public SessionOptions(int intraOpThreads, int interOpThreads, boolean bf16) {
        this(intraOpThreads, interOpThreads, bf16, false);
    }

    public SessionOptions {
        if (bf16 && gpu) {
            throw new InvalidOptionException("--precision bf16 is for CPUs (oneDNN); on a GPU, fp32 MatMuls "
                    + "already run as TensorFloat-32 on Ampere and newer: use --precision fp32");
        }
    }

    public static SessionOptions defaults() {
        return new SessionOptions(0, 0, false);
    }

    public ConfigProto toConfigProto() {
        ConfigProto.Builder b = ConfigProto.newBuilder();
        if (intraOpThreads > 0) b.setIntraOpParallelismThreads(intraOpThreads);
        if (interOpThreads > 0) b.setInterOpParallelismThreads(interOpThreads);
        // A CUDA build places ops on the GPU by default: hide it when the CPU was chosen, and let memory grow
        // as needed rather than taking the whole card when it was.
        if (gpu) b.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        else b.putDeviceCount("GPU", 0);
        if (bf16) {
            b.setGraphOptions(GraphOptions.newBuilder()
                    .setRewriteOptions(
                            RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
        }
        return b.build();
    }
}
