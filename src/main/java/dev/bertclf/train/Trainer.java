package dev.bertclf.train;

import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.text.EncodedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * The fine-tuning loop: epochs of shuffled batches through {@link TrainingGraph} under the tutorial's schedule,
 * a validation pass after each epoch, and a callback so the caller can save the model as it improves. It
 * knows nothing of files: data comes in tokenised, weights go out as tensors.
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    /** Called after each epoch with the metrics so far and the graph, whose weights can then be read. */
    public interface EpochListener {
        void epochDone(List<EpochMetrics> history, TrainingGraph graph) throws Exception;
    }

    private final Hyperparameters hp;
    private final SessionOptions sessionOptions;

    public Trainer(Hyperparameters hp, SessionOptions sessionOptions) {
        this.hp = hp;
        this.sessionOptions = sessionOptions;
    }

    /**
     * Trains from the weights {@code initialWeights} returns for the graph's variable shapes (it may close
     * nothing: the trainer closes them once loaded).
     */
    public List<EpochMetrics> fit(BertConfig config, Function<Map<String, Shape>, Map<String, TFloat32>> initialWeights,
                                  TokenizedDataset train, TokenizedDataset validation, EpochListener listener)
            throws Exception {
        long stepsPerEpoch = (train.size() + hp.batchSize() - 1) / hp.batchSize();
        LearningRateSchedule schedule = LearningRateSchedule.tutorial(hp.learningRate(), stepsPerEpoch * hp.epochs());
        log.info("Training {} examples for {} epochs: {} steps, {} warm-up steps, batch {}, learning rate {}",
                train.size(), hp.epochs(), schedule.totalSteps(), schedule.warmupSteps(), hp.batchSize(), hp.learningRate());
        List<EpochMetrics> history = new ArrayList<>();
        try (TrainingGraph graph = new TrainingGraph(config, hp.seed(), sessionOptions)) {
            Map<String, TFloat32> init = initialWeights.apply(graph.variables().shapes());
            try {
                graph.loadWeights(init);
            } finally {
                init.values().forEach(TFloat32::close);
            }
            Random shuffle = new Random(hp.seed());
            long step = 0;
            for (int epoch = 1; epoch <= hp.epochs(); epoch++) {
                int[] order = permutation(train.size(), shuffle);
                double lossSum = 0, correct = 0;
                int seen = 0;
                ProgressBar bar = new ProgressBar(String.format(Locale.ROOT, "Epoch %d/%d", epoch, hp.epochs()),
                        train.size(), 0, ProgressBar.Unit.ITEMS);
                for (int from = 0; from < train.size(); from += hp.batchSize()) {
                    int to = Math.min(train.size(), from + hp.batchSize());
                    EncodedBatch batch = train.batch(order, from, to);
                    TrainingGraph.StepResult r = graph.train(batch, train.labels(order, from, to), schedule.at(step), step);
                    step++;
                    if (!Float.isFinite(r.loss())) {
                        bar.close();
                        throw new TrainingDivergedException("the loss became " + r.loss() + " at step " + step
                                + " (epoch " + epoch + "); try a lower --learning-rate. The last saved model is kept.");
                    }
                    lossSum += r.loss() * (to - from);
                    correct += r.correct();
                    seen += to - from;
                    bar.setExtra(String.format(Locale.ROOT, "loss %.4f acc %.4f", lossSum / seen, correct / seen));
                    bar.step(to - from);
                }
                bar.close();
                double seconds = bar.elapsedSeconds();
                double[] val = evaluate(graph, validation, "Validating");
                EpochMetrics m = new EpochMetrics(epoch, lossSum / seen, correct / seen, val[0], val[1],
                        seconds, seen / seconds);
                history.add(m);
                log.info(String.format(Locale.ROOT,
                        "Epoch %d/%d: loss %.4f - binary_accuracy %.4f - val_loss %.4f - val_binary_accuracy %.4f"
                                + " (%.0f s, %.1f examples/s)", epoch, hp.epochs(), m.loss(), m.accuracy(), m.valLoss(),
                        m.valAccuracy(), seconds, m.examplesPerSecond()));
                if (listener != null) listener.epochDone(history, graph);
            }
        }
        return history;
    }

    /** Mean loss and accuracy over a whole dataset, dropout off. */
    double[] evaluate(TrainingGraph graph, TokenizedDataset data, String label) {
        if (data == null || data.size() == 0) return new double[] {Double.NaN, Double.NaN};
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        double lossSum = 0, correct = 0;
        try (ProgressBar bar = new ProgressBar(label, data.size(), 0, ProgressBar.Unit.ITEMS)) {
            for (int from = 0; from < data.size(); from += hp.batchSize()) {
                int to = Math.min(data.size(), from + hp.batchSize());
                TrainingGraph.EvalResult r = graph.evaluate(data.batch(order, from, to), data.labels(order, from, to));
                lossSum += r.lossSum();
                correct += r.correct();
                bar.step(to - from);
            }
        }
        return new double[] {lossSum / data.size(), correct / data.size()};
    }

    static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
