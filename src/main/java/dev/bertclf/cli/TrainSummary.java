package dev.bertclf.cli;

import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.train.EpochMetrics;
import dev.bertclf.train.Loss;
import dev.bertclf.train.Monitor;
import dev.bertclf.train.TensorBoardLog;
import dev.bertclf.train.TrainingCurvesPlot;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The screen {@code train} ends with: after hours of progress bars, the few facts a user looks for (how good,
 * how long, where everything is) and what to run next, in one aligned block. Names and paths are shown with
 * their control characters escaped, like every line of the tool.
 */
final class TrainSummary {
    private TrainSummary() {}

    /**
     * {@code numClasses} names the accuracy as training logged it (see {@link Loss#accuracyName}); the best epoch
     * is {@code monitor}'s, and {@code saved} the one whose model the folder holds.
     */
    static String format(
            String model,
            List<EpochMetrics> history,
            Monitor monitor,
            double minDelta,
            EpochMetrics saved,
            Path modelDir,
            Path log,
            int numClasses) {
        return format(model, history, monitor, minDelta, saved, modelDir, log, numClasses, false, false);
    }

    /**
     * As {@link #format(String, List, Monitor, double, EpochMetrics, Path, Path, int)}, for multi-label runs too;
     * {@code tableData}: the run trained on a table file, so {@code evaluate} needs a {@code --test-file}.
     */
    static String format(
            String model,
            List<EpochMetrics> history,
            Monitor monitor,
            double minDelta,
            EpochMetrics saved,
            Path modelDir,
            Path log,
            int numClasses,
            boolean multiLabel,
            boolean tableData) {
        String accuracy = "val_" + Loss.accuracyName(numClasses, multiLabel);
        modelDir = modelDir.toAbsolutePath().normalize();
        log = log.toAbsolutePath().normalize();
        EpochMetrics best = history.get(monitor.bestIndex(history, minDelta));
        EpochMetrics last = history.get(history.size() - 1);
        double seconds = history.stream().mapToDouble(EpochMetrics::seconds).sum();
        double rate = history.stream()
                .mapToDouble(EpochMetrics::examplesPerSecond)
                .average()
                .orElse(0);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%nTrained %s: %d epoch%s in %s, %.1f examples/s%n",
                ConsoleText.escape(model),
                history.size(),
                history.size() == 1 ? "" : "s",
                ProgressBar.duration(seconds),
                rate));
        String why = " (" + monitor.best() + (saved == best ? ": the saved model)" : ")");
        sb.append(line("best epoch", epoch(best, accuracy) + (history.size() > 1 ? why : "")));
        if (last != best)
            sb.append(line("last epoch", epoch(last, accuracy) + (saved == last ? " (the saved model)" : "")));
        sb.append(line("model", modelDir.toString()));
        sb.append(line("curves", modelDir.resolve(TrainingCurvesPlot.FILE).toString()));
        sb.append(line("log", log.toString()));
        sb.append(line("tensorboard", modelDir.resolve(TensorBoardLog.FOLDER).toString()));
        sb.append("Next: bert-clf evaluate")
                .append(tableData || multiLabel ? " --test-file FILE" : "")
                .append(", or bert-clf predict \"this is such an amazing movie!\"")
                .append('\n');
        return sb.toString();
    }

    private static String epoch(EpochMetrics e, String accuracy) {
        return String.format(
                Locale.ROOT, "%d: %s %.4f, val_loss %.4f", e.epoch(), accuracy, e.valAccuracy(), e.valLoss());
    }

    private static String line(String label, String value) {
        return String.format(Locale.ROOT, "  %-11s %s%n", label, ConsoleText.escape(value));
    }
}
