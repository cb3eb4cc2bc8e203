package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.bench.FlopCount;
import dev.bertclf.model.BertConfig;
import dev.bertclf.testutil.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject m = JsonParser.parseString(r.out()).getAsJsonObject();
        List<String> keys = new ArrayList<>(List.of(
                "matmul_ceiling_fp32_gflops",
                "matmul_ceiling_bf16_gflops",
                "train_bf16_speedup",
                "infer_bf16_speedup",
                "tokenizer_texts_per_second",
                "predict_command_median_seconds"));
        for (String p : new String[] {"fp32", "bf16"}) {
            for (String k : new String[] {"examples_per_second", "gflops", "share_of_ceiling", "peak_rss_bytes"}) {
                keys.add("train_" + p + "_" + k);
                keys.add("infer_" + p + "_" + k);
            }
            keys.add("train_" + p + "_input_wait_share");
            keys.add("infer_" + p + "_tokenize_share");
            keys.add("score_" + p + "_rows_per_second");
            keys.add("score_" + p + "_share_of_inference");
        }
        for (String key : keys) assertTrue(m.has(key) && m.get(key).getAsDouble() > 0, key + " in " + r.out());
        double inputWait = m.get("train_fp32_input_wait_share").getAsDouble();
        assertTrue(inputWait < 1, "input wait is a share of the step: " + inputWait);
        assertEquals("L-2_H-32_A-2", m.get("shape").getAsString());
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

    /** TECH-NOTES: one L-4 H-512 training example at 128 tokens costs about 10.1 GFLOP, 3.35 of them forward. */
    @Test
    void flopCountMatchesTheKnownFigure() {
        BertConfig c = BertConfig.of(30522, 4, 512, 8);
        assertEquals(3.35e9, FlopCount.forwardPerExample(c, 128), 0.01e9);
        assertEquals(10.1e9, FlopCount.trainingPerExample(c, 128), 0.1e9);
    }
}
