package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.WeightInit;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * {@code --accumulate}: micro-batches whose gradients are summed before the update train exactly as one large batch
 * (dropout off, whose masks are drawn per micro-batch), the last, shorter, step of an epoch and class weights
 * included. Float sums in another order round differently, so the weights agree to a bound, not bit for bit.
 * Measured (tiny BERT, 3 and 4 steps at 2e-3): the runs differ by 4e-7 and 1.2e-6 of the distance the weights moved
 * (1e-8 of their norm); the bound, 1e-4, leaves a hundredfold margin for other CPUs' kernels, while normalising each
 * micro-batch by its own size instead of the whole step's gives 0.5.
 */
class GradientAccumulationTest {
    /** Of {@code ||a - b|| / ||a - initial||}: the difference between the runs as a share of what training moved. */
    private static final double BOUND = 1e-4;

    @TempDir
    static Path tmp;

    static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        TfRuntime.engine();
        Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        tokenizer = WordPieceTokenizer.fromVocab(model.resolve("vocab.txt"), true, 12);
    }

    @Test
    void fourMicroBatchesOfFourTrainAsOneBatchOfSixteen() {
        // 29 examples: a step of 16, then one of 13 (micro-batches of 4, 4, 4 and 1)
        assertSameTraining(29, 2, null);
    }

    @Test
    void anUnevenStepWithClassWeightsToo() {
        assertSameTraining(13, 3, new float[] {1f, 3f});
    }

    private static void assertSameTraining(int examples, int epochs, float[] classWeights) {
        TokenizedDataset train = data(examples, 1), validation = data(6, 2);
        Run large = fit(new Hyperparameters(epochs, 16, 2e-3, 12, 5, 1), train, validation, classWeights);
        Run accumulated = fit(new Hyperparameters(epochs, 4, 2e-3, 12, 5, 4), train, validation, classWeights);
        double diff = 0, moved = 0, norm = 0;
        try (Weights a = large.weights;
                Weights b = accumulated.weights;
                Weights w0 = initial(large.shapes)) {
            for (var e : a.asMap().entrySet()) {
                float[] x = values(e.getValue()), y = values(b.asMap().get(e.getKey()));
                float[] x0 = values(w0.asMap().get(e.getKey()));
                for (int i = 0; i < x.length; i++) {
                    diff += (double) (x[i] - y[i]) * (x[i] - y[i]);
                    moved += (double) (x[i] - x0[i]) * (x[i] - x0[i]);
                    norm += (double) x[i] * x[i];
                }
            }
        }
        double relative = Math.sqrt(diff / moved);
        System.out.printf(
                Locale.ROOT,
                "%d examples, %d epochs: ||large - accumulated|| = %.3g of the weights' norm, %.3g of their move%n",
                examples,
                epochs,
                Math.sqrt(diff / norm),
                relative);
        assertTrue(moved > 1e-4 * norm, "training moved the weights, so the comparison means something");
        assertTrue(relative < BOUND, "accumulated training differs from one large batch by " + relative);
        for (int i = 0; i < epochs; i++) {
            EpochMetrics l = large.history.get(i), m = accumulated.history.get(i);
            assertEquals(l.loss(), m.loss(), 1e-5 * l.loss(), "epoch " + (i + 1) + " training loss");
            assertEquals(l.accuracy(), m.accuracy(), 1e-9, "epoch " + (i + 1) + " training accuracy");
            assertEquals(l.valLoss(), m.valLoss(), 1e-5 * l.valLoss(), "epoch " + (i + 1) + " validation loss");
        }
    }

    private record Run(List<EpochMetrics> history, Weights weights, Map<String, Shape> shapes) {}

    private static Run fit(Hyperparameters hp, TokenizedDataset train, TokenizedDataset validation, float[] weights) {
        return fit(hp, train, validation, weights, false, Trainer.Checkpointing.NONE);
    }

    private static Run fit(
            Hyperparameters hp,
            TokenizedDataset train,
            TokenizedDataset validation,
            float[] weights,
            boolean dropout,
            Trainer.Checkpointing checkpointing) {
        List<EpochMetrics> history = new ArrayList<>();
        Weights[] last = new Weights[1];
        Map<String, Shape> shapes = new LinkedHashMap<>();
        Trainer trainer = new Trainer(hp, SessionOptions.defaults(), Loss.of(2, weights, null), StepLog.NONE, null);
        if (!dropout) trainer.withoutDropout();
        try {
            trainer.fit(
                    TinyBert.config(),
                    s -> {
                        shapes.putAll(s);
                        return initial(s);
                    },
                    train,
                    validation,
                    (h, graph) -> {
                        history.clear();
                        history.addAll(h);
                        if (last[0] != null) last[0].close();
                        last[0] = graph.readWeights();
                        return true;
                    },
                    checkpointing);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return new Run(history, last[0], shapes);
    }

    /**
     * A run stopped after its first step (mid-epoch, checkpoints being written only between optimizer steps) goes on
     * from its checkpoint to the uninterrupted run's very weights, dropout on: the micro-batches' masks are keyed by
     * their number, and the sums start from zero at a step boundary.
     */
    @Test
    void aStoppedAccumulatingRunResumesExactly() {
        TokenizedDataset train = data(29, 1), validation = data(6, 2);
        Hyperparameters hp = new Hyperparameters(2, 4, 2e-3, 12, 5, 3); // steps of 12: 3 an epoch
        Run uninterrupted = fit(hp, train, validation, null, true, Trainer.Checkpointing.NONE);
        TrainingCheckpoints store = new TrainingCheckpoints(tmp.resolve("run.checkpoints"));
        RunSettings settings = RunSettingsBuilder.builder()
                .model("tiny")
                .epochs(2)
                .batchSize(4)
                .learningRate(2e-3)
                .maxSeqLen(12)
                .seed(5)
                .precision(Precision.fp32)
                .dataDir(tmp)
                .output(tmp.resolve("run"))
                .validationSplit(0.2)
                .logEvery(10)
                .accumulate(3)
                .build();
        StopSignal stop = new StopSignal();
        stop.request(new StopSignal.Received("SIGTERM", 143));
        TrainingInterruptedException stopped = assertThrows(
                TrainingInterruptedException.class,
                () -> fit(
                        hp,
                        train,
                        validation,
                        null,
                        true,
                        new Trainer.Checkpointing(store, 0, null, settings, null, stop)));
        assertTrue(stopped.getMessage().startsWith("stopped by SIGTERM at step 1 of 6"), stopped.getMessage());
        TrainingCheckpoints.Saved saved = store.latest().orElseThrow();
        assertEquals(1, saved.state().progress().batchesDone());
        Run resumed = fit(
                hp,
                train,
                validation,
                null,
                true,
                new Trainer.Checkpointing(store, 0, saved, settings, null, new StopSignal()));
        try (Weights a = uninterrupted.weights;
                Weights b = resumed.weights) {
            for (var e : a.asMap().entrySet()) {
                assertArrayEquals(values(e.getValue()), values(b.asMap().get(e.getKey())), e.getKey());
            }
        }
        for (int e = 0; e < 2; e++) {
            EpochMetrics u = uninterrupted.history.get(e), r = resumed.history.get(e);
            assertEquals(List.of(u.loss(), u.accuracy(), u.valLoss()), List.of(r.loss(), r.accuracy(), r.valLoss()));
        }
    }

    private static Weights initial(Map<String, Shape> shapes) {
        return WeightInit.create(shapes, 0.02f, 1);
    }

    /** {@code n} texts of random words, labelled by whether a positive word occurs. */
    private static TokenizedDataset data(int n, long seed) {
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            for (int j = 0; j < 6; j++) words.add(TinyBert.NEUTRAL.get(random.nextInt(TinyBert.NEUTRAL.size())));
            labels[i] = random.nextInt(2);
            List<String> marker = labels[i] == 1 ? TinyBert.POSITIVE : TinyBert.NEGATIVE;
            words.add(random.nextInt(words.size()), marker.get(random.nextInt(marker.size())));
            texts.add(String.join(" ", words));
        }
        return TokenizedDataset.encode("texts", tokenizer, n, texts::get, i -> labels[i]);
    }

    private static float[] values(TFloat32 t) {
        float[] v = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(v, false, false));
        return v;
    }
}
