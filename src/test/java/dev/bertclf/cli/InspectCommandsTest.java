package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.testutil.TinyHubModel;
import dev.bertclf.testutil.TinySentencePiece;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tutorial's sections 5 and 6 as commands: what the tokenizer and the encoder produce. */
class InspectCommandsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        TfRuntime.engine();
    }

    @Test
    void preprocessPrintsTheTutorialsTensors() throws Exception {
        Path model = uncasedTinyModel();
        Cli.Run r = Cli.run(
                "preprocess",
                "--model",
                model.toString(),
                "--max-seq-len",
                "64",
                "this is such an amazing movie!"); // the tiny model has 64 positions
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Shape      : (1, 64)"), r.out());
        assertTrue(r.out().contains("Word Ids   : [101 2023 2003 2107 2019 6429 3185 999 102 0 0 0]"), r.out());
        assertTrue(r.out().contains("Input Mask : [1 1 1 1 1 1 1 1 1 0 0 0]"), r.out());
        assertTrue(r.out().contains("Type Ids   : [0 0 0 0 0 0 0 0 0 0 0 0]"), r.out());
    }

    /**
     * {@code preprocess --json} reads one text per line from standard input and prints every id of each, as one
     * JSON object per line: what a user compares with another stack. A special-token string in a text is words.
     */
    @Test
    void preprocessJsonPrintsEveryIdOfEachLineOfStandardInput() throws Exception {
        Path model = uncasedTinyModel();
        byte[] stdin = "this is such an amazing movie!\n\n[CLS] who\u00B4s \uFF26\uFF35\uFF2C\uFF2C\n"
                .getBytes(StandardCharsets.UTF_8);
        Cli.Run r = Cli.runWithStdin(stdin, "preprocess", "--model", model.toString(), "--max-seq-len", "64", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out()); // the blank line is skipped
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("this is such an amazing movie!", first.get("text").getAsString());
        int[] ids = ints(first.getAsJsonArray("input_word_ids"));
        assertEquals(64, ids.length);
        assertArrayEquals(new int[] {101, 2023, 2003, 2107, 2019, 6429, 3185, 999, 102, 0}, Arrays.copyOf(ids, 10));
        assertEquals(9, Arrays.stream(ints(first.getAsJsonArray("input_mask"))).sum());
        assertEquals(64, ints(first.getAsJsonArray("input_type_ids")).length);
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals(
                "[\"[CLS]\",\"[\",\"cl\",\"##s\",\"]\",\"who\",\"s\",\"full\",\"[SEP]\"]",
                second.getAsJsonArray("tokens").toString());
        assertEquals(101, ints(second.getAsJsonArray("input_word_ids"))[0]);
    }

    /** {@code embed --json}: the whole pooled output and a sequence row per token, padding included. */
    @Test
    void embedJsonPrintsTheWholeOutputs() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        Cli.Run r = Cli.runWithStdin(
                "the movie was great\nbad\n".getBytes(StandardCharsets.UTF_8),
                "embed",
                "--model",
                model.toString(),
                "--max-seq-len",
                "16",
                "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        JsonObject o = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(32, o.getAsJsonArray("pooled_output").size());
        assertEquals(16, o.getAsJsonArray("sequence_output").size());
        for (var row : o.getAsJsonArray("sequence_output"))
            assertEquals(32, row.getAsJsonArray().size());
        Cli.Run text = Cli.run("embed", "--model", model.toString(), "--max-seq-len", "16", "the movie was great");
        String pooled = String.format(
                Locale.ROOT, "%.8f", o.getAsJsonArray("pooled_output").get(0).getAsFloat());
        assertTrue(text.out().contains("Pooled Outputs Values:[" + pooled + " "), text.out() + " vs " + pooled);
    }

    /** Standard input is bounded for these commands as for {@code predict}: a line as a table field is. */
    @Test
    void anEndlessStdinLineIsRefused() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        byte[] line = new byte[(16 << 20) + 100];
        Arrays.fill(line, (byte) 'a');
        Cli.Run r = Cli.runWithStdin(line, "preprocess", "--model", model.toString(), "--max-seq-len", "16", "--json");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("standard input:1: a line longer than 16777216 characters"), r.err());
        assertEquals("", r.out());
    }

    private Path uncasedTinyModel() throws Exception {
        // The tiny shape with BERT's real uncased vocabulary: one embedding row for each of its 30,522 ids.
        Path model = Files.createDirectories(tmp.resolve("m"));
        BertConfig config = TinyBert.config();
        config.vocabSize = 30522;
        config.write(model.resolve("bert_config.json"));
        Files.copy(Path.of("src/test/resources/vocab-bert-uncased.txt"), model.resolve("vocab.txt"));
        TinyBert.writeCheckpoint(model.resolve("bert_model.ckpt"), config, "");
        return model;
    }

    private static int[] ints(com.google.gson.JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    /** An unpacked TF Hub ALBERT: SentencePiece ids from assets/30k-clean.model; its layer count must be given. */
    @Test
    void preprocessTokenizesWithAHubAlbertsSentencePieceModel() throws Exception {
        Map<String, long[]> shapes = TinyHubModel.variableShapes(
                TinyHubModel.Family.ALBERT, TinyBert.vocabulary().size());
        Path model = TinyHubModel.write(
                tmp.resolve("albert"),
                shapes,
                TinyHubModel.randomValues(shapes, 1),
                true,
                Map.of("30k-clean.model", TinySentencePiece.model(TinySentencePiece.albertLikePieces(), 1)));
        Cli.Run refused = Cli.run("preprocess", "--model", model.toString(), "x");
        assertEquals(1, refused.code());
        assertTrue(
                refused.err().contains("num_hidden_layers") && !refused.err().contains("at dev.bertclf"),
                refused.err());

        TinyBert.config("albert").write(model.resolve("bert_config.json"));
        Cli.Run r = Cli.run("preprocess", "--model", model.toString(), "--max-seq-len", "16", "The movie was amazing!");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Word Ids   : [2 6 7 8 9 10 12 3 0 0 0 0]"), r.out());
    }

    @Test
    void embedPrintsPooledAndSequenceShapes() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        Cli.Run r = Cli.run("embed", "--model", model.toString(), "--max-seq-len", "16", "the movie was great");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Pooled Outputs Shape:(1, 32)"), r.out());
        assertTrue(r.out().contains("Sequence Outputs Shape:(1, 16, 32)"), r.out());
    }

    /** Once silently 512 positions, with the tokenizer library's own warning; now a usage error, as in train. */
    @Test
    void maxSeqLenBeyondTheModelsPositionsIsAUsageError() throws Exception {
        Path model = TinyBert.write(tmp.resolve("m"), "");
        for (String cmd : new String[] {"preprocess", "embed"}) {
            Cli.Run r = Cli.run(cmd, "--model", model.toString(), "--max-seq-len", "100000", "x");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("--max-seq-len 100000 exceeds the model's "), r.err());
            assertTrue(!r.err().contains("at dev.bertclf"), r.err());
            Cli.Run one = Cli.run(cmd, "--model", model.toString(), "--max-seq-len", "1", "x");
            assertEquals(2, one.code(), one.err());
            assertTrue(one.err().contains("--max-seq-len must leave room for [CLS] and [SEP]"), one.err());
        }
    }

    @Test
    void helpAndVersionWork() {
        assertEquals(0, Cli.run("--version").code());
        for (String cmd : new String[] {"download", "train", "evaluate", "predict", "preprocess", "embed"}) {
            Cli.Run r = Cli.run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: bert-clf " + cmd), r.out());
        }
    }
}
