package dev.bertclf.cli;

import dev.bertclf.runtime.ClusterSpec;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train --local-workers N}: the other N-1 workers of a loopback cluster, started as child JVMs running the
 * same {@code train} command with {@code --cluster} and {@code --task-index}, so one machine tries exactly what
 * several machines run. Their output goes to files (shown when one fails); they are stopped when this process
 * ends, and stop by themselves within {@code --worker-timeout} if it is killed.
 */
final class LocalWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalWorkers.class);

    private final ClusterSpec cluster;
    private final List<Process> children = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private Path logDir;
    private final Thread killer;
    private boolean succeeded;

    private LocalWorkers(ClusterSpec cluster) {
        this.cluster = cluster;
        this.killer = new Thread(this::destroy, "local-workers-stop");
    }

    /** Starts workers 1..n-1 with {@code trainArgs} (the command's own options) and this process as worker 0. */
    static LocalWorkers start(int n, List<String> trainArgs, int threadsEach) throws IOException {
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) workers.add("127.0.0.1:" + freePort()); // loopback: listened on alone
        LocalWorkers lw = new LocalWorkers(new ClusterSpec(workers, 0));
        Runtime.getRuntime().addShutdownHook(lw.killer);
        Path dir = Files.createTempDirectory("bert-clf-workers-");
        lw.logDir = dir;
        for (int i = 1; i < n; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "train"));
            cmd.addAll(trainArgs);
            cmd.addAll(List.of(
                    "--cluster", String.join(",", workers),
                    "--task-index", String.valueOf(i),
                    "--threads", String.valueOf(threadsEach)));
            Path out = dir.resolve("worker-" + i + ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().remove(ClusterOptions.TF_CONFIG);
            lw.children.add(pb.start());
            lw.logs.add(out);
            int index = i;
            lw.children.get(i - 1).onExit().thenAccept(p -> lw.exited(index, p.exitValue()));
        }
        log.info("Started {} more worker{} on {} (output in {})", n - 1, n > 2 ? "s" : "", workers.subList(1, n), dir);
        return lw;
    }

    ClusterSpec cluster() {
        return cluster;
    }

    private void exited(int worker, int code) {
        if (code == 0) return;
        String tail = "";
        try {
            List<String> lines = Files.readAllLines(logs.get(worker - 1));
            tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            tail = "(its log is unreadable: " + e.getMessage() + ")";
        }
        log.error("Local worker {} exited with code {}; its last lines:\n  {}", worker, code, tail);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void destroy() {
        for (Process p : children) p.destroy();
    }

    /** The chief finished the run: the workers finish theirs too, and {@link #close} waits for them. */
    void succeeded() {
        succeeded = true;
    }

    /**
     * Waits a little for the workers to end after a finished run and removes their output; stops them at once after
     * a failed one, keeping their output for the error's cause.
     */
    @Override
    public void close() throws InterruptedException {
        if (succeeded) {
            for (Process p : children) p.waitFor(30, TimeUnit.SECONDS);
        }
        destroy();
        if (succeeded && children.stream().noneMatch(Process::isAlive)) {
            try {
                FileUtil.deleteTree(logDir);
            } catch (IOException e) {
                log.debug("Could not remove {}: {}", logDir, e.getMessage());
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
