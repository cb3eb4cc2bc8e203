package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.infer.InferenceGraph;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TestArchives;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.WordPieceTokenizer;
import dev.bertclf.train.SessionOptions;
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
import org.tensorflow.types.TFloat32;

/**
 * ELECTRA's and ALBERT's release archives, in miniature and in their exact layout and variable names, fetched by
 * name through a loopback mirror, cached, restored by name, fine-tuned, exported and reloaded.
 */
class FamilyArchivesTest {
    @TempDir Path tmp;

    @BeforeAll
    static void engine() { TfRuntime.engine(); }

    /** A registry with tiny ELECTRA and ALBERT entries in the format of config/models.json. */
    static ModelCatalog tinyCatalog() {
        String entries = Stream.of(
                entry("electra_tiny", "electra", "vocab.txt", "/electra-data/electra_tiny.zip", "google-tf1-zip", "electra"),
                entry("albert_tiny", "albert", "30k-clean.model", "/albert_models/albert_tiny_v2.tar.gz", "google-tf1-tar-gz", "albert"),
                entry("experts_tiny", "experts", "vocab.txt", "/google/experts/bert/tiny/2?tf-hub-format=compressed", "tfhub-savedmodel", "bert"))
                .reduce((a, b) -> a + "," + b).orElseThrow();
        return ModelCatalog.parse("{\"models\": [" + entries + "]}", "test registry");
    }

    private static String entry(String name, String family, String vocab, String path, String format, String configFamily) {
        return """
                {"name": "%s", "aliases": [], "family": "%s", "tfhub_handle": "https://tfhub.dev/x", "preprocess": "p",
                 "lowercase": true, "vocabulary": "%s", "folder": "%s",
                 "sources": [{"url": "https://storage.googleapis.com%s", "format": "%s", "bytes": null}],
                 "config": %s}""".formatted(name, family, vocab, name, path, format,
                TinyBert.config(configFamily.equals("bert") ? "bert" : configFamily).toJson());
    }

    /** ELECTRA's zip: {@code electra_small/vocab.txt} and {@code electra_small/electra_small.*}, no config file. */
    private byte[] electraZip() throws IOException {
        Path dir = tmp.resolve("electra-src/electra_tiny");
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), TinyBert.vocabulary());
        TinyBert.writeCheckpoint(dir.resolve("electra_tiny"), TinyBert.config("electra"), "");
        Files.writeString(dir.resolve("checkpoint"), "model_checkpoint_path: \"electra_tiny\"\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
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
        byte[] config = """
                {"attention_probs_dropout_prob": 0, "hidden_act": "gelu", "hidden_dropout_prob": 0, "embedding_size": 16,
                 "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "max_position_embeddings": 64,
                 "num_attention_heads": 2, "num_hidden_layers": 2, "num_hidden_groups": 1, "inner_group_num": 1,
                 "type_vocab_size": 2, "vocab_size": %d}""".formatted(TinyBert.vocabulary().size()).getBytes();
        return TestArchives.tarGz(tar -> {
            try {
                TestArchives.addFile(tar, "albert_tiny/albert_config.json", config);
                TestArchives.addFile(tar, "albert_tiny/30k-clean.model", new byte[] {10, 3, 'a', 'b', 'c'});
                for (String ext : List.of(".index", ".data-00000-of-00001")) {
                    TestArchives.addFile(tar, "albert_tiny/model.ckpt-best" + ext, Files.readAllBytes(dir.resolve("model.ckpt-best" + ext)));
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
            assertEquals("electra", electra.config().modelType);
            assertFalse(electra.sentencePiece());
            assertEquals("albert", albert.config().modelType);
            assertTrue(albert.sentencePiece() && albert.lowercase());
            ModelException e = assertThrows(ModelException.class, () -> albert.tokenizer(16));
            assertTrue(e.getMessage().contains("SentencePiece"), e.getMessage());
            assertEquals(2, server.ranges.size());
        }
        ModelResolver offline = new ModelResolver(cache, "http://127.0.0.1:9", catalog);
        for (String name : List.of("electra_tiny", "albert_tiny")) {
            PretrainedModel m = offline.resolve(name);
            String probe = m.config().isAlbert() ? "bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel"
                    : "electra/embeddings_project/kernel";
            try (TrainingGraph g = new TrainingGraph(m.config(), 1, SessionOptions.defaults())) {
                Map<String, TFloat32> init = m.initialWeights(g.variables().shapes(), 1);
                Map<String, TFloat32> stored = CheckpointReader.read(m.checkpointPrefix(), List.of(probe));
                try {
                    assertEquals(stored.get(probe).getFloat(3, 5), init.get(probe).getFloat(3, 5), name + " restored by name");
                    g.loadWeights(init);
                } finally {
                    init.values().forEach(TFloat32::close);
                    stored.values().forEach(TFloat32::close);
                }
                float[] loss = TrainingGraphTest.trainOnEasyTask(g, m.config().vocabSize, 150);
                assertTrue(loss[1] < loss[0] * 0.5, name + " loss " + loss[0] + " -> " + loss[1]);
            }
        }
    }

    @Test
    void tfHubSourcesSayTheyAreNotSupportedYet() {
        ModelException e = assertThrows(ModelException.class,
                () -> new ModelResolver(tmp.resolve("cache"), "http://127.0.0.1:9", tinyCatalog()).resolve("experts_tiny"));
        assertTrue(e.getMessage().contains("TF Hub TF2 SavedModel") && e.getMessage().contains("not yet supported"), e.getMessage());
    }

    /** Every family exports as a SavedModel (with its config keys) that reloads with the same logits. */
    @Test
    void everyFamilyExportsAndReloads() throws Exception {
        Path vocab = Files.write(tmp.resolve("vocab.txt"), TinyBert.vocabulary());
        List<String> texts = List.of("the movie was great !", "awful boring film");
        for (String family : List.of("electra", "albert", "talking_heads")) {
            BertConfig config = TinyBert.config(family);
            Path out = tmp.resolve("export-" + family);
            float[] ours;
            try (InferenceGraph g = new InferenceGraph(config, SessionOptions.defaults());
                 WordPieceTokenizer tok = WordPieceTokenizer.fromVocab(vocab, true, 16)) {
                Map<String, TFloat32> w = WeightInit.create(g.variables().shapes(), 0.2f, 9);
                try {
                    g.load(w);
                    ours = g.logits(tok.encode(texts));
                    SavedModelExporter.export(out, config, w, vocab, new ModelMetadata(family, true, 16,
                            List.of("neg", "pos"), Map.of(), Map.of(), "now", "test"));
                } finally {
                    w.values().forEach(TFloat32::close);
                }
            }
            BertConfig back = BertConfig.read(out.resolve(SavedModelExporter.CONFIG));
            assertEquals(config.toJson(), back.toJson(), family);
            try (TextClassifier clf = TextClassifier.load(out)) {
                float[] reloaded = clf.logits(texts, 2);
                for (int i = 0; i < texts.size(); i++) assertEquals(ours[i], reloaded[i], 1e-5, family + " text " + i);
            }
        }
    }
}
