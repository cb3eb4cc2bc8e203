package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.TfRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The graph optimizer against a plain-Java transcription of the official AdamWeightDecay, step by step. */
class AdamWTest {
    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    static final String[] NAMES = {"layer/kernel", "layer/bias", "layer/LayerNorm/gamma"};
    static final float[][] INIT = {{0.5f, -1f, 2f}, {0.1f, 0.2f}, {1f, 1f}};
    /** loss = sum(w_i * c_i), so each gradient is the constant c_i; its global norm (about 4.4) forces clipping. */
    static final float[][] GRAD = {{1f, -2f, 3f}, {0.5f, 1.5f}, {-1f, 0.25f}};

    @Test
    void matchesTheOfficialOptimizerIncludingDecayAndClipping() {
        double[] lrs = {1e-2, 5e-3, 2e-3};
        float[][] expected = reference(lrs);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            NamedVariables vars = new NamedVariables(tf);
            Operand<TFloat32> loss = null;
            for (int i = 0; i < NAMES.length; i++) {
                Operand<TFloat32> term = tf.sum(
                        tf.math.mul(vars.create(NAMES[i], INIT[i].length), tf.constant(GRAD[i])), tf.constant(0));
                loss = loss == null ? term : tf.math.add(loss, term);
            }
            var grads = tf.gradients(loss, vars.operands());
            Map<String, Gradient> gs = new LinkedHashMap<>();
            for (int i = 0; i < NAMES.length; i++) gs.put(NAMES[i], new Gradient.Dense(grads.<TFloat32>dy(i)));
            AdamW opt = new AdamW(tf, vars, gs);
            try (Session s = new Session(g)) {
                s.initialize();
                s.runner().addTarget(opt.resetSlots).run();
                try (Weights init = new Weights()) {
                    for (int i = 0; i < NAMES.length; i++) init.put(NAMES[i], TFloat32.vectorOf(INIT[i]));
                    vars.load(s, init.asMap());
                }
                for (int step = 0; step < lrs.length; step++) {
                    try (TFloat32 lr = TFloat32.scalarOf((float) lrs[step]);
                            TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA1, step + 1));
                            TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(AdamW.BETA2, step + 1))) {
                        try (var r = s.runner()
                                .feed(opt.learningRate, lr)
                                .feed(opt.beta1Power, b1)
                                .feed(opt.beta2Power, b2)
                                .addTarget(opt.update)
                                .fetch(opt.globalNorm)
                                .run()) {
                            assertEquals(globalNorm(GRAD), ((TFloat32) r.get(0)).getFloat(), 1e-6, "global_norm");
                        }
                    }
                }
                try (Weights after = vars.read(s)) {
                    for (int i = 0; i < NAMES.length; i++) {
                        for (int j = 0; j < INIT[i].length; j++) {
                            assertEquals(
                                    expected[i][j], after.get(NAMES[i]).getFloat(j), 1e-6, NAMES[i] + "[" + j + "]");
                        }
                    }
                }
            }
        }
    }

    /** The gradients' norm before clipping: the square root of the sum of every squared component. */
    static double globalNorm(float[][] grads) {
        double sum = 0;
        for (float[] g : grads) for (float x : g) sum += x * x;
        return Math.sqrt(sum);
    }

    /** AdamWeightDecay.apply_gradients: clip by global norm 1, decay (not LayerNorm/bias) with lr, then Adam. */
    static float[][] reference(double[] lrs) {
        double norm = 0;
        for (float[] g : GRAD) for (float x : g) norm += x * x;
        double scale = 1.0 / Math.max(Math.sqrt(norm), 1.0);
        double[][] w = new double[NAMES.length][], m = new double[NAMES.length][], v = new double[NAMES.length][];
        for (int i = 0; i < NAMES.length; i++) {
            w[i] = new double[INIT[i].length];
            for (int j = 0; j < w[i].length; j++) w[i][j] = INIT[i][j];
            m[i] = new double[w[i].length];
            v[i] = new double[w[i].length];
        }
        for (int t = 1; t <= lrs.length; t++) {
            double lr = lrs[t - 1];
            double lrT = lr * Math.sqrt(1 - Math.pow(AdamW.BETA2, t)) / (1 - Math.pow(AdamW.BETA1, t));
            for (int i = 0; i < NAMES.length; i++) {
                boolean decay = !NAMES[i].contains("LayerNorm") && !NAMES[i].contains("bias");
                for (int j = 0; j < w[i].length; j++) {
                    double g = GRAD[i][j] * scale;
                    if (decay) w[i][j] -= lr * AdamW.WEIGHT_DECAY * w[i][j];
                    m[i][j] = AdamW.BETA1 * m[i][j] + (1 - AdamW.BETA1) * g;
                    v[i][j] = AdamW.BETA2 * v[i][j] + (1 - AdamW.BETA2) * g * g;
                    w[i][j] -= lrT * m[i][j] / (Math.sqrt(v[i][j]) + AdamW.EPSILON);
                }
            }
        }
        float[][] out = new float[NAMES.length][];
        for (int i = 0; i < NAMES.length; i++) {
            out[i] = new float[w[i].length];
            for (int j = 0; j < w[i].length; j++) out[i][j] = (float) w[i][j];
        }
        return out;
    }

    @Test
    void decayExcludesLayerNormAndBias() {
        assertTrue(AdamW.decays("bert/encoder/layer_0/attention/self/query/kernel"));
        assertTrue(AdamW.decays("bert/embeddings/word_embeddings"));
        assertFalse(AdamW.decays("bert/encoder/layer_0/output/LayerNorm/gamma"));
        assertFalse(AdamW.decays("classifier/bias"));
    }

    @Test
    void scheduleWarmsUpThenDecaysAtTheGlobalStep() {
        LearningRateSchedule s = LearningRateSchedule.tutorial(3e-5, 3125);
        assertEquals(312, s.warmupSteps());
        assertEquals(0, s.at(0), 0);
        assertEquals(3e-5 * 156 / 312, s.at(156), 1e-12);
        assertEquals(3e-5 * (1 - 312 / 3125.0), s.at(312), 1e-12, "PolynomialDecay at the global step, as Keras");
        assertEquals(0, s.at(3125), 0);
        assertEquals(0, s.at(4000), 0);
    }
}
