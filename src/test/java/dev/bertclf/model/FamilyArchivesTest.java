package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TestArchives;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyClassifier;
import dev.bertclf.testutil.TinySentencePiece;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.TrainingGraph;
import dev.bertclf.train.TrainingGraphTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * ELECTRA's and ALBERT's release archives, in miniature and in their exact layout and variable names, fetched by
 * name through a loopback mirror, cached, restored by name, fine-tuned, exported and reloaded.
 */
class FamilyArchivesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /** Texts the tiny WordPiece vocabulary and the tiny SentencePiece model both cover. */
    static final List<String> TEXTS = List.of("The movie was amazing!", "the movie was great !", "awful boring film");

    /**
     * A registry with tiny ELECTRA and ALBERT entries (Google's archives) and tiny TF Hub SavedModel entries of
     * each hub family, in the format of config/models.json.
     */
    static ModelCatalog tinyCatalog() {
        String entries = Stream.of(
                        entry(
                                "electra_tiny",
                                "electra",
                                "vocab.txt",
                                "/electra-data/electra_tiny.zip",
                                "google-tf1-zip",
                                "electra"),
                        entry(
                                "albert_tiny",
                                "albert",
                                "30k-clean.model",
                                "/albert_models/albert_tiny_v2.tar.gz",
                                "google-tf1-tar-gz",
                                "albert"),
                        entry(
                                "experts_tiny",
                                "experts",
                                "vocab.txt",
                                "/google/experts/bert/tiny/2?tf-hub-format=compressed",
                                "tfhub-savedmodel",
                                "bert"),
                        entry(
                                "talking_heads_tiny",
                                "talking_heads",
                                "vocab.txt",
                                "/tensorflow/talkheads_tiny/1?tf-hub-format=compressed",
                                "tfhub-savedmodel",
                                "talking_heads"),
                        entry(
                                "albert_hub_tiny",
                                "albert",
                                "30k-clean.model",
                                "/tensorflow/albert_tiny/2?tf-hub-format=compressed",
                                "tfhub-savedmodel",
                                "albert"))
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
        return ModelCatalog.parse("{\"models\": [" + entries + "]}", "test registry");
    }

    private static String entry(
            String name, String family, String vocab, String path, String format, String configFamily) {
        return """
                {"name": "%s", "aliases": [], "family": "%s", "tfhub_handle": "https://hub.invalid/x", "preprocess": "p",
                 "lowercase": true, "vocabulary": "%s", "folder": "%s",
                 "sources": [{"url": "https://models.invalid%s", "format": "%s", "bytes": null}],
                 "config": %s}"""
                .formatted(
                        name,
                        family,
                        vocab,
                        name,
                        path,
                        format,
                        TinyBert.config(configFamily).toJson());
    }

    /** ELECTRA's zip: {@code electra_small/vocab.txt} and {@code electra_small/electra_small.*}, no config file. */
    private byte[] electraZip() throws IOException {
        Path dir = tmp.resolve("electra-src/electra_tiny");
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), TinyBert.vocabulary());
        TinyBert.writeCheckpoint(dir.resolve("electra_tiny"), TinyBert.config("electra"), "");
        Files.writeString(dir.resolve("checkpoint"), "model_checkpoint_path: \"electra_tiny\"\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes);
                Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                z.putNextEntry(new ZipEntry("electra_tiny/" + f.getFileName()));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** ALBERT's tar.gz: {@code albert_base/albert_config.json}, {@code model.ckpt-best.*}, the SentencePiece model. */
    private byte[] albertTarGz() throws IOException {
        Path dir = tmp.resolve("albert-src");
        Files.createDirectories(dir);
        TinyBert.writeCheckpoint(dir.resolve("model.ckpt-best"), TinyBert.config("albert"), "");
        byte[] config =
                """
                {"attention_probs_dropout_prob": 0, "hidden_act": "gelu", "hidden_dropout_prob": 0, "embedding_size": 16,
                 "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "max_position_embeddings": 64,
                 "num_attention_heads": 2, "num_hidden_layers": 2, "num_hidden_groups": 1, "inner_group_num": 1,
                 "type_vocab_size": 2, "vocab_size": %d}"""
                        .formatted(TinyBert.vocabulary().size())
                        .getBytes();
        return TestArchives.tarGz(tar -> {
            try {
                TestArchives.addFile(tar, "albert_tiny/albert_config.json", config);
                TestArchives.addFile(tar, "albert_tiny/30k-clean.model", sentencePieceModel());
                for (String ext : List.of(".index", ".data-00000-of-00001")) {
                    TestArchives.addFile(
                            tar,
                            "albert_tiny/model.ckpt-best" + ext,
                            Files.readAllBytes(dir.resolve("model.ckpt-best" + ext)));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void electraAndAlbertArchivesResolveByNameCacheRestoreAndFineTune() throws Exception {
        ModelCatalog catalog = tinyCatalog();
        Path cache = tmp.resolve("cache");
        try (LoopbackServer server = new LoopbackServer()) {
            server.serve("/electra-data/electra_tiny.zip", electraZip(), LoopbackServer.Fault.NONE);
            server.serve("/albert_models/albert_tiny_v2.tar.gz", albertTarGz(), LoopbackServer.Fault.NONE);
            ModelResolver online = new ModelResolver(cache, server.uri("").toString(), catalog);
            PretrainedModel electra = online.resolve("electra_tiny");
            PretrainedModel albert = online.resolve("albert_tiny");
            assertEquals(cache.resolve("electra_tiny/electra_tiny"), electra.directory());
            assertEquals("electra", electra.config().modelType.toString());
            assertFalse(electra.sentencePiece());
            assertEquals("albert", albert.config().modelType.toString());
            assertTrue(albert.sentencePiece() && albert.lowercase());
            try (WordPieceTokenizer tok = albert.tokenizer(16)) {
                assertEquals(
                        List.of("[CLS]", "\u2581the", "\u2581movie", "\u2581was", "\u2581amaz", "ing", "!", "[SEP]"),
                        tok.tokens(TEXTS.get(0)),
                        "SentencePiece, lower-cased as albert_en_preprocess does");
            }
            assertEquals(2, server.ranges.size());
        }
        ModelResolver offline = new ModelResolver(cache, "http://127.0.0.1:9", catalog);
        for (String name : List.of("electra_tiny", "albert_tiny")) {
            PretrainedModel m = offline.resolve(name);
            String probe = m.config().isAlbert()
                    ? "bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel"
                    : "electra/embeddings_project/kernel";
            float expected;
            try (Weights stored = Weights.of(CheckpointReader.read(m.checkpointPrefix(), List.of(probe)))) {
                expected = stored.get(probe).getFloat(3, 5);
            }
            try (Weights trained = restoreAndFineTune(m, probe, expected)) {
                assertExportReloadsWithSameLogits(m, trained, tmp.resolve("export-" + name));
            }
        }
    }

    /** The tiny ALBERT-like SentencePiece model, as ALBERT's archive and TF Hub's assets/ carry it. */
    static byte[] sentencePieceModel() {
        return TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 1);
    }

    /**
     * Restores {@code m} into a training graph, checks that {@code probe}'s element [3, 5] is {@code expected}
     * (restored by name), fine-tunes on an easy task until the loss has halved, and returns the trained weights
     * (the caller closes them).
     */
    static Weights restoreAndFineTune(PretrainedModel m, String probe, float expected) {
        try (TrainingGraph g = new TrainingGraph(m.config(), 1, SessionOptions.defaults())) {
            try (Weights init = m.initialWeights(g.variables().shapes(), 1)) {
                assertEquals(expected, init.get(probe).getFloat(3, 5), m.name() + ": " + probe + " restored by name");
                g.loadWeights(init);
            }
            float[] loss = TrainingGraphTest.trainOnEasyTask(g, m.config().vocabSize, 150);
            assertTrue(loss[1] < loss[0] * 0.5, m.name() + " loss " + loss[0] + " -> " + loss[1]);
            return g.readWeights();
        }
    }

    /**
     * Exports {@code weights} with {@code m}'s config and tokenizer as {@code FineTuneRun} does, and checks that
     * {@link TextClassifier} reloads it with its tokenizer and the inference graph's logits.
     */
    static void assertExportReloadsWithSameLogits(PretrainedModel m, Weights weights, Path out) throws Exception {
        float[] ours;
        try (InferenceGraph g = new InferenceGraph(m.config(), SessionOptions.defaults());
                WordPieceTokenizer tok = m.tokenizer(16)) {
            g.load(weights);
            ours = g.logits(tok.encode(TEXTS));
        }
        SavedModelExporter.export(
                out,
                m.config(),
                weights,
                m.vocab(),
                new ModelMetadata(
                        m.name(), m.lowercase(), 16, List.of("neg", "pos"), Map.of(), Map.of(), "now", "test"));
        assertEquals(
                m.config().toJson(),
                BertConfig.read(out.resolve(SavedModelExporter.CONFIG)).toJson(),
                m.name());
        ModelMetadata meta = ModelMetadata.read(out);
        String asset = "assets/" + m.vocab().getFileName();
        assertEquals(
                m.sentencePiece() ? ModelMetadata.SENTENCEPIECE : ModelMetadata.WORDPIECE, meta.tokenizer(), m.name());
        assertEquals(asset, meta.vocabulary(), m.name());
        assertTrue(Files.isRegularFile(out.resolve(asset)), asset);
        try (TextClassifier clf = TextClassifier.load(out)) {
            float[] reloaded = clf.logits(TEXTS, 2);
            for (int i = 0; i < TEXTS.size(); i++) assertEquals(ours[i], reloaded[i], 1e-5, m.name() + " text " + i);
        }
    }

    /** Every family exports as a SavedModel (with its config keys) that reloads with the same logits. */
    @Test
    void everyFamilyExportsAndReloads() throws Exception {
        Path vocab = Files.write(tmp.resolve("vocab.txt"), TinyBert.vocabulary());
        for (String family : List.of("electra", "albert", "talking_heads")) {
            BertConfig config = TinyBert.config(family);
            PretrainedModel m = new PretrainedModel(
                    family, tmp, config, vocab, false, true, null, "", PretrainedModel.Format.CHECKPOINT);
            Map<String, Shape> shapes;
            try (InferenceGraph g = new InferenceGraph(config, SessionOptions.defaults())) {
                shapes = g.variables().shapes();
            }
            try (Weights w = WeightInit.create(shapes, 0.2f, 9)) {
                assertExportReloadsWithSameLogits(m, w, tmp.resolve("export-" + family));
            }
        }
    }

    /** A model exported before the tokenizer was named in metadata.json (assets/vocab.txt only) still loads. */
    @Test
    void modelsWithoutTokenizerMetadataLoadWithVocabTxt() throws Exception {
        Path out = TinyClassifier.export(tmp.resolve("old"));
        Path metaFile = out.resolve(ModelMetadata.FILE);
        JsonObject json = JsonParser.parseString(Files.readString(metaFile)).getAsJsonObject();
        assertEquals("assets/vocab.txt", json.remove("vocabulary").getAsString());
        assertEquals("wordpiece", json.remove("tokenizer").getAsString());
        Files.writeString(metaFile, json.toString());
        try (TextClassifier clf = TextClassifier.load(out)) {
            assertEquals(3, clf.logits(TEXTS, 2).length);
            assertFalse(clf.metadata().sentencePiece());
        }
    }
}
