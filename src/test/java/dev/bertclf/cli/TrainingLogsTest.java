package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.EventFiles;
import dev.bertclf.testutil.EventFiles.Scalar;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs people read while a run trains: every {@code --log-every} steps a line in train.log (not on the console)
 * and TensorBoard scalars, after each epoch its figures, all in TensorFlow's own event files under
 * {@code <output>/logs/train} and {@code /validation}; a new run into the same output starts its logs afresh.
 */
class TrainingLogsTest {
    @TempDir
    Path tmp;

    /** 40 rows: 32 train in 4 steps of 8 an epoch, 8 validate. */
    private Path reviews() throws Exception {
        Random random = new Random(3);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 40; i++)
            csv.append(SyntheticImdb.review(random, i % 2 == 0))
                    .append(',')
                    .append(i % 2 == 0 ? "pos" : "neg")
                    .append('\n');
        return Files.writeString(tmp.resolve("reviews.csv"), csv);
    }

    private Cli.Run train(Path model, Path csv, Path out, int epochs, int logEvery) {
        return Cli.run(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                csv.toString(),
                "--epochs",
                "" + epochs,
                "--batch-size",
                "8",
                "--max-seq-len",
                "16",
                "--log-every",
                "" + logEvery,
                "--output",
                out.toString());
    }

    @Test
    void stepsAndEpochsGoToTrainLogAndTensorBoardEventFiles() throws Exception {
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Path model = TinyBert.write(tmp.resolve("tiny_bert"), ""), csv = reviews(), out = tmp.resolve("out");
            Cli.Run r = train(model, csv, out, 2, 2);
            assertEquals(0, r.code(), r.err());

            Path trainLogs = out.resolve("logs/train"), validationLogs = out.resolve("logs/validation");
            assertEquals(2, EventFiles.in(trainLogs).size(), "one file an epoch: closed before each save");
            List<Scalar> train = EventFiles.scalars(trainLogs), validation = EventFiles.scalars(validationLogs);
            for (String tag : List.of("loss", "learning_rate", "gradient_norm", "examples_per_second")) {
                assertEquals(List.of(2L, 4L, 6L, 8L), steps(train, tag), tag);
            }
            assertEquals(List.of(1L, 2L), steps(train, "epoch_loss"));
            assertEquals(List.of(1L, 2L), steps(train, "epoch_binary_accuracy"));
            for (String tag : List.of("epoch_loss", "epoch_binary_accuracy", "epoch_f1")) {
                assertEquals(List.of(1L, 2L), steps(validation, tag), tag);
            }
            for (Scalar s : train) assertTrue(Float.isFinite(s.value()) && s.value() >= 0, s.toString());
            for (Scalar s : validation) assertTrue(Float.isFinite(s.value()) && s.value() >= 0, s.toString());
            float lrAt2 = value(train, "learning_rate", 2), lrAt8 = value(train, "learning_rate", 8);
            assertTrue(lrAt2 > lrAt8 && lrAt8 > 0, "the schedule decays: " + lrAt2 + " then " + lrAt8);
            String history = Files.readString(out.resolve("metrics.csv"));
            String epoch2 =
                    history.lines().filter(l -> l.startsWith("2,")).findFirst().orElseThrow();
            assertEquals(Double.parseDouble(epoch2.split(",")[3]), value(validation, "epoch_loss", 2), 1e-5, history);

            String log = Files.readString(out.resolve("train.log"));
            assertTrue(
                    log.matches("(?s).*INFO  StepLog - Step 2/8: loss \\d\\.\\d{4} - learning_rate \\S+ - "
                            + "gradient_norm \\d+\\.\\d{4} - \\d+\\.\\d examples/s\n.*"),
                    log);
            assertFalse(r.err().contains("Step 2/8"), "the console shows the progress bar, not the step lines");
            assertTrue(
                    Files.readString(out.resolve("README.md")).contains("(`tensorboard --logdir out/logs`)"),
                    "the model card says where the logs are");

            // A new run into the same output starts with no logs; --log-every 0 leaves the epochs' figures only.
            Cli.Run again = train(model, csv, out, 1, 0);
            assertEquals(0, again.code(), again.err());
            List<Scalar> fresh = EventFiles.scalars(trainLogs);
            assertEquals(
                    List.of("epoch_loss", "epoch_binary_accuracy"),
                    fresh.stream().map(Scalar::tag).toList());
            assertEquals(List.of(1L), steps(EventFiles.scalars(validationLogs), "epoch_f1"));
            assertFalse(Files.readString(out.resolve("train.log")).contains("StepLog"));
        }
    }

    private static List<Long> steps(List<Scalar> scalars, String tag) {
        return scalars.stream()
                .filter(s -> s.tag().equals(tag))
                .map(Scalar::step)
                .toList();
    }

    private static float value(List<Scalar> scalars, String tag, long step) {
        return scalars.stream()
                .filter(s -> s.tag().equals(tag) && s.step() == step)
                .findFirst()
                .orElseThrow()
                .value();
    }
}
