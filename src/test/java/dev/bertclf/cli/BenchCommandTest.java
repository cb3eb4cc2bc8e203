package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.bench.FlopCount;
import dev.bertclf.model.BertConfig;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.HfFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @Test
    void reportsEveryFigureAsJson() {
        Cli.Run r = Cli.run(
                "bench",
                "--model",
                "L-2_H-32_A-2",
                "--batch-size",
                "4",
                "--max-seq-len",
                "16",
                "--warmup",
                "0",
                "--steps",
                "1",
                "--predict-runs",
                "1",
                "--scoring-rows",
                "16",
                "--ceiling-round-ms",
                "20",
                "--serve-clients",
                "1,2",
                "--serve-seconds",
                "1",
                "--op-profile",
                "4",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject m = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(
                dev.bertclf.runtime.FusedKernels.available(),
                m.get("fused_kernels").getAsBoolean());
        List<String> keys = new ArrayList<>(List.of(
                "matmul_ceiling_fp32_gflops",
                "matmul_ceiling_bf16_gflops",
                "train_bf16_speedup",
                "infer_bf16_speedup",
                "tokenizer_texts_per_second",
                "predict_command_median_seconds"));
        for (String p : new String[] {"fp32", "bf16"}) {
            for (String k : new String[] {"examples_per_second", "gflops", "peak_rss_bytes"}) {
                keys.add("train_" + p + "_" + k);
                keys.add("infer_" + p + "_" + k);
            }
            keys.add("train_" + p + "_input_wait_share");
            keys.add("infer_" + p + "_tokenize_share");
            keys.add("score_" + p + "_rows_per_second");
            keys.add("score_" + p + "_share_of_inference");
        }
        for (String c : new String[] {"1", "2"}) {
            for (String k : new String[] {"requests_per_second", "share_of_inference", "p50_ms", "p99_ms"}) {
                keys.add("serve_" + c + "_clients_" + k);
            }
        }
        for (String key : keys) assertTrue(m.has(key) && m.get(key).getAsDouble() > 0, key + " in " + r.out());
        for (String p : new String[] {"train_fp32", "infer_fp32", "train_bf16", "infer_bf16"}) {
            String share = m.get(p + "_share_of_ceiling").getAsString();
            assertTrue(
                    share.equals("noisy") || (Double.parseDouble(share) > 0 && Double.parseDouble(share) <= 1),
                    p + " share of the ceiling: " + share);
        }
        for (String p : new String[] {"train_fp32", "train_bf16"}) {
            var ops = m.get(p + "_op_profile").getAsJsonArray();
            assertEquals(4, ops.size(), ops.toString());
            double total = 0, last = 1;
            for (var op : ops) {
                double share = op.getAsJsonObject().get("share").getAsDouble();
                assertTrue(share > 0 && share <= last, "the costliest first: " + ops);
                assertTrue(op.getAsJsonObject().get("count").getAsInt() > 0, ops.toString());
                total += share;
                last = share;
            }
            assertTrue(total <= 1 + 1e-9, ops.toString());
            double matMul = m.get(p + "_op_matmul_share").getAsDouble();
            assertTrue(matMul > 0 && matMul < 1, p + " MatMul share " + matMul);
        }
        assertEquals("fp32", m.get("serve_precision").getAsString());
        assertEquals("[1,2]", m.get("serve_clients").toString());
        assertEquals(
                "[64,32]x[32,32]",
                m.get("matmul_ceiling_by_shape")
                        .getAsJsonArray()
                        .get(0)
                        .getAsJsonObject()
                        .get("shape")
                        .getAsString());
        double inputWait = m.get("train_fp32_input_wait_share").getAsDouble();
        assertTrue(inputWait < 1, "input wait is a share of the step: " + inputWait);
        assertEquals("L-2_H-32_A-2", m.get("shape").getAsString());
    }

    /** The table has a serve row per client count, with finite figures, and no share of the ceiling above 100%. */
    @Test
    void printsServeAndFileScoringRowsBesideTheInferenceRate() {
        Cli.Run r = Cli.run(
                "bench",
                "--model",
                "L-2_H-32_A-2",
                "--batch-size",
                "4",
                "--max-seq-len",
                "16",
                "--warmup",
                "0",
                "--steps",
                "1",
                "--precision",
                "fp32",
                "--predict-runs",
                "0",
                "--scoring-rows",
                "8",
                "--ceiling-round-ms",
                "20",
                "--serve-clients",
                "1,3",
                "--serve-seconds",
                "1");
        assertEquals(0, r.code(), r.err());
        for (String clients : new String[] {" 1 client", " 3 clients"}) {
            Matcher row = Pattern.compile("serve fp32 with " + clients
                            + ": +([0-9.]+) requests/s \\(([0-9.]+) of inference\\), p50 ([0-9]+) ms, p99 ([0-9]+) ms")
                    .matcher(r.out());
            assertTrue(row.find(), clients + " in:\n" + r.out());
            assertTrue(Double.parseDouble(row.group(1)) > 0 && Double.parseDouble(row.group(2)) > 0, row.group());
            assertTrue(Integer.parseInt(row.group(3)) <= Integer.parseInt(row.group(4)), row.group());
        }
        Matcher scoring = Pattern.compile(
                        "predict --input FILE \\(fp32\\): ([0-9.]+) rows/s \\(([0-9.]+) of inference\\)")
                .matcher(r.out());
        assertTrue(scoring.find() && Double.parseDouble(scoring.group(1)) > 0, "the file-scoring line in:\n" + r.out());
        Matcher share = Pattern.compile("([0-9]+)% of ceiling").matcher(r.out());
        while (share.find()) assertTrue(Integer.parseInt(share.group(1)) <= 100, r.out());
        assertTrue(r.out().contains("MatMul ceiling: fp32 "), r.out());
        assertTrue(r.out().contains("[64,32]x[32,128]"), "the shapes measured:\n" + r.out());
    }

    @Test
    void serveClientsTakesCountsOrNone() {
        assertEquals(List.of(1, 8, 32), BenchCommand.clients("1,8,32"));
        assertEquals(List.of(), BenchCommand.clients("none"));
        assertEquals(List.of(), BenchCommand.clients("0"));
        assertEquals(2, Cli.run("bench", "--serve-clients", "1,x").code());
        assertEquals(2, Cli.run("bench", "--serve-clients", "0,4").code());
        assertEquals(2, Cli.run("bench", "--ceiling-round-ms", "0").code());
    }

    @Test
    void shapesComeFromNamesAndShapeStrings() {
        assertEquals(
                "L-4_H-512_A-8", BenchCommand.shape("small_bert/L-4_H-512_A-8").toString());
        assertEquals(
                "L-12_H-768_A-12",
                BenchCommand.shape("bert_en_cased_L-12_H-768_A-12").toString());
        assertEquals("L-3_H-64_A-4", BenchCommand.shape("L-3_H-64_A-4").toString());
        assertEquals(1, Cli.run("bench", "--model", "nonsense").code());
    }

    @Test
    void aHuggingFaceFolderGivesItsShape(@TempDir Path dir) throws IOException {
        BertConfig c = BertConfig.of(100, 3, 48, 4);
        Files.writeString(dir.resolve("config.json"), HfFolders.config(c).toString());
        Files.write(dir.resolve("model.safetensors"), new byte[0]); // sizes only: the weights are never read
        assertEquals("L-3_H-48_A-4", BenchCommand.shape(dir.toString()).toString());
    }

    /** TECH-NOTES: one L-4 H-512 training example at 128 tokens costs about 10.1 GFLOP, 3.35 of them forward. */
    @Test
    void flopCountMatchesTheKnownFigure() {
        BertConfig c = BertConfig.of(30522, 4, 512, 8);
        assertEquals(3.35e9, FlopCount.forwardPerExample(c, 128), 0.01e9);
        assertEquals(10.1e9, FlopCount.trainingPerExample(c, 128), 0.1e9);
    }
}
