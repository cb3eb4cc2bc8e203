package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.HfFolders;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --model DIR} on a Hugging Face folder, then {@code predict} with what it trained; and a refusal. */
class HuggingFaceModelTest {
    @TempDir
    static Path tmp;

    static String previousHome;
    static Path hf;

    @BeforeAll
    static void hfFolder() throws Exception {
        TfRuntime.engine();
        previousHome = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", tmp.resolve("home").toString());
        Path google = TinyBert.write(tmp.resolve("google"), "");
        BertConfig c = TinyBert.config();
        hf = HfFolders.write(
                tmp.resolve("hf"),
                c,
                google.resolve("bert_model.ckpt"),
                "",
                google.resolve("vocab.txt"),
                HfFolders.Style.of(c));
    }

    @AfterAll
    static void restoreHome() {
        if (previousHome != null) System.setProperty("bert.clf.home", previousHome);
    }

    @Test
    void trainsOnAHuggingFaceFolderAndPredicts() throws Exception {
        Path csv = TinyBert.reviewsCsv(tmp.resolve("reviews.csv"), 64);
        Path out = tmp.resolve("out");
        String[] args = Cli.trainOnFileArgs(hf, csv, out);
        args[java.util.Arrays.asList(args).indexOf("--epochs") + 1] = "1";
        Cli.Run train = Cli.run(args);
        assertEquals(0, train.code(), train.err());
        String log = train.out() + train.err();
        assertTrue(log.contains("Model " + hf + " (L-2_H-32_A-2"), log);
        assertTrue(log.contains("Restored 39 encoder variables from " + hf.resolve("model.safetensors")), log);
        assertFalse(log.contains("random weights"), log);
        assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
        Cli.Run predict = Cli.run("predict", "--model-dir", out.toString(), "--json", "the movie was great");
        assertEquals(0, predict.code(), predict.err());
        JsonArray results = JsonParser.parseString(predict.out()).getAsJsonArray();
        assertEquals(1, results.size());
        assertTrue(results.get(0).getAsJsonObject().has("label"), predict.out());
    }

    @Test
    void pytorchBinOnlyIsAOneLineError() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.copy(hf.resolve("config.json"), bin.resolve("config.json"));
        Files.copy(hf.resolve("vocab.txt"), bin.resolve("vocab.txt"));
        Files.write(bin.resolve("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4});
        Cli.Run r = Cli.run(
                "train",
                "--model",
                bin.toString(),
                "--output",
                tmp.resolve("never").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("has pytorch_model.bin but no model.safetensors"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(tmp.resolve("never")), "nothing written");
    }
}
