package dev.bertclf.io;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action when no progress was reported for a while. {@code java.net.http} times out only until the
 * response headers arrive; a body that stops flowing would block a read forever, so the downloader closes the
 * stream from here instead.
 */
final class StallGuard implements AutoCloseable {
    private final long timeoutNanos;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile long lastProgress = System.nanoTime();

    StallGuard(Duration timeout, Runnable onStall) {
        this.timeoutNanos = timeout.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "download-stall-guard");
            t.setDaemon(true);
            return t;
        });
        long periodMillis = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        timer.scheduleAtFixedRate(
                () -> {
                    if (System.nanoTime() - lastProgress > timeoutNanos && fired.compareAndSet(false, true))
                        onStall.run();
                },
                periodMillis,
                periodMillis,
                TimeUnit.MILLISECONDS);
    }

    void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether the stall action ran; a read that then ends early must be reported as a stall, not as the end. */
    boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
