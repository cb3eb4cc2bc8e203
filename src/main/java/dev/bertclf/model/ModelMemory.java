package dev.bertclf.model;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a model's float32 weights fit this machine, asked before any graph is built. TensorFlow allocates outside
 * the Java heap, so {@code -Xmx} never stops a config of billions of parameters: without this check it is found out
 * minutes later by swapping or by the kernel's OOM killer. The bound is the machine's (or container's) physical memory.
 */
public final class ModelMemory {
    private static final Logger log = LoggerFactory.getLogger(ModelMemory.class);
    private static final double GB = 1e9;

    /** How many float32 copies of the weights a use holds at once. */
    public enum Use {
        INFERENCE(1, "running", "the weights"),
        TRAINING(4, "training", "weights, gradients and Adam's two moments");

        final int copies;
        final String verb;
        final String what;

        Use(int copies, String verb, String what) {
            this.copies = copies;
            this.verb = verb;
            this.what = what;
        }
    }

    private ModelMemory() {}

    /** This machine's physical memory in bytes, as the JVM sees it (a container's limit inside one). */
    public static long physicalBytes() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    /**
     * Refuses a model whose weights alone exceed {@code physicalBytes}; warns when {@code use} needs more than that
     * (training, say, which holds four copies), since it may still run from swap or on a GPU.
     *
     * @param source names the config in the message
     */
    public static void require(BertConfig config, String source, Use use, long physicalBytes) {
        double weights = config.parameters() * Float.BYTES;
        if (weights > physicalBytes) {
            throw new ModelException(String.format(
                    Locale.ROOT,
                    "model config %s describes %,.0f parameters: "
                            + "%.1f GB of float32 weights alone, more than this machine's %.1f GB of memory",
                    source,
                    config.parameters(),
                    weights / GB,
                    physicalBytes / GB));
        }
        if (use.copies * weights > physicalBytes) {
            log.warn(String.format(
                    Locale.ROOT,
                    "%s %s needs about %.1f GB (%s), more than this machine's %.1f GB " + "of memory",
                    use.verb,
                    source,
                    use.copies * weights / GB,
                    use.what,
                    physicalBytes / GB));
        }
    }

    /** {@link #require(BertConfig, String, Use, long)} against this machine's memory. */
    public static void require(BertConfig config, String source, Use use) {
        require(config, source, use, physicalBytes());
    }
}
