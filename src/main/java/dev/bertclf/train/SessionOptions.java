package dev.bertclf.train;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * How a TensorFlow session uses the machine. Kept in one place so training, export and benchmarks run with the
 * same settings and a precision or threading change is measured everywhere at once.
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean bf16) {
    public static SessionOptions defaults() {
        return new SessionOptions(0, 0, false);
    }

    public ConfigProto toConfigProto() {
        ConfigProto.Builder b = ConfigProto.newBuilder();
        if (intraOpThreads > 0) b.setIntraOpParallelismThreads(intraOpThreads);
        if (interOpThreads > 0) b.setInterOpParallelismThreads(interOpThreads);
        if (bf16) {
            b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(RewriterConfig.newBuilder()
                    .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)));
        }
        return b.build();
    }
}
