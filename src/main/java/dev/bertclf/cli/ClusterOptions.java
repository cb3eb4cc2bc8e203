package dev.bertclf.cli;

import dev.bertclf.runtime.ClusterSpec;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.ListenAddress;
import java.time.Duration;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** {@code train}'s options for training on several workers (see the README's "Training on several machines"). */
final class ClusterOptions {
    static final String TF_CONFIG = "TF_CONFIG";

    @Option(
            names = "--cluster",
            paramLabel = "HOST:PORT,...",
            description = "Train as one of these workers (synchronous data parallelism, all-reduce); the first is "
                    + "the chief, which writes the model, checkpoints and log (default: none: the TF_CONFIG "
                    + "environment variable if set, else one process).")
    String cluster;

    @Option(
            names = "--task-index",
            paramLabel = "I",
            defaultValue = "0",
            description = "This worker's place in --cluster (0: the chief).")
    int taskIndex;

    @Option(
            names = "--local-workers",
            paramLabel = "N",
            defaultValue = "1",
            description = "Start N workers on this machine on loopback ports, this process the chief, each with "
                    + "its share of the cores: a way to try --cluster on one machine.")
    int localWorkers;

    @Option(
            names = "--open-worker-ports",
            description = "Let a worker listen on every network interface where it cannot be held to the address "
                    + "it is named by (a 0.0.0.0 host, an address behind NAT, a build without bert-clf's native "
                    + "library). TensorFlow's distributed runtime has no authentication: whoever reaches a worker's "
                    + "port can read and write files as you. Train on several workers only on a trusted, "
                    + "firewalled network.")
    boolean openWorkerPorts;

    @Option(
            names = "--worker-timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "How long a worker waits for the others (to come up, and in each step) before it stops "
                    + "the run with an error.")
    int workerTimeoutSeconds;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "TensorFlow's threads for one op (0: all cores; with --local-workers N: cores / N).")
    int threads;

    /**
     * The cluster this process trains in, or null for a run on its own: {@code --cluster}, else {@code TF_CONFIG}.
     * {@code env} reads the environment.
     */
    ClusterSpec spec(UnaryOperator<String> env) {
        if (workerTimeoutSeconds < 1) {
            throw new InvalidOptionException("--worker-timeout must be at least 1 second, got " + workerTimeoutSeconds);
        }
        if (threads < 0) throw new InvalidOptionException("--threads must be 0 (all cores) or more, got " + threads);
        if (localWorkers < 1) {
            throw new InvalidOptionException("--local-workers must be 1 or more, got " + localWorkers);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (localWorkers > cores) {
            throw new InvalidOptionException("--local-workers " + localWorkers + " is more than this machine's " + cores
                    + " cores: each worker needs at least one");
        }
        String tfConfig = env.apply(TF_CONFIG);
        if (localWorkers > 1 && (cluster != null || tfConfig != null)) {
            throw new InvalidOptionException("--local-workers starts its own cluster on this machine: drop --cluster "
                    + "(or unset " + TF_CONFIG + ")");
        }
        ClusterSpec spec = null;
        if (cluster != null) spec = ClusterSpec.of(cluster, taskIndex);
        else if (taskIndex != 0) throw new InvalidOptionException("--task-index needs --cluster");
        else if (tfConfig != null && !tfConfig.isBlank()) spec = ClusterSpec.fromTfConfig(tfConfig);
        if (localWorkers > 1 && !openWorkerPorts && !ListenAddress.available()) { // before any worker starts
            throw new InvalidOptionException("--local-workers would open the workers' ports on every network "
                    + "interface of this machine, with no authentication (this build cannot make TensorFlow's "
                    + "servers listen on loopback alone on this platform): whoever reaches them can read and write "
                    + "files as you. On a trusted, firewalled network, say so with --open-worker-ports");
        }
        return spec;
    }

    /** TensorFlow's threads per op for each of {@code localWorkers} workers on this machine (0: all cores). */
    int threadsEach(int localWorkers) {
        if (threads > 0) return threads;
        return localWorkers > 1 ? Math.max(1, Runtime.getRuntime().availableProcessors() / localWorkers) : 0;
    }

    Duration workerTimeout() {
        return Duration.ofSeconds(workerTimeoutSeconds);
    }
}
