package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.TfRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

    /** The tutorial's 0.01 (the default constructor), none, and another {@code --weight-decay}. */
    @ParameterizedTest
    @ValueSource(doubles = {AdamW.WEIGHT_DECAY, 0, 0.05})
    void matchesTheOfficialOptimizerIncludingDecayAndClipping(double decay) {
        double[] lrs = {1e-2, 5e-3, 2e-3};
        float[][] expected = reference(lrs, decay);
        float[][] after = train(lrs, decay);
        for (int i = 0; i < NAMES.length; i++) {
            for (int j = 0; j < INIT[i].length; j++) {
                assertEquals(expected[i][j], after[i][j], 1e-6, NAMES[i] + "[" + j + "]");
            }
        }
    }

    /**
     * {@code --weight-decay} reaches the weights it should and no other: the kernel ends elsewhere with 0.1 than
     * with 0, nearer 0 by about the decay's own share (the sum of {@code lr * 0.1 * w}; Adam's steps move w a
     * little between them), while the bias and LayerNorm weights end bit for bit the same.
     */
    @Test
    void weightDecayMovesOnlyTheDecayedWeights() {
        double[] lrs = {1e-2, 5e-3, 2e-3};
        float[][] none = train(lrs, 0), decayed = train(lrs, 0.1);
        for (int j = 0; j < INIT[0].length; j++) {
            double decayOnly = INIT[0][j] * 0.1 * (1e-2 + 5e-3 + 2e-3);
            assertEquals(none[0][j] - decayOnly, decayed[0][j], 0.05 * Math.abs(decayOnly), "kernel[" + j + "]");
            assertNotEquals(none[0][j], decayed[0][j]);
        }
        assertArrayEquals(none[1], decayed[1], "bias: never decayed");
        assertArrayEquals(none[2], decayed[2], "LayerNorm: never decayed");
    }

    @Test
    void aNegativeOrInfiniteWeightDecayIsRefused() {
        for (double bad : new double[] {-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> AdamW.checkWeightDecay(bad));
            assertEquals("--weight-decay must be 0 or a positive number, got " + bad, e.getMessage());
        }
    }

    /** The weights after {@code lrs.length} steps of the graph optimizer with weight decay {@code decay}. */
    private static float[][] train(double[] lrs, double decay) {
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
            AdamW opt = decay == AdamW.WEIGHT_DECAY ? new AdamW(tf, vars, gs) : new AdamW(tf, vars, gs, decay);
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
                    float[][] out = new float[NAMES.length][];
                    for (int i = 0; i < NAMES.length; i++) {
                        out[i] = new float[INIT[i].length];
                        for (int j = 0; j < INIT[i].length; j++)
                            out[i][j] = after.get(NAMES[i]).getFloat(j);
                    }
                    return out;
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
    static float[][] reference(double[] lrs, double weightDecay) {
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
                    if (decay) w[i][j] -= lr * weightDecay * w[i][j];
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
}
