package dev.bertclf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.bertclf.infer.EncoderRunner;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.HfFolders;
import dev.bertclf.testutil.SafetensorsWriter;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinySentencePiece;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Hugging Face model folders ({@code config.json}, {@code model.safetensors}) of BERT, ELECTRA and ALBERT, written
 * with transformers' tensor names from the same random weights as a Google-layout folder: both must give the same
 * encoder, exactly for float32 and to the stored precision for F16 and BF16; and every folder this tool cannot use
 * is refused with a message saying why.
 */
class HuggingFaceFolderTest {
    private static final List<String> TEXTS =
            List.of("the movie was great !", "awful boring film", "the movie was amazing", "loved it");

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    /** Google's layout: {@code bert_config.json}, the vocabulary, {@code bert_model.ckpt} of seeded weights. */
    private Path google(String family) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("google-" + family));
        BertConfig c = TinyBert.config(family);
        c.write(dir.resolve("bert_config.json"));
        vocabulary(dir, c);
        TinyBert.writeCheckpoint(dir.resolve("bert_model.ckpt"), c, "");
        return dir;
    }

    private static Path vocabulary(Path dir, BertConfig c) throws IOException {
        if (c.isAlbert()) {
            return Files.write(
                    dir.resolve("30k-clean.model"), TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 1));
        }
        return Files.write(dir.resolve("vocab.txt"), TinyBert.vocabulary());
    }

    private Path hf(String name, Path google, String family, HfFolders.Style style) throws IOException {
        BertConfig c = TinyBert.config(family);
        Path vocab = google.resolve(c.isAlbert() ? "30k-clean.model" : "vocab.txt");
        return HfFolders.write(tmp.resolve(name), c, google.resolve("bert_model.ckpt"), "", vocab, style);
    }

    private PretrainedModel resolve(Path dir) {
        return new ModelResolver(tmp.resolve("cache"), null).resolve(dir.toString());
    }

    private static EncoderRunner.Outputs run(PretrainedModel m) {
        try (WordPieceTokenizer tok = m.tokenizer(16);
                EncoderRunner runner = new EncoderRunner(m)) {
            EncodedBatch b = tok.encode(TEXTS);
            return runner.run(b);
        }
    }

    @Test
    void everyFamilyGivesTheSameOutputsAsItsGoogleCheckpoint() throws Exception {
        for (String family : List.of("bert", "electra", "albert")) {
            Path google = google(family);
            PretrainedModel g = resolve(google);
            PretrainedModel h = resolve(hf("hf-" + family, google, family, HfFolders.Style.of(g.config())));
            assertTrue(h.format() == PretrainedModel.Format.HUGGING_FACE, family);
            assertEquals(g.config().toJson(), h.config().toJson(), family + ": config.json read as bert_config.json");
            assertEquals(g.sentencePiece(), h.sentencePiece(), family);
            assertEquals(g.lowercase(), h.lowercase(), family);
            EncoderRunner.Outputs a = run(g), b = run(h);
            assertArrayEquals(a.pooled(), b.pooled(), 0f, family + " pooled output");
            assertArrayEquals(a.sequence(), b.sequence(), 0f, family + " sequence output");
        }
    }

    /** Bare encoder saves (no {@code bert.}) and pre-4.0 LayerNorm names ({@code gamma}, {@code beta}) load too. */
    @Test
    void bareEncoderAndOldLayerNormNamesLoad() throws Exception {
        Path google = google("bert");
        PretrainedModel g = resolve(google);
        HfFolders.Style bare = HfFolders.Style.of(g.config()).prefix("").withGammaBeta();
        PretrainedModel h = resolve(hf("hf-bare", google, "bert", bare));
        assertArrayEquals(run(g).pooled(), run(h).pooled(), 0f);
    }

    /** The golden test's path: a folder written from a TF1 hub module's {@code module/}-scoped checkpoint. */
    @Test
    void aFolderWrittenFromAScopedCheckpointGivesTheSameOutputs() throws Exception {
        PretrainedModel g = resolve(google("bert"));
        Path scoped = TinyBert.write(tmp.resolve("google-scoped"), "module/");
        BertConfig c = TinyBert.config();
        Path hf = HfFolders.write(
                tmp.resolve("hf-scoped"),
                c,
                scoped.resolve("bert_model.ckpt"),
                "module/",
                scoped.resolve("vocab.txt"),
                HfFolders.Style.of(c));
        assertArrayEquals(run(g).sequence(), run(resolve(hf)).sequence(), 0f);
    }

    /** F16 and BF16 weights are float32 once read, each value exactly what the file stores. */
    @Test
    void halfPrecisionWeightsAreReadAsTheirExactFloatValues() throws Exception {
        Path google = google("bert");
        PretrainedModel g = resolve(google);
        Map<String, Shape> shapes = TinyBert.encoderShapes(g.config());
        for (String dtype : List.of("F16", "BF16")) {
            PretrainedModel h = resolve(hf(
                    "hf-" + dtype,
                    google,
                    "bert",
                    HfFolders.Style.of(g.config()).dtype(dtype)));
            try (Weights a = g.initialWeights(shapes, 1);
                    Weights b = h.initialWeights(shapes, 1)) {
                assertEquals(a.names(), b.names());
                int differing = 0;
                for (String name : a.names()) {
                    float[] x = floats(a.get(name)), y = floats(b.get(name));
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(
                                SafetensorsWriter.stored(dtype, x[i]), y[i], 0f, dtype + " " + name + "[" + i + "]");
                        if (x[i] != y[i]) differing++;
                    }
                }
                assertTrue(differing > 0, dtype + " rounding shows");
            }
        }
    }

    private static float[] floats(TFloat32 t) {
        float[] v = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(v, false, false));
        return v;
    }

    private void assertRefused(Path dir, String... parts) {
        ModelException e = assertThrows(ModelException.class, () -> {
            PretrainedModel m = resolve(dir);
            m.initialWeights(TinyBert.encoderShapes(m.config()), 1).close();
        });
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage());
    }

    private Path hfBert(String name) throws IOException {
        Path google = tmp.resolve("google-bert");
        if (!Files.exists(google)) google("bert");
        return hf(name, google, "bert", HfFolders.Style.of(TinyBert.config()));
    }

    private static void editConfig(Path dir, String key, Object value) throws IOException {
        JsonObject c = com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("config.json")))
                .getAsJsonObject();
        if (value instanceof Number n) c.addProperty(key, n);
        else c.addProperty(key, (String) value);
        Files.writeString(dir.resolve("config.json"), c.toString());
    }

    @Test
    void pytorchBinAndShardedWeightsAreRefusedWithTheWayOut() throws Exception {
        Path bin = hfBert("bin");
        Files.move(bin.resolve("model.safetensors"), bin.resolve("pytorch_model.bin"));
        assertRefused(bin, "pytorch_model.bin but no model.safetensors", "safe_serialization=True");
        Path sharded = hfBert("sharded");
        Files.move(sharded.resolve("model.safetensors"), sharded.resolve("model-00001-of-00002.safetensors"));
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"weight_map\": {}}");
        assertRefused(sharded, "sharded weights (model.safetensors.index.json)");
    }

    @Test
    void configsTheGraphCannotComputeAreRefused() throws Exception {
        Object[][] cases = {
            {"model_type", "roberta", "model_type 'roberta' is not supported"},
            {"hidden_act", "silu", "hidden_act 'silu' is not supported"},
            {"layer_norm_eps", 1e-5, "layer_norm_eps is 1.0E-5"},
            {"position_embedding_type", "relative_key", "only absolute position embeddings"},
            {"hidden_size", 31, "hidden_size 31 is not a multiple of num_attention_heads"},
        };
        for (Object[] c : cases) {
            Path dir = hfBert("config-" + c[0]);
            editConfig(dir, (String) c[0], c[1]);
            assertRefused(dir, "config.json", (String) c[2]);
        }
        Path albert = hf("albert-groups", google("albert"), "albert", HfFolders.Style.of(TinyBert.config("albert")));
        editConfig(albert, "num_hidden_groups", 2);
        assertRefused(albert, "num_hidden_groups is 2; only ALBERT with one shared layer");
    }

    @Test
    void weightsThatDoNotFitTheConfigAreNamed() throws Exception {
        Path fewerLayers = hfBert("fewer-layers");
        editConfig(fewerLayers, "num_hidden_layers", 1);
        assertRefused(fewerLayers, "does not use: bert.encoder.layer.1.");
        Path wider = hfBert("wider");
        editConfig(wider, "intermediate_size", 48);
        assertRefused(wider, "tensor bert.encoder.layer.0.intermediate.dense.weight has shape [64, 32]", "[48, 32]");
        Path otherFamily = hfBert("other-family");
        editConfig(otherFamily, "model_type", "electra");
        assertRefused(otherFamily, "hold no electra.embeddings.word_embeddings.weight");
    }

    @Test
    void aMissingTensorIsNamedWithTheClosestNames() throws Exception {
        Path dir = hfBert("missing");
        // Rewrite the file without one tensor.
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        try (var st = dev.bertclf.model.hf.Safetensors.open(file)) {
            for (var t : st.tensors().values()) {
                if (t.name().equals("bert.encoder.layer.1.output.dense.bias")
                        || !t.dtype().name().equals("F32")) {
                    continue;
                }
                w.put(t.name(), "F32", t.shape(), st.floats(t.name()));
            }
        }
        w.write(file);
        assertRefused(dir, "no tensor bert.encoder.layer.1.output.dense.bias (closest: ");
    }

    @Test
    void aTokenizerJsonWithoutVocabTxtSaysHowToWriteIt() throws Exception {
        Path dir = hfBert("tokenizer-json-only");
        Files.delete(dir.resolve("vocab.txt"));
        Files.writeString(dir.resolve("tokenizer.json"), "{\"normalizer\": {\"lowercase\": true}}");
        assertRefused(dir, "tokenizer.json but no vocab.txt");
    }

    /** Casing comes from tokenizer_config.json, else tokenizer.json, else the vocabulary. */
    @Test
    void casingFollowsTheTokenizerFiles() throws Exception {
        Path dir = hfBert("cased");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        assertFalse(resolve(dir).lowercase());
        Files.delete(dir.resolve("tokenizer_config.json"));
        Files.writeString(
                dir.resolve("tokenizer.json"),
                "{\"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": false}}");
        assertFalse(resolve(dir).lowercase());
        // as transformers writes it: the vocabulary and the rest before the normalizer, streamed past
        Files.writeString(
                dir.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"added_tokens\": [{\"id\": 0, \"content\": \"[PAD]\"}], \"model\": "
                        + "{\"type\": \"WordPiece\", \"vocab\": {\"[PAD]\": 0, \"the\": 1}}, \"normalizer\": "
                        + "{\"type\": \"BertNormalizer\", \"lowercase\": false}, \"decoder\": null}");
        assertFalse(resolve(dir).lowercase());
        Files.delete(dir.resolve("tokenizer.json"));
        assertTrue(resolve(dir).lowercase(), "an all lower-case vocabulary");
    }
}
