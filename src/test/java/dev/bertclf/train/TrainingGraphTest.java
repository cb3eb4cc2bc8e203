package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.model.BertConfig;
import dev.bertclf.model.WeightInit;
import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.GraphOps;
import dev.bertclf.text.EncodedBatch;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.EagerSession;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

public class TrainingGraphTest {
    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /** Label = does token 7 occur; a tiny random BERT must learn it in a few dozen AdamW steps. */
    @Test
    void lossFallsOnAnEasyTask() {
        BertConfig config = BertConfig.of(50, 2, 32, 2);
        config.maxPositionEmbeddings = 32;
        try (TrainingGraph g = new TrainingGraph(config, 1, SessionOptions.defaults())) {
            try (var init = WeightInit.create(g.variables().shapes(), 0.02f, 1)) {
                g.loadWeights(init);
            }
            float[] loss = trainOnEasyTask(g, config.vocabSize, 200);
            assertTrue(loss[1] < loss[0] * 0.5, "loss " + loss[0] + " -> " + loss[1]);
        }
    }

    /** Against a hand computation: -log(e^2 / (e^2 + e^1 + e^0)) and -log(e^0 / (e^0 + e^0 + e^0)) = log 3. */
    @Test
    void sparseSoftmaxCrossEntropyIsMinusTheLogProbabilityOfTheLabel() {
        try (EagerSession eager = EagerSession.create()) {
            Ops tf = Ops.create(eager);
            Operand<TFloat32> logits = tf.constant(new float[][] {{2, 1, 0}, {0, 0, 0}, {1, 3, -2}});
            Operand<TFloat32> labels = tf.constant(new float[] {0, 2, 2});
            TFloat32 loss =
                    Loss.sparseSoftmaxCrossEntropy(tf, logits, labels, 3).asTensor();
            double e = Math.E;
            assertEquals(-Math.log(e * e / (e * e + e + 1)), loss.getFloat(0), 1e-6);
            assertEquals(Math.log(3), loss.getFloat(1), 1e-6);
            assertEquals(-Math.log(Math.exp(-2) / (e + Math.exp(3) + Math.exp(-2))), loss.getFloat(2), 1e-5);
        }
    }

    /**
     * Multi-label: a sigmoid cross-entropy per class, averaged over the classes (Keras' binary_crossentropy on
     * multi-hot targets), against a hand computation: {@code log(1 + e^-x)} for a class present, {@code log(1 + e^x)}
     * for one absent.
     */
    @Test
    void multiLabelCrossEntropyIsTheMeanOverClassesOfEachSigmoidsLoss() {
        try (EagerSession eager = EagerSession.create()) {
            Ops tf = Ops.create(eager);
            Operand<TFloat32> logits = tf.constant(new float[][] {{2, -1, 0}, {0.5f, 0, -3}});
            Operand<TFloat32> multiHot = tf.constant(new float[][] {{1, 0, 1}, {0, 0, 0}});
            TFloat32 loss =
                    new Loss.MultiLabel(3, 0.5).perExample(tf, logits, multiHot).asTensor();
            double row0 = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + Math.log(2)) / 3;
            double row1 = (Math.log1p(Math.exp(0.5)) + Math.log(2) + Math.log1p(Math.exp(-3))) / 3;
            assertEquals(0.3778, row0, 1e-4, "by hand: (0.1269 + 0.3133 + 0.6931) / 3");
            assertEquals(row0, loss.getFloat(0), 1e-6);
            assertEquals(row1, loss.getFloat(1), 1e-6);
            assertEquals(2, loss.shape().size(0), "one loss per example");
        }
    }

    /** A 3-class head learns "which of tokens 5, 6, 7 occurs" with the softmax loss; argmax accuracy rises with it. */
    @Test
    void aThreeClassHeadLearnsWhichMarkerOccurs() {
        BertConfig config = BertConfig.of(50, 2, 32, 2);
        config.maxPositionEmbeddings = 32;
        try (TrainingGraph g = new TrainingGraph(config, 1, SessionOptions.defaults(), new Loss.MultiClass(3, null))) {
            assertEquals(3, g.variables().shapes().get("classifier/bias").size());
            try (var init = WeightInit.create(g.variables().shapes(), 0.02f, 1)) {
                g.loadWeights(init);
            }
            Random random = new Random(4);
            float first = 0, last = 0, lastCorrect = 0;
            int b = 16, t = 12, steps = 120;
            for (int step = 0; step < steps; step++) {
                int[] ids = new int[b * t], mask = new int[b * t], types = new int[b * t];
                float[] y = new float[b];
                for (int i = 0; i < b; i++) {
                    y[i] = random.nextInt(3);
                    for (int j = 0; j < t; j++) {
                        ids[i * t + j] = 8 + random.nextInt(config.vocabSize - 8);
                        mask[i * t + j] = 1;
                    }
                    ids[i * t + 1 + random.nextInt(t - 1)] = 5 + (int) y[i];
                }
                var r = g.train(
                        new EncodedBatch(b, t, ids, mask, types), y, 1e-3 * Math.min(1, (step + 1) / 10.0), step);
                assertTrue(r.gradientNorm() > 0 && Float.isFinite(r.gradientNorm()), "global norm " + r.gradientNorm());
                if (step < 5) first += r.loss() / 5;
                if (step >= steps - 5) {
                    last += r.loss() / 5;
                    lastCorrect += r.correct();
                }
            }
            assertEquals(Math.log(3), first, 0.3, "a fresh head starts near log 3");
            assertTrue(last < first * 0.5, "loss " + first + " -> " + last);
            assertTrue(lastCorrect / (5 * b) >= 0.8, "accuracy " + lastCorrect / (5 * b));
        }
    }

    /**
     * The training graph writes GELU in a different (cheaper) form than the served graph: with dropout off, both must
     * give the same logits for the same weights, with weights large enough that GELU's curved part is exercised.
     */
    @Test
    void withDropoutOffTheTrainingGraphComputesWhatTheServedGraphDoes() {
        BertConfig config = BertConfig.of(50, 2, 32, 2);
        config.maxPositionEmbeddings = 32;
        assertEquals("gelu", config.hiddenAct.toString());
        try (TrainingGraph train = new TrainingGraph(config, 1, SessionOptions.defaults());
                InferenceGraph serve = new InferenceGraph(config, SessionOptions.defaults())) {
            try (var init = WeightInit.create(train.variables().shapes(), 0.3f, 5)) {
                train.loadWeights(init);
                serve.load(init);
            }
            Random random = new Random(6);
            int b = 8, t = 10;
            int[] ids = new int[b * t], mask = new int[b * t], types = new int[b * t];
            for (int i = 0; i < b * t; i++) {
                ids[i] = random.nextInt(config.vocabSize);
                mask[i] = i % t < 3 + i / t ? 1 : 0;
            }
            EncodedBatch batch = new EncodedBatch(b, t, ids, mask, types);
            float[] trained = train.evaluate(batch, new float[b]).logits(), served = serve.logits(batch);
            float spread = 0;
            for (int i = 0; i < b; i++) {
                assertEquals(served[i], trained[i], 1e-4, "logit " + i);
                spread = Math.max(spread, Math.abs(served[i] - served[0]));
            }
            assertTrue(spread > 1e-2, "the logits differ between rows, so the comparison means something: " + spread);
        }
    }

    /**
     * Trains {@code steps} AdamW steps on "does token 7 occur" with random token ids below {@code vocabSize};
     * returns the mean loss of the first and of the last five steps.
     */
    public static float[] trainOnEasyTask(TrainingGraph g, int vocabSize, int steps) {
        float[] losses = stepLosses(g, vocabSize, steps);
        float first = 0, last = 0;
        for (int step = 0; step < steps; step++) {
            if (step < 5) first += losses[step] / 5;
            if (step >= steps - 5) last += losses[step] / 5;
        }
        System.out.println("loss " + first + " -> " + last);
        return new float[] {first, last};
    }

    /** Each step's loss on the easy task. */
    static float[] stepLosses(TrainingGraph g, int vocabSize, int steps) {
        Random random = new Random(3);
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            int b = 16, t = 16;
            int[] ids = new int[b * t], mask = new int[b * t], types = new int[b * t];
            float[] y = new float[b];
            for (int i = 0; i < b; i++) {
                y[i] = random.nextBoolean() ? 1 : 0;
                for (int j = 0; j < t; j++) {
                    ids[i * t + j] = 8 + random.nextInt(vocabSize - 8);
                    mask[i * t + j] = 1;
                }
                if (y[i] == 1) ids[i * t + 1 + random.nextInt(t - 1)] = 7;
                ids[i * t] = 1;
            }
            var r = g.train(new EncodedBatch(b, t, ids, mask, types), y, 1e-3 * Math.min(1, (step + 1) / 10.0), step);
            losses[step] = r.loss();
        }
        return losses;
    }

    /**
     * The run's kernel choice changes speed, not training: bert-clf's fused kernels and TensorFlow's ops draw the
     * same dropout masks, so a few steps from the same weights give the same losses up to the rounding of the fused
     * GELU and layer normalisation (before, TensorFlow's ops drew their own masks: losses as far apart as another
     * seed's, which this test also measures so that it could tell).
     */
    @Test
    void bothKernelChoicesTrainAlike() {
        assumeTrue(FusedKernels.available(), "no fused kernels in this build");
        BertConfig config = BertConfig.of(50, 2, 32, 2);
        config.maxPositionEmbeddings = 32;
        float[] fused = losses(config, 1, Kernels.FUSED);
        float[] ops = losses(config, 1, Kernels.TENSORFLOW);
        float[] otherMasks = losses(config, 2, Kernels.FUSED);
        double kernels = 0, seeds = 0;
        for (int i = 0; i < fused.length; i++) {
            kernels = Math.max(kernels, Math.abs(fused[i] - ops[i]));
            seeds = Math.max(seeds, Math.abs(fused[i] - otherMasks[i]));
        }
        System.out.println("largest loss difference: kernels " + kernels + ", masks " + seeds);
        assertTrue(kernels < 1e-4, "fused and TensorFlow's ops: " + kernels);
        assertTrue(seeds > 100 * kernels, "other masks should differ far more: " + seeds);
    }

    private static float[] losses(BertConfig config, long seed, Kernels kernels) {
        try (TrainingGraph g = new TrainingGraph(
                config,
                seed,
                SessionOptions.defaults(),
                new Loss.Binary(null),
                kernels,
                TrainingStep.single(new StopSignal()))) {
            assertEquals(kernels, g.kernels());
            List<String> types =
                    GraphOps.types((Graph) g.variables().scope("").scope().env());
            for (String op : List.of(FusedKernels.DROPOUT, FusedKernels.GELU, FusedKernels.LAYER_NORM)) {
                assertEquals(kernels.fused(), types.contains(op), op);
            }
            try (var init = WeightInit.create(g.variables().shapes(), 0.02f, 1)) {
                g.loadWeights(init);
            }
            return stepLosses(g, config.vocabSize, 8);
        }
    }
}
