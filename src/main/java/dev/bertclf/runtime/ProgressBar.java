package dev.bertclf.runtime;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows how far a long step is, its rate and its ETA. On a terminal it redraws one line in place; anywhere else
 * (CI, pipes, log files) it prints a plain line every few seconds, so logs stay readable.
 */
public final class ProgressBar implements AutoCloseable {
    /** How a count is shown: raw bytes get KB/MB units, items are shown as they are. */
    public enum Unit {
        BYTES,
        ITEMS
    }

    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;
    private static final long REDRAW_INTERVAL_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final Unit unit;
    private final PrintStream out;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final long startCount;
    private long count;
    private long lastDraw;
    private String extra = "";
    private boolean closed;
    /** A terminal without ANSI sequences ({@code TERM=dumb}, Emacs' shell) gets spaces to clear a shorter line. */
    private final boolean dumb;

    private int drawn;

    /** {@code total} may be -1 when unknown; {@code initial} counts work done before this run (a resumed download). */
    public ProgressBar(String label, long total, long initial, Unit unit) {
        this(label, total, initial, unit, System.err, System.console() != null && !quiet());
    }

    ProgressBar(String label, long total, long initial, Unit unit, PrintStream out, boolean interactive) {
        this(label, total, initial, unit, out, interactive, "dumb".equals(System.getenv("TERM")));
    }

    ProgressBar(String label, long total, long initial, Unit unit, PrintStream out, boolean interactive, boolean dumb) {
        this.dumb = dumb;
        this.label = ConsoleText.escape(label); // it often holds a file name
        this.total = total;
        this.unit = unit;
        this.out = out;
        this.interactive = interactive;
        this.count = initial;
        this.startCount = initial;
        this.lastDraw = startNanos;
    }

    private static boolean quiet() {
        return Boolean.getBoolean("bert.clf.quiet");
    }

    public synchronized void step(long n) {
        count += n;
        long now = System.nanoTime();
        if (now - lastDraw >= (interactive ? REDRAW_INTERVAL_NANOS : LOG_INTERVAL_NANOS)) {
            lastDraw = now;
            draw(false);
        }
    }

    /** Extra text shown after the rate, e.g. the running loss. */
    public synchronized void setExtra(String extra) {
        this.extra = extra == null ? "" : ConsoleText.escape(extra);
    }

    public synchronized long count() {
        return count;
    }

    /** Per second, over this run only. */
    public synchronized double rate() {
        double sec = (System.nanoTime() - startNanos) / 1e9;
        return sec <= 0 ? 0 : (count - startCount) / sec;
    }

    public synchronized double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void draw(boolean last) {
        if (quiet()) return;
        String line = render();
        if (interactive) {
            String clear = dumb ? " ".repeat(Math.max(0, drawn - line.length())) : "\033[K";
            out.print("\r" + line + clear + (last ? "\n" : ""));
            drawn = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    String render() {
        double rate = rate();
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            double frac = Math.min(1.0, (double) count / total);
            int width = 24, filled = (int) Math.round(frac * width);
            sb.append('[')
                    .append("=".repeat(filled))
                    .append(" ".repeat(width - filled))
                    .append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% ", Math.round(frac * 100)));
            sb.append(format(count)).append('/').append(format(total));
        } else {
            sb.append(format(count));
        }
        sb.append(" ").append(format(rate)).append(unit == Unit.BYTES ? "/s" : " it/s");
        if (total > 0 && rate > 0 && count < total) {
            sb.append(" ETA ").append(duration((total - count) / rate));
        } else if (count >= total && total > 0) {
            sb.append(" in ").append(duration(elapsedSeconds()));
        }
        if (!extra.isEmpty()) sb.append(' ').append(extra);
        return sb.toString();
    }

    private String format(double v) {
        if (unit == Unit.ITEMS)
            return v >= 100 || v == Math.rint(v)
                    ? String.format(Locale.ROOT, "%.0f", v)
                    : String.format(Locale.ROOT, "%.1f", v);
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f %s" : "%.1f %s", v, units[i]);
    }

    /** {@code 1h02m}, {@code 3m05s} or {@code 12s}. */
    public static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        draw(true);
    }
}
