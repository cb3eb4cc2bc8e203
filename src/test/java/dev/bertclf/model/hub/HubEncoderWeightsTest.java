package dev.bertclf.model.hub;

import static dev.bertclf.testutil.TinyHubModel.EMBEDDING;
import static dev.bertclf.testutil.TinyHubModel.HEAD_SIZE;
import static dev.bertclf.testutil.TinyHubModel.HIDDEN;
import static dev.bertclf.testutil.TinyHubModel.INTERMEDIATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.ArchiveExtractor;
import dev.bertclf.model.BertModel;
import dev.bertclf.model.Mode;
import dev.bertclf.model.NamedVariables;
import dev.bertclf.model.Weights;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.testutil.TestArchives;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyHubModel;
import dev.bertclf.testutil.TinyHubModel.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class HubEncoderWeightsTest {
    private static final int VOCAB = TinyBert.vocabulary().size();

    @TempDir
    Path tmp;

    /** Writes a tiny hub model, packs it like TF Hub's compressed download, unpacks it with our extractor, opens it. */
    private HubEncoderWeights downloaded(Family family, Map<String, float[]> values) throws IOException {
        Path written = TinyHubModel.write(
                tmp.resolve("written"),
                TinyHubModel.variableShapes(family, VOCAB),
                values,
                true,
                Map.of("vocab.txt", String.join("\n", TinyBert.vocabulary()).getBytes(StandardCharsets.UTF_8)));
        Path archive = TestArchives.write(tmp.resolve(family + ".tar.gz"), TinyHubModel.compressed(written));
        Path unpacked = tmp.resolve("unpacked");
        new ArchiveExtractor().extract(archive, unpacked, ArchiveExtractor.Limits.DEFAULT);
        assertTrue(Files.isRegularFile(unpacked.resolve("variables/variables.index")));
        return HubEncoderWeights.open(unpacked);
    }

    @Test
    void bertFamilyGivesExactlyTheVariablesOfOurGraphWithFoldedAttentionKernels() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.BERT, VOCAB);
        Map<String, float[]> values = TinyHubModel.randomValues(shapes, 1);
        HubEncoderWeights hub = downloaded(Family.BERT, values);

        assertEquals(
                new HubArchitecture(VOCAB, HIDDEN, 2, 2, INTERMEDIATE, 64, 2, HIDDEN, false, false, false),
                hub.architecture());
        Map<String, Shape> graph = graphShapes();
        assertEquals(new TreeMap<>(asShapes(hub.shapes())), new TreeMap<>(graph));

        try (Weights weights = Weights.of(hub.read(graph))) {
            for (var e : weights.asMap().entrySet()) {
                assertArrayEquals(values.get(hub.hubName(e.getKey())), values(e.getValue()), e.getKey());
            }
            // [hidden, heads, head_size] -> [hidden, heads * head_size]: element (5, head 1, 3) is column 19.
            float[] query = values.get("transformer/layer_1/self_attention/query/kernel");
            assertEquals(
                    query[(5 * 2 + 1) * HEAD_SIZE + 3],
                    weights.get("bert/encoder/layer_1/attention/self/query/kernel")
                            .getFloat(5, HEAD_SIZE + 3));
            float[] bias = values.get("transformer/layer_0/self_attention/value/bias");
            assertEquals(
                    bias[HEAD_SIZE + 2],
                    weights.get("bert/encoder/layer_0/attention/self/value/bias")
                            .getFloat(HEAD_SIZE + 2));
            // [heads, head_size, hidden] -> [heads * head_size, hidden]: element (head 1, 3, 7) is row 19.
            float[] out = values.get("transformer/layer_0/self_attention/attention_output/kernel");
            assertEquals(
                    out[(HEAD_SIZE + 3) * HIDDEN + 7],
                    weights.get("bert/encoder/layer_0/attention/output/dense/kernel")
                            .getFloat(HEAD_SIZE + 3, 7));
            assertArrayEquals(values.get("pooler_transform/kernel"), values(weights.get("bert/pooler/dense/kernel")));
        }
    }

    @Test
    void albertMapsTheSharedBlockToGooglesAlbertNames() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.ALBERT, VOCAB);
        Map<String, float[]> values = TinyHubModel.randomValues(shapes, 2);
        HubEncoderWeights hub = downloaded(Family.ALBERT, values);

        HubArchitecture a = hub.architecture();
        assertTrue(a.sharedLayers());
        assertEquals(0, a.numLayers());
        assertEquals(EMBEDDING, a.embeddingSize());
        assertEquals(HIDDEN, a.hiddenSize());
        String block = "bert/encoder/transformer/group_0/inner_group_0/";
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("bert/embeddings/word_embeddings", "word_embeddings/embeddings");
        expected.put("bert/embeddings/LayerNorm/gamma", "embeddings/layer_norm/gamma");
        expected.put("bert/encoder/embedding_hidden_mapping_in/kernel", "embedding_projection/kernel");
        expected.put(block + "attention_1/self/query/kernel", "transformer/self_attention/query/kernel");
        expected.put(block + "attention_1/output/dense/kernel", "transformer/self_attention/attention_output/kernel");
        expected.put(block + "LayerNorm/gamma", "transformer/self_attention_layer_norm/gamma");
        expected.put(block + "ffn_1/intermediate/dense/kernel", "transformer/intermediate/kernel");
        expected.put(block + "ffn_1/intermediate/output/dense/kernel", "transformer/output/kernel");
        expected.put(block + "LayerNorm_1/beta", "transformer/output_layer_norm/beta");
        expected.put("bert/pooler/dense/bias", "pooler_transform/bias");
        assertEquals(shapes.size(), hub.shapes().size());
        assertArrayEquals(new long[] {VOCAB, EMBEDDING}, hub.shapes().get("bert/embeddings/word_embeddings"));
        assertArrayEquals(new long[] {HIDDEN, HIDDEN}, hub.shapes().get(block + "attention_1/self/key/kernel"));
        assertReadsAs(hub, asShapes(hub.shapes()), expected, values);
    }

    @Test
    void talkingHeadsLayersAreOrderedByKerasSuffixAndKeepTheirExtraWeights() throws IOException {
        Map<String, float[]> values =
                TinyHubModel.randomValues(TinyHubModel.variableShapes(Family.TALKING_HEADS, VOCAB), 3);
        HubEncoderWeights hub = downloaded(Family.TALKING_HEADS, values);
        assertEquals(
                new HubArchitecture(VOCAB, HIDDEN, 2, 2, INTERMEDIATE, 64, 2, HIDDEN, false, true, true),
                hub.architecture());
        Map<String, String> expected = Map.of(
                "bert/encoder/layer_0/attention/self/pre_softmax_weight",
                        "transformer_scaffold/self_attention/pre_softmax_weight",
                "bert/encoder/layer_1/attention/self/post_softmax_weight",
                        "transformer_scaffold_1/self_attention/post_softmax_weight",
                "bert/encoder/layer_1/intermediate/dense/kernel",
                        "transformer_scaffold_1/feedforward/intermediate_0/kernel",
                "bert/encoder/layer_1/intermediate/gate/kernel", "transformer_scaffold_1/feedforward/gate_0/kernel",
                "bert/encoder/layer_0/intermediate/gate/bias", "transformer_scaffold/feedforward/gate_0/bias",
                "bert/encoder/layer_0/output/dense/kernel", "transformer_scaffold/feedforward/output_0/kernel",
                "bert/encoder/layer_1/output/LayerNorm/gamma",
                        "transformer_scaffold_1/feedforward/output_layer_norm_0/gamma",
                "bert/pooler/dense/kernel", "cls_transform/kernel");
        Map<String, Shape> wanted = new LinkedHashMap<>(graphShapes());
        for (int layer = 0; layer < 2; layer++) {
            String p = "bert/encoder/layer_" + layer + "/";
            wanted.put(p + "attention/self/pre_softmax_weight", Shape.of(2, 2));
            wanted.put(p + "attention/self/post_softmax_weight", Shape.of(2, 2));
            wanted.put(p + "intermediate/gate/kernel", Shape.of(HIDDEN, INTERMEDIATE));
            wanted.put(p + "intermediate/gate/bias", Shape.of(INTERMEDIATE));
        }
        assertEquals(new TreeMap<>(wanted), new TreeMap<>(asShapes(hub.shapes())));
        assertReadsAs(hub, wanted, expected, values);
    }

    /** Each of our names comes from the expected TF2 variable, and reading gives that variable's values. */
    private static void assertReadsAs(
            HubEncoderWeights hub,
            Map<String, Shape> wanted,
            Map<String, String> expected,
            Map<String, float[]> values) {
        expected.forEach((ours, tf2) -> assertEquals(tf2, hub.hubName(ours), ours));
        try (Weights weights = Weights.of(hub.read(wanted))) {
            expected.forEach((ours, tf2) -> assertArrayEquals(values.get(tf2), values(weights.get(ours)), ours));
        }
    }

    @Test
    void checkpointWithoutObjectGraphIsNamedAsSuch() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.BERT, VOCAB);
        Path dir = TinyHubModel.write(tmp.resolve("m"), shapes, TinyHubModel.randomValues(shapes, 4), false, Map.of());
        String message = assertThrows(CheckpointException.class, () -> HubEncoderWeights.open(dir))
                .getMessage();
        assertTrue(message.contains("_CHECKPOINTABLE_OBJECT_GRAPH") && message.contains("not a TF2"), message);
    }

    @Test
    void folderWithoutVariablesIsNotASavedModel() {
        String message = assertThrows(CheckpointException.class, () -> HubEncoderWeights.open(tmp))
                .getMessage();
        assertTrue(message.contains("is not a TF2 SavedModel") && message.contains("variables.index"), message);
    }

    @Test
    void encoderVariableWithoutARuleIsRefusedByName() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.BERT, VOCAB);
        shapes.put("final_layer_norm/gamma", new long[] {HIDDEN});
        shapes.put("transformer/layer_1/self_attention/rotary/kernel", new long[] {HIDDEN});
        Path dir = TinyHubModel.write(tmp.resolve("m"), shapes, TinyHubModel.randomValues(shapes, 5), true, Map.of());
        String message = assertThrows(CheckpointException.class, () -> HubEncoderWeights.open(dir))
                .getMessage();
        assertTrue(
                message.contains("final_layer_norm/gamma")
                        && message.contains("rotary/kernel")
                        && message.contains("does not know"),
                message);
    }

    @Test
    void layerMissingAVariableIsReportedByOurName() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.BERT, VOCAB);
        shapes.remove("transformer/layer_1/self_attention/key/kernel");
        Path dir = TinyHubModel.write(tmp.resolve("m"), shapes, TinyHubModel.randomValues(shapes, 6), true, Map.of());
        String message = assertThrows(CheckpointException.class, () -> HubEncoderWeights.open(dir))
                .getMessage();
        assertTrue(message.contains("bert/encoder/layer_1/attention/self/key/kernel"), message);
    }

    @Test
    void unknownNameAndWrongShapeAreBothNamedBeforeAnythingIsRead() throws IOException {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(Family.BERT, VOCAB);
        HubEncoderWeights hub = HubEncoderWeights.open(
                TinyHubModel.write(tmp.resolve("m"), shapes, TinyHubModel.randomValues(shapes, 7), true, Map.of()));
        Map<String, Shape> wanted = new LinkedHashMap<>();
        wanted.put("bert/encoder/layer_0/attention/self/qeury/kernel", Shape.of(HIDDEN, HIDDEN));
        wanted.put("bert/encoder/layer_0/intermediate/dense/kernel", Shape.of(HIDDEN, 128));
        String message =
                assertThrows(CheckpointException.class, () -> hub.read(wanted)).getMessage();
        assertTrue(
                message.contains("no variable bert/encoder/layer_0/attention/self/qeury/kernel (closest: "
                        + "bert/encoder/layer_0/attention/self/query/kernel"),
                message);
        assertTrue(
                message.contains("transformer/layer_0/intermediate/kernel")
                        && message.contains("[32, 64]")
                        && message.contains("expects [32, 128]"),
                message);
    }

    /** The exact names and shapes of our graph for the tiny config (BERT: L-2 H-32 A-2 I-64). */
    private static Map<String, Shape> graphShapes() {
        try (Graph g = new Graph()) {
            NamedVariables vars = new NamedVariables(Ops.create(g));
            new BertModel(TinyBert.config(), vars, Mode.INFERENCE, null);
            return new LinkedHashMap<>(vars.shapes());
        }
    }

    private static Map<String, Shape> asShapes(Map<String, long[]> shapes) {
        Map<String, Shape> out = new LinkedHashMap<>();
        shapes.forEach((k, v) -> out.put(k, Shape.of(v)));
        return out;
    }

    private static float[] values(TFloat32 t) {
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }
}
