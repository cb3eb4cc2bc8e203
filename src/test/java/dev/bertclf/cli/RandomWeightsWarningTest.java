package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder without a checkpoint trains from random weights: the console says so once, marked as a warning,
 * with the model and before the run's "Training ..." line, not after it.
 */
class RandomWeightsWarningTest {
    @TempDir
    static Path tmp;

    static String previousHome;

    @BeforeAll
    static void home() {
        TfRuntime.engine(); // natives stay in the suite's shared home
        previousHome = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", tmp.resolve("home").toString());
    }

    @AfterAll
    static void restoreHome() {
        if (previousHome == null) System.clearProperty("bert.clf.home");
        else System.setProperty("bert.clf.home", previousHome);
    }

    @Test
    void saidOnceBeforeTraining() throws Exception {
        Path model = TinyBert.write(tmp.resolve("no_checkpoint"), "");
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("bert_model.ckpt"))
                    .toList()) {
                Files.delete(f);
            }
        }
        Path csv = TinyBert.reviewsCsv(tmp.resolve("reviews.csv"), 20);
        Cli.Run r = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                csv.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--max-seq-len",
                "16",
                "--output",
                tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        String warning = "warning: " + model + " has no checkpoint: the encoder starts from random weights";
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.stream().filter(warning::equals).count(), r.err());
        int training = -1;
        for (int i = 0; i < lines.size() && training < 0; i++) if (lines.get(i).startsWith("Training ")) training = i;
        assertTrue(training > lines.indexOf(warning), "the warning comes before the training starts:\n" + r.err());
    }
}
