package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.EncodedBatch;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The ELECTRA, ALBERT and talking-heads variants of the encoder graph: names, shapes and arithmetic. */
class BertFamiliesGraphTest {
    /** Two rows, the second padded, so the attention mask takes part. */
    private static final EncodedBatch BATCH = new EncodedBatch(
            2,
            6,
            new int[] {2, 9, 14, 20, 3, 0, 2, 11, 3, 0, 0, 0},
            new int[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0},
            new int[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0});

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /** {@code [sequence..., pooled...]} of the encoder on {@link #BATCH}. */
    static float[][] run(BertConfig config, Map<String, TFloat32> weights) {
        try (Graph g = new Graph()) {
            NamedVariables vars = new NamedVariables(Ops.create(g));
            BertModel bert = new BertModel(config, vars, Mode.INFERENCE, null);
            try (Session s = new Session(g);
                    InputTensors in = new InputTensors(BATCH)) {
                vars.load(s, weights);
                try (Result r = in.feed(s.runner(), bert)
                        .fetch(bert.sequenceOutput)
                        .fetch(bert.pooledOutput)
                        .run()) {
                    return new float[][] {values((TFloat32) r.get(0)), values((TFloat32) r.get(1))};
                }
            }
        }
    }

    private static float[] values(TFloat32 t) {
        float[] v = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(v, false, false));
        return v;
    }

    private static TFloat32 filled(Shape shape, float value, boolean diagonalOnly) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = !diagonalOnly || i / shape.get(1) == i % shape.get(1) ? value : 0;
        }
        return TFloat32.tensorOf(shape, DataBuffers.of(v, true, false));
    }

    private static float maxDifference(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    /** Identity head mixing and a gate of ones turn the talking-heads, gated-GELU layer back into BERT's. */
    @Test
    void talkingHeadsWithIdentityMixingAndUnitGateIsPlainBert() {
        BertConfig plain = TinyBert.config();
        BertConfig th = TinyBert.config("talking_heads");
        Map<String, Shape> shapes = TinyBert.encoderShapes(th);
        String layer = "bert/encoder/layer_1/";
        assertEquals(Shape.of(2, 2), shapes.get(layer + "attention/self/pre_softmax_weight"));
        assertEquals(Shape.of(2, 2), shapes.get(layer + "attention/self/post_softmax_weight"));
        assertEquals(Shape.of(32, 64), shapes.get(layer + "intermediate/gate/kernel"));
        assertEquals(Shape.of(64), shapes.get(layer + "intermediate/gate/bias"));
        assertEquals(TinyBert.encoderShapes(plain).size() + 2 * 4, shapes.size());

        try (Weights weights = WeightInit.create(shapes, 0.2f, 5)) {
            for (String name : shapes.keySet()) {
                TFloat32 replacement = name.endsWith("_softmax_weight")
                        ? filled(shapes.get(name), 1, true)
                        : name.endsWith("gate/kernel")
                                ? filled(shapes.get(name), 0, false)
                                : name.endsWith("gate/bias") ? filled(shapes.get(name), 1, false) : null;
                if (replacement != null) weights.put(name, replacement);
            }
            Map<String, TFloat32> plainWeights = new HashMap<>(weights.asMap());
            plainWeights.keySet().retainAll(TinyBert.encoderShapes(plain).keySet());
            float[][] a = run(plain, plainWeights), b = run(th, weights.asMap());
            assertTrue(maxDifference(a[0], b[0]) < 1e-5, "sequence outputs differ by " + maxDifference(a[0], b[0]));
            assertTrue(maxDifference(a[1], b[1]) < 1e-5, "pooled outputs differ by " + maxDifference(a[1], b[1]));

            // And the mixing is live: other weights give other outputs.
            weights.put(layer + "attention/self/pre_softmax_weight", filled(Shape.of(2, 2), 0.7f, false));
            assertTrue(maxDifference(a[0], run(th, weights.asMap())[0]) > 1e-3, "pre-softmax mixing has no effect");
        }
    }

    /** ALBERT: factorised embeddings projected in, and one set of layer weights however many layers run. */
    @Test
    void albertSharesOneLayerUnderGooglesNames() {
        BertConfig two = TinyBert.config("albert");
        BertConfig three = TinyBert.config("albert");
        three.numHiddenLayers = 3;
        Map<String, Shape> shapes = TinyBert.encoderShapes(two);
        assertEquals(shapes, TinyBert.encoderShapes(three));
        String l = "bert/encoder/transformer/group_0/inner_group_0/";
        assertEquals(Shape.of(TinyBert.vocabulary().size(), 16), shapes.get("bert/embeddings/word_embeddings"));
        assertEquals(Shape.of(16), shapes.get("bert/embeddings/LayerNorm/gamma"));
        assertEquals(Shape.of(16, 32), shapes.get("bert/encoder/embedding_hidden_mapping_in/kernel"));
        assertEquals(Shape.of(32, 32), shapes.get(l + "attention_1/self/query/kernel"));
        assertEquals(Shape.of(32, 32), shapes.get(l + "attention_1/output/dense/kernel"));
        assertEquals(Shape.of(32), shapes.get(l + "LayerNorm/gamma"));
        assertEquals(Shape.of(32, 64), shapes.get(l + "ffn_1/intermediate/dense/kernel"));
        assertEquals(Shape.of(64, 32), shapes.get(l + "ffn_1/intermediate/output/dense/kernel"));
        assertEquals(Shape.of(32), shapes.get(l + "LayerNorm_1/beta"));
        assertEquals(Shape.of(32, 32), shapes.get("bert/pooler/dense/kernel"));
        assertEquals(
                two.parameterCount(),
                shapes.values().stream().mapToLong(Shape::size).sum());
        assertFalse(
                shapes.keySet().stream().anyMatch(n -> n.contains("layer_")),
                shapes.keySet().toString());

        try (Weights weights = WeightInit.create(shapes, 0.2f, 5)) {
            assertTrue(
                    maxDifference(run(two, weights.asMap())[0], run(three, weights.asMap())[0]) > 1e-3,
                    "the shared layer runs per layer");
        }
    }

    /** ELECTRA: its own scope, the embedding projection, and the [CLS] vector as pooled output (no pooler). */
    @Test
    void electraProjectsEmbeddingsAndPoolsTheClsVector() {
        BertConfig config = TinyBert.config("electra");
        Map<String, Shape> shapes = TinyBert.encoderShapes(config);
        assertEquals(Shape.of(TinyBert.vocabulary().size(), 16), shapes.get("electra/embeddings/word_embeddings"));
        assertEquals(Shape.of(16, 32), shapes.get("electra/embeddings_project/kernel"));
        assertEquals(Shape.of(32, 32), shapes.get("electra/encoder/layer_1/attention/self/query/kernel"));
        assertFalse(
                shapes.keySet().stream().anyMatch(n -> n.contains("pooler") || n.startsWith("bert/")),
                shapes.keySet().toString());
        assertEquals(
                config.parameterCount(),
                shapes.values().stream().mapToLong(Shape::size).sum());

        try (Weights weights = WeightInit.create(shapes, 0.2f, 5)) {
            float[][] out = run(config, weights.asMap());
            for (int row = 0; row < 2; row++) {
                for (int k = 0; k < 32; k++) assertEquals(out[0][row * 6 * 32 + k], out[1][row * 32 + k], 0f);
            }
            BertConfig tanhGelu = config.copy();
            tanhGelu.hiddenAct = BertConfig.HiddenAct.GELU;
            assertTrue(
                    maxDifference(out[0], run(tanhGelu, weights.asMap())[0]) > 1e-6,
                    "hidden_act selects the GELU form");
        }
    }
}
