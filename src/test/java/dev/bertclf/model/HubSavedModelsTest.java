package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyHubModel;
import dev.bertclf.testutil.TinyHubModel.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TF Hub's TF2 SavedModels (experts, talking-heads, ALBERT), in miniature with the Model Garden's variable names
 * and object-graph checkpoint, fetched by name as TF Hub's compressed tar.gz through a loopback mirror, cached,
 * restored, fine-tuned, exported and reloaded; and the same SavedModels as local folders.
 */
class HubSavedModelsTest {
    private static final int VOCAB = TinyBert.vocabulary().size();

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /**
     * A tiny hub model of the family in the registry's test entry, where its tar.gz is served, and a probe variable.
     */
    private record HubCase(String name, Family family, String urlPath, String probe, String hubProbe) {}

    private static final List<HubCase> CASES = List.of(
            new HubCase(
                    "experts_tiny",
                    Family.BERT,
                    "/google/experts/bert/tiny/2",
                    "bert/encoder/layer_1/attention/self/query/kernel",
                    "transformer/layer_1/self_attention/query/kernel"),
            new HubCase(
                    "talking_heads_tiny",
                    Family.TALKING_HEADS,
                    "/tensorflow/talkheads_tiny/1",
                    "bert/encoder/layer_1/intermediate/gate/kernel",
                    "transformer_scaffold_1/feedforward/gate_0/kernel"),
            new HubCase(
                    "albert_hub_tiny",
                    Family.ALBERT,
                    "/tensorflow/albert_tiny/2",
                    "bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel",
                    "transformer/intermediate/kernel"));

    /** Seeded weights small enough to fine-tune (layer-norm scales near 1). */
    private static Map<String, float[]> values(Family family, long seed) {
        Map<String, float[]> v = TinyHubModel.randomValues(TinyHubModel.variableShapes(family, VOCAB), seed);
        v.forEach((name, x) -> {
            for (int i = 0; i < x.length; i++) x[i] = name.endsWith("/gamma") ? 1 + 0.05f * x[i] : 0.05f * x[i];
        });
        return v;
    }

    /** The unpacked SavedModel: WordPiece {@code assets/vocab.txt}, or ALBERT's {@code assets/30k-clean.model}. */
    private Path savedModel(Path dir, Family family, Map<String, float[]> values) throws IOException {
        Map<String, byte[]> assets = family == Family.ALBERT
                ? Map.of("30k-clean.model", FamilyArchivesTest.sentencePieceModel())
                : Map.of("vocab.txt", String.join("\n", TinyBert.vocabulary()).getBytes(StandardCharsets.UTF_8));
        return TinyHubModel.write(dir, TinyHubModel.variableShapes(family, VOCAB), values, true, assets);
    }

    @Test
    void hubSavedModelsResolveByNameCacheRestoreFineTuneExportAndReload() throws Exception {
        ModelCatalog catalog = FamilyArchivesTest.tinyCatalog();
        Path cache = tmp.resolve("cache");
        Map<String, Map<String, float[]>> values = new LinkedHashMap<>();
        try (LoopbackServer server = new LoopbackServer()) {
            for (HubCase c : CASES) {
                values.put(c.name(), values(c.family(), c.name().length()));
                Path dir = savedModel(tmp.resolve("src-" + c.name()), c.family(), values.get(c.name()));
                server.serve(c.urlPath(), TinyHubModel.compressed(dir), LoopbackServer.Fault.NONE);
            }
            ModelResolver online = new ModelResolver(cache, server.uri("").toString(), catalog);
            for (HubCase c : CASES) {
                PretrainedModel m = online.resolve(c.name());
                assertEquals(cache.resolve(c.name()), m.directory());
                assertTrue(m.format() == PretrainedModel.Format.TF_HUB, c.name());
                assertEquals(c.family() == Family.ALBERT, m.sentencePiece(), c.name());
                assertEquals(
                        c.family() == Family.TALKING_HEADS, m.config().talkingHeads && m.config().gatedFeedforward);
                assertEquals(
                        c.family() == Family.ALBERT ? "albert" : "bert",
                        m.config().modelType.toString());
                assertEquals(2, m.config().numHiddenLayers, "from the registry, which ALBERT's weights cannot tell");
            }
            assertEquals(CASES.size(), server.ranges.size(), "one download each");
        }
        try (Stream<Path> cached = Files.list(cache)) {
            assertFalse(cached.anyMatch(p -> p.getFileName().toString().endsWith(".tar.gz")), "archives removed");
        }
        ModelResolver offline = new ModelResolver(cache, "http://127.0.0.1:9", catalog);
        for (HubCase c : CASES) {
            PretrainedModel m = offline.resolve(c.name());
            float[] stored = values.get(c.name()).get(c.hubProbe());
            int columns = stored.length / TinyHubModel.HIDDEN; // [hidden, ...] kernels, folded row-major to 2-D
            try (Weights trained = FamilyArchivesTest.restoreAndFineTune(m, c.probe(), stored[3 * columns + 5])) {
                FamilyArchivesTest.assertExportReloadsWithSameLogits(m, trained, tmp.resolve("export-" + c.name()));
            }
        }
    }

    @Test
    void anUnpackedHubFolderTellsItsOwnConfig() throws Exception {
        for (Family family : List.of(Family.BERT, Family.TALKING_HEADS)) {
            Path dir = savedModel(tmp.resolve("folder-" + family), family, values(family, 5));
            PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
            assertTrue(m.format() == PretrainedModel.Format.TF_HUB);
            BertConfig c = m.config();
            assertEquals(
                    List.of(VOCAB, 2, 32, 2, 64, 64, 2),
                    List.of(
                            c.vocabSize,
                            c.numHiddenLayers,
                            c.hiddenSize,
                            c.numAttentionHeads,
                            c.intermediateSize,
                            c.maxPositionEmbeddings,
                            c.typeVocabSize),
                    family.name());
            assertEquals(family == Family.TALKING_HEADS, c.talkingHeads && c.gatedFeedforward, family.name());
            assertTrue(m.lowercase(), "the tiny vocabulary is uncased");
            try (Weights weights = m.initialWeights(TinyBert.encoderShapes(c), 1)) {
                assertEquals(
                        values(family, 5).get("word_embeddings/embeddings")[3 * 32 + 5],
                        weights.get("bert/embeddings/word_embeddings").getFloat(3, 5));
            }
        }
    }

    /**
     * A BERT encoder with narrower embeddings (BertEncoder's embedding_width) restores into bert/embeddings_project.
     */
    @Test
    void aBertWithAnEmbeddingProjectionRestoresIntoTheGraphsProjection() throws Exception {
        int width = TinyHubModel.EMBEDDING;
        Map<String, long[]> shapes = new LinkedHashMap<>(TinyHubModel.variableShapes(Family.BERT, VOCAB));
        shapes.replaceAll((name, shape) -> name.startsWith("embeddings/")
                ? new long[] {width}
                : name.endsWith("/embeddings") ? new long[] {shape[0], width} : shape);
        shapes.put("embedding_projection/kernel", new long[] {width, TinyHubModel.HIDDEN});
        shapes.put("embedding_projection/bias", new long[] {TinyHubModel.HIDDEN});
        Map<String, float[]> values = TinyHubModel.randomValues(shapes, 8);
        Path dir = TinyHubModel.write(
                tmp.resolve("projected"),
                shapes,
                values,
                true,
                Map.of("vocab.txt", String.join("\n", TinyBert.vocabulary()).getBytes(StandardCharsets.UTF_8)));
        PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        assertEquals("bert", m.config().modelType.toString());
        assertEquals(width, m.config().embeddingWidth());
        try (Weights weights = m.initialWeights(TinyBert.encoderShapes(m.config()), 1)) {
            assertEquals(
                    values.get("embedding_projection/kernel")[3 * TinyHubModel.HIDDEN + 5],
                    weights.get("bert/embeddings_project/kernel").getFloat(3, 5));
        }
    }

    @Test
    void anAlbertFolderNeedsItsLayerCount() throws Exception {
        Path dir = savedModel(tmp.resolve("albert"), Family.ALBERT, values(Family.ALBERT, 6));
        ModelResolver resolver = new ModelResolver(tmp.resolve("cache"), null);
        ModelException e = assertThrows(ModelException.class, () -> resolver.resolve(dir.toString()));
        assertTrue(e.getMessage().contains("ALBERT") && e.getMessage().contains("num_hidden_layers"), e.getMessage());

        BertConfig declared = TinyBert.config("albert");
        declared.numHiddenLayers = 3;
        declared.write(dir.resolve("bert_config.json"));
        PretrainedModel m = resolver.resolve(dir.toString());
        assertEquals(3, m.config().numHiddenLayers);
        assertTrue(m.sentencePiece() && m.lowercase());
        assertEquals(dir.resolve("assets/30k-clean.model"), m.vocab());
    }

    @Test
    void aRegistryEntryThatDoesNotFitTheWeightsNamesBoth() throws Exception {
        Path dir = savedModel(tmp.resolve("th"), Family.TALKING_HEADS, values(Family.TALKING_HEADS, 7));
        ModelCatalog.Entry experts =
                FamilyArchivesTest.tinyCatalog().find("experts_tiny").orElseThrow();
        ModelException e =
                assertThrows(ModelException.class, () -> ModelResolver.fromDirectory("experts_tiny", dir, experts));
        assertTrue(
                e.getMessage().contains("registry entry experts_tiny")
                        && e.getMessage().contains(dir.toString())
                        && e.getMessage().contains("talking_heads false but the weights have true"),
                e.getMessage());
    }
}
