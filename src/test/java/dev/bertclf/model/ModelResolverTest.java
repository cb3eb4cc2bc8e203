package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TinyBert;
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
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

class ModelResolverTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    static Map<String, Shape> classifierShapes(BertConfig config) {
        try (Graph g = new Graph()) {
            NamedVariables vars = new NamedVariables(Ops.create(g));
            new BertClassifier(config, vars, Mode.INFERENCE, null);
            return new java.util.LinkedHashMap<>(vars.shapes());
        }
    }

    /** Every encoder weight comes from the checkpoint, by name; the head is fresh. */
    @Test
    void restoresGoogleLayoutByName() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("google"), "");
        PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        assertEquals("", m.variablePrefix());
        assertTrue(m.lowercase(), "a vocabulary without upper-case pieces is uncased");
        String name = "bert/encoder/layer_1/attention/self/query/kernel";
        try (Weights weights = m.initialWeights(classifierShapes(m.config()), 1);
                Weights stored = Weights.of(CheckpointReader.read(dir.resolve("bert_model.ckpt"), List.of(name)))) {
            assertEquals(stored.get(name).getFloat(3, 5), weights.get(name).getFloat(3, 5));
            assertTrue(weights.containsKey("classifier/kernel"));
        }
    }

    @Test
    void findsAScopedSavedModelLayout() throws Exception {
        Path dir = tmp.resolve("hub");
        Path written = TinyBert.write(tmp.resolve("scoped"), "module/");
        Files.createDirectories(dir.resolve("variables"));
        Files.createDirectories(dir.resolve("assets"));
        Files.writeString(dir.resolve("saved_model.pb"), "graph not read: weights are restored by name");
        Files.move(written.resolve("vocab.txt"), dir.resolve("assets/vocab.txt"));
        Files.move(written.resolve("bert_config.json"), dir.resolve("bert_config.json"));
        for (String ext : List.of(".index", ".data-00000-of-00001")) {
            Files.move(written.resolve("bert_model.ckpt" + ext), dir.resolve("variables/variables" + ext));
        }
        PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        assertEquals("module/", m.variablePrefix());
        m.initialWeights(classifierShapes(m.config()), 1).close();
    }

    @Test
    void configThatDoesNotFitTheCheckpointNamesTheVariableAndShapes() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("bad"), "");
        BertConfig wrong = TinyBert.config();
        wrong.intermediateSize = 48;
        wrong.write(dir.resolve("bert_config.json"));
        PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        ModelException e = assertThrows(ModelException.class, () -> m.initialWeights(classifierShapes(m.config()), 1));
        assertTrue(
                e.getMessage().contains("bert/encoder/layer_0/intermediate/dense/kernel")
                        && e.getMessage().contains("[32, 64]")
                        && e.getMessage().contains("[32, 48]"),
                e.getMessage());
    }

    @Test
    void folderWithoutCheckpointStartsFromRandomWeights() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("random"), "");
        Files.delete(dir.resolve("bert_model.ckpt.index"));
        PretrainedModel m = new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
        assertNull(m.checkpointPrefix());
        try (Weights w = m.initialWeights(classifierShapes(m.config()), 1)) {
            assertEquals(1f, w.get("bert/embeddings/LayerNorm/gamma").getFloat(0));
        }
    }

    @Test
    void missingVocabularyIsAClearError() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("novocab"), "");
        Files.delete(dir.resolve("vocab.txt"));
        ModelException e = assertThrows(
                ModelException.class, () -> new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString()));
        assertTrue(e.getMessage().contains("vocab.txt"), e.getMessage());
    }

    @Test
    void missingConfigIsAClearError() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("noconfig"), "");
        Files.delete(dir.resolve("bert_config.json"));
        ModelException e = assertThrows(
                ModelException.class, () -> new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString()));
        assertTrue(e.getMessage().contains("has no bert_config.json"), e.getMessage());
    }

    @Test
    void unknownArchitectureIsAClearError() throws Exception {
        Path dir = TinyBert.write(tmp.resolve("gpt"), "");
        Path config = dir.resolve("bert_config.json");
        String json =
                Files.readString(config).replaceFirst("\"model_type\"\\s*:\\s*\"bert\"", "\"model_type\": \"gpt2\"");
        assertTrue(json.contains("gpt2"), json);
        Files.writeString(config, json);
        ModelException e = assertThrows(
                ModelException.class, () -> new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString()));
        assertTrue(e.getMessage().contains("model_type is 'gpt2'; it must be bert, electra or albert"), e.getMessage());
    }

    @Test
    void upperCasePiecesMeanACasedVocabulary() throws IOException {
        Path cased = tmp.resolve("cased.txt");
        List<String> v = new java.util.ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"));
        for (int i = 0; i < 100; i++) v.add("Word" + i);
        Files.write(cased, v);
        assertFalse(ModelResolver.looksUncased(cased));
    }

    /**
     * A catalog name downloads Google's archive (here from a loopback mirror, in both archive layouts), caches it,
     * and resolves offline the second time.
     */
    @Test
    void catalogNameDownloadsThroughTheMirrorAndCaches() throws Exception {
        Path model = TinyBert.write(tmp.resolve("served"), "");
        Path cache = tmp.resolve("cache");
        try (LoopbackServer server = new LoopbackServer()) {
            // 2020 small BERTs: files at the zip root; 2018 BERT-base: inside a folder named like the zip.
            server.serve(
                    "/bert_models/2020_02_20/uncased_L-4_H-512_A-8.zip", zip(model, ""), LoopbackServer.Fault.NONE);
            server.serve(
                    "/bert_models/2018_10_18/cased_L-12_H-768_A-12.zip",
                    zip(model, "cased_L-12_H-768_A-12/"),
                    LoopbackServer.Fault.NONE);
            String mirror = server.uri("").toString();
            PretrainedModel small = new ModelResolver(cache, mirror).resolve("small_bert/L-4_H-512_A-8");
            assertEquals("small_bert/bert_en_uncased_L-4_H-512_A-8", small.name());
            assertTrue(small.lowercase());
            PretrainedModel base = new ModelResolver(cache, mirror).resolve("bert_en_cased_L-12_H-768_A-12");
            assertFalse(base.lowercase(), "casing comes from the catalog for named models");
            assertEquals(cache.resolve("cased_L-12_H-768_A-12/cased_L-12_H-768_A-12"), base.directory());
        }
        PretrainedModel offline =
                new ModelResolver(cache, "http://127.0.0.1:9").resolve("small_bert/bert_en_uncased_L-4_H-512_A-8");
        assertArrayEquals(
                new long[] {TinyBert.config().vocabSize, 32},
                dev.bertclf.model.checkpoint.CheckpointIndex.read(offline.checkpointPrefix())
                        .get("bert/embeddings/word_embeddings")
                        .shape());
        try (Stream<Path> files = Files.list(cache)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".zip")), "archives are removed once unpacked");
        }
    }

    @Test
    void unknownNameSuggestsTheClosest() {
        ModelException e = assertThrows(
                ModelException.class, () -> new ModelResolver(tmp, null).resolve("small_bert/L-4_H-512_A8"));
        assertTrue(e.getMessage().contains("small_bert/L-4_H-512_A-8"), e.getMessage());
    }

    private static byte[] zip(Path dir, String folder) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes);
                Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                z.putNextEntry(new ZipEntry(folder + f.getFileName()));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
