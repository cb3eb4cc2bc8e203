package dev.bertclf.train;

import dev.bertclf.runtime.InvalidOptionException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run reports as it goes, for people to read: every {@code every} steps a log line (the mean loss since the
 * last one, the learning rate, the gradients' global norm before clipping, examples per second) and the same
 * figures as TensorBoard scalars ({@code loss}, {@code learning_rate}, {@code gradient_norm},
 * {@code examples_per_second} in {@code train}); after each epoch its figures as Keras' TensorBoard callback writes
 * them, with the epoch as the step: {@code epoch_loss} and {@code epoch_binary_accuracy} (or
 * {@code epoch_accuracy}) in {@code train} and in {@code validation}, plus {@code epoch_f1} in {@code validation}.
 * The step lines go to this class's logger, which the train command sends to {@code train.log} alone: the console's
 * progress bar already shows the loss.
 */
public final class StepLog implements TrainingListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StepLog.class);
    /** {@code --log-every}'s default: often enough for a curve, rarely enough to cost nothing. */
    public static final int DEFAULT_EVERY = 10;
    /** No lines, no event files. */
    public static final StepLog NONE = new StepLog(null, 0);

    private final TensorBoardLog board;
    private final int every;
    private long totalSteps;
    private double lossSum;
    private int examples;
    private long since;

    /** Logs every {@code every} steps (0: epochs only), writing event files to {@code board} (null: none). */
    public StepLog(TensorBoardLog board, int every) {
        if (every < 0) throw new InvalidOptionException("--log-every must be 0 (off) or more, got " + every);
        this.board = board;
        this.every = every;
    }

    /** The run's length in steps, for the lines. */
    @Override
    public void trainingStarted(long totalSteps) {
        this.totalSteps = totalSteps;
    }

    /** Starts a new window at an epoch's start, so the examples per second leave out validation and saving. */
    @Override
    public void epochStarted(TrainingProgress at) {
        lossSum = 0;
        examples = 0;
        since = System.nanoTime();
    }

    /**
     * After each step: logs, if it is the time, the window's mean loss and examples per second and this step's
     * learning rate and norm.
     */
    @Override
    public void stepDone(StepDone done) {
        if (every == 0) return;
        long step = done.progress().step();
        int batch = done.examples();
        TrainingGraph.StepResult r = done.result();
        double learningRate = done.learningRate();
        lossSum += (double) r.loss() * batch;
        examples += batch;
        if (step % every != 0) return;
        long now = System.nanoTime();
        double loss = lossSum / examples, perSecond = examples / Math.max((now - since) / 1e9, 1e-9);
        log.info(String.format(
                Locale.ROOT,
                "Step %d/%d: loss %.4f - learning_rate %.2e - gradient_norm %.4f - %.1f examples/s",
                step,
                totalSteps,
                loss,
                learningRate,
                r.gradientNorm(),
                perSecond));
        if (board != null) {
            TensorBoardLog.Folder train = TensorBoardLog.Folder.train;
            board.scalar(train, "loss", step, loss);
            board.scalar(train, "learning_rate", step, learningRate);
            board.scalar(train, "gradient_norm", step, r.gradientNorm());
            board.scalar(train, "examples_per_second", step, perSecond);
        }
        lossSum = 0;
        examples = 0;
        since = now;
    }

    /**
     * Writes the epoch's figures and closes the event files, so they are complete on disk when the epoch's model is
     * saved (the save moves them into the new model folder); the next step starts new ones.
     */
    @Override
    public boolean epochDone(List<EpochMetrics> history, TrainingGraph graph) {
        if (board == null) return true;
        EpochMetrics m = history.get(history.size() - 1);
        String acc = "epoch_" + graph.loss().accuracyName();
        TensorBoardLog.Folder train = TensorBoardLog.Folder.train, validation = TensorBoardLog.Folder.validation;
        board.scalar(train, "epoch_loss", m.epoch(), m.loss());
        board.scalar(train, acc, m.epoch(), m.accuracy());
        board.scalar(validation, "epoch_loss", m.epoch(), m.valLoss());
        board.scalar(validation, acc, m.epoch(), m.valAccuracy());
        board.scalar(validation, "epoch_f1", m.epoch(), m.valF1());
        board.closeFiles();
        return true;
    }

    @Override
    public void close() {
        if (board != null) board.close();
    }
}
