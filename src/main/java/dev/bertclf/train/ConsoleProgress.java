package dev.bertclf.train;

import dev.bertclf.runtime.ProgressBar;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a person watching the console sees of the loop: each epoch's progress bar with the running loss and accuracy,
 * then the epoch's line as Keras prints it ({@code loss - binary_accuracy - val_loss - val_binary_accuracy}).
 */
final class ConsoleProgress implements TrainingListener {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final int epochs, examples;
    private final String accuracy;
    private ProgressBar bar;

    ConsoleProgress(int epochs, int examples, Loss loss) {
        this.epochs = epochs;
        this.examples = examples;
        this.accuracy = loss.accuracyName();
    }

    @Override
    public void epochStarted(TrainingProgress at) {
        bar = new ProgressBar(
                String.format(Locale.ROOT, "Epoch %d/%d", at.epoch(), epochs),
                examples,
                at.seen(),
                ProgressBar.Unit.ITEMS);
    }

    @Override
    public void stepDone(StepDone done) {
        TrainingProgress p = done.progress();
        bar.setExtra(String.format(Locale.ROOT, "loss %.4f acc %.4f", p.lossSum() / p.seen(), p.correct() / p.seen()));
        bar.step(done.examples());
    }

    @Override
    public void epochTrained(TrainingProgress at) {
        trainingEnded();
    }

    @Override
    public boolean epochDone(List<EpochMetrics> history, TrainingGraph graph) {
        EpochMetrics m = history.get(history.size() - 1);
        log.info(String.format(
                Locale.ROOT,
                "Epoch %d/%d: loss %.4f - %s %.4f - val_loss %.4f - val_%s %.4f (%.0f s, %.1f examples/s)",
                m.epoch(),
                epochs,
                m.loss(),
                accuracy,
                m.accuracy(),
                m.valLoss(),
                accuracy,
                m.valAccuracy(),
                m.seconds(),
                m.examplesPerSecond()));
        return true;
    }

    /** Closes the bar, so that what follows (validation, an error) starts on a line of its own. */
    @Override
    public void trainingEnded() {
        if (bar != null) bar.close();
        bar = null;
    }
}
