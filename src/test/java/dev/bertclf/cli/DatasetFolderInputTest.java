package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own dataset folder with the flaws real folders have: files beside the class folders, empty reviews,
 * bytes that are not UTF-8, a single class. Training goes on where it can and says what it did; it refuses
 * where it cannot, with one line.
 */
class DatasetFolderInputTest {
    @TempDir
    Path tmp;

    private Path dataset(String... classes) throws IOException {
        Random random = new Random(3);
        Path data = tmp.resolve("data");
        for (String c : classes) {
            for (int i = 0; i < 10; i++) {
                Files.createDirectories(data.resolve("train").resolve(c));
                Files.writeString(
                        data.resolve("train").resolve(c).resolve(i + ".txt"),
                        SyntheticImdb.review(random, c.equals("pos")));
            }
        }
        return data;
    }

    private Cli.Run train(Path data) throws IOException {
        Path model = TinyBert.write(tmp.resolve("tiny"), "");
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            return Cli.run(
                    "train",
                    "--model",
                    model.toString(),
                    "--data-dir",
                    data.toString(),
                    "--epochs",
                    "1",
                    "--batch-size",
                    "8",
                    "--max-seq-len",
                    "16",
                    "--output",
                    tmp.resolve("out").toString());
        }
    }

    @Test
    void strayEmptyAndNonUtf8FilesAreReportedAndTrainingGoesOn() throws IOException {
        TfRuntime.engine();
        Path data = dataset("neg", "pos");
        Files.writeString(data.resolve("train/README.txt"), "not a review");
        Files.writeString(data.resolve("train/neg/0.txt"), "");
        Files.writeString(data.resolve("train/pos/1.txt"), "   \n");
        Files.write(data.resolve("train/pos/2.txt"), new byte[] {'g', 'r', 'e', 'a', 't', ' ', (byte) 0xFF});
        Cli.Run r = train(data);
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err().contains("Ignoring 1 file(s) beside the class folders")
                        && r.err().contains("README.txt"),
                r.err());
        assertTrue(r.err().contains("2 files were empty or blank"), r.err());
        assertTrue(r.err().contains("1 files were not valid UTF-8"), r.err());
        assertTrue(
                r.out().contains("Found 20 files belonging to 2 classes"), "the stray file is no example: " + r.out());
    }

    @Test
    void aSingleClassIsRefusedBeforeTraining() throws IOException {
        Cli.Run r = train(dataset("pos"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("one class"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(Files.exists(tmp.resolve("out/saved_model.pb")));
    }
}
