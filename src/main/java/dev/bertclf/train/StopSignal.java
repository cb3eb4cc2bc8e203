package dev.bertclf.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop at the next step boundary, so that a run killed by a
 * user or a scheduler saves a checkpoint and says how to resume, instead of losing every step since the last
 * epoch. A second signal stops at once: checkpoints are written atomically, so the previous one stays usable.
 * {@code sun.misc.Signal} rather than a shutdown hook: the run then ends on its own thread with its own message
 * and exit code (128 + the signal's number, as a shell reports it), and the second signal still works.
 */
public final class StopSignal {
    private static final Logger log = LoggerFactory.getLogger(StopSignal.class);

    /** A received signal: its name ({@code SIGTERM}) and the exit code that reports it. */
    public record Received(String name, int exitCode) {}

    private volatile Received received;

    /** Handles SIGINT and SIGTERM until the returned handle is closed, which restores the previous handlers. */
    public AutoCloseable listen() {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : List.of("INT", "TERM")) {
            Signal signal = new Signal(name);
            try {
                previous.put(signal, Signal.handle(signal, this::handle));
            } catch (IllegalArgumentException e) {
                log.debug("cannot handle SIG{} ({}); it will stop the run without a checkpoint", name, e.getMessage());
            }
        }
        return () -> previous.forEach(Signal::handle);
    }

    private void handle(Signal signal) {
        Received r = new Received("SIG" + signal.getName(), 128 + signal.getNumber());
        if (received != null) { // each on a line of its own, after a progress bar's
            log.warn("\n{} again: stopping at once; the last checkpoint is kept.", r.name());
            Runtime.getRuntime().halt(r.exitCode());
        }
        request(r);
        log.warn("\n{}: stopping after this step to save a checkpoint (send it again to stop at once).", r.name());
    }

    /** Asks the run to stop as if {@code r} had been received. */
    public void request(Received r) {
        received = r;
    }

    /** The signal received, or null. */
    public Received received() {
        return received;
    }
}
