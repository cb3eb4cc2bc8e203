package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.train.TrainingCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Impossible {@code train} options are usage errors (exit 2) with a message naming the option, refused before any
 * data work: the dataset URL here is unreachable and the data folder empty, so any attempt to fetch data would fail
 * differently, and no output or checkpoint folder may appear.
 */
class TrainOptionsTest {
    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        TfRuntime.engine();
        model = TinyBert.write(tmp.resolve("tiny_bert"), ""); // 64 positions
    }

    static void assertUsageError(String expected, String... options) {
        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--data-dir",
                tmp.resolve("no-data").toString(),
                "--url",
                "http://127.0.0.1:1/unreachable.tar.gz",
                "--output",
                out.toString()));
        args.addAll(List.of(options));
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(
                Files.exists(out) || Files.exists(tmp.resolve("out" + TrainingCheckpoints.SUFFIX)), "nothing written");
        assertFalse(Files.exists(tmp.resolve("no-data")), "no data work started");
    }

    /** Once ignored without a word: a binary or multi-class run takes the most probable class. */
    @Test
    void thresholdWithoutMultiLabel() {
        assertUsageError("--threshold applies to --multi-label runs only", "--threshold", "0.3");
    }

    @Test
    void zeroEpochs() {
        assertUsageError("--epochs must be at least 1, got 0", "--epochs", "0");
    }

    @Test
    void negativeBatchSize() {
        assertUsageError("--batch-size must be at least 1, got -1", "--batch-size", "-1");
    }

    @Test
    void zeroOrNegativeAccumulation() {
        assertUsageError("--accumulate must be at least 1, got 0", "--accumulate", "0");
        assertUsageError("--accumulate must be at least 1, got -2", "--accumulate", "-2");
    }

    @Test
    void maxSeqLenBeyondTheModelsPositions() {
        assertUsageError("--max-seq-len 1000 exceeds the model's 64 positions", "--max-seq-len", "1000");
    }

    @Test
    void learningRateThatIsNotANumber() {
        assertUsageError(
                "Invalid value for option '--learning-rate': 'fast' is not a double", "--learning-rate", "fast");
        assertUsageError("--learning-rate must be a positive number, got NaN", "--learning-rate", "NaN");
        assertUsageError("--learning-rate must be a positive number, got -0.001", "--learning-rate", "-1e-3");
    }

    @Test
    void seedOutsideNumpysRange() {
        assertUsageError("--seed must be 0 to 4294967295, got -1", "--seed", "-1");
        assertUsageError("--seed must be 0 to 4294967295, got 4294967296", "--seed", "4294967296");
    }

    @Test
    void scheduleOptionsOutsideTheirRanges() {
        assertUsageError("--warmup-ratio must be 0 or more and below 1, got 1.0", "--warmup-ratio", "1");
        assertUsageError("--warmup-ratio must be 0 or more and below 1, got -0.1", "--warmup-ratio", "-0.1");
        assertUsageError("--weight-decay must be 0 or a positive number, got -0.01", "--weight-decay", "-0.01");
        assertUsageError("--weight-decay must be 0 or a positive number, got Infinity", "--weight-decay", "Infinity");
        assertUsageError(
                "Invalid value for option '--schedule': expected one of [linear, cosine, constant]",
                "--schedule",
                "exponential");
    }

    /** Other commands' impossible values are usage errors too, found before any model or data is loaded. */
    @Test
    void otherCommandsBoundsAreUsageErrors() {
        for (String[] args : List.of(
                new String[] {"evaluate", "--max-examples", "-5"},
                new String[] {"evaluate", "--batch-size", "0"},
                new String[] {"bench", "--batch-size", "0"},
                new String[] {"bench", "--precision", "fp8"},
                new String[] {"bench", "--scoring-rows", "2000000000"})) { // once an OutOfMemoryError
            Cli.Run r = Cli.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(args[1]) && r.err().contains("Try 'bert-clf " + args[0] + " --help'"), r.err());
        }
    }

    /** A stray % in a description makes picocli warn on every --help (it formats them). */
    @Test
    void everyCommandsHelpIsClean() {
        for (String c : List.of(
                "download",
                "train",
                "evaluate",
                "predict",
                "serve",
                "preprocess",
                "embed",
                "bench",
                "models",
                "completion")) {
            Cli.Run r = Cli.run(c, "--help");
            assertEquals(0, r.code(), c);
            assertEquals("", r.err(), c + " --help");
        }
    }

    @Test
    void negativeCheckpointInterval() {
        assertUsageError("--checkpoint-every must be 0 or more, got -3", "--checkpoint-every", "-3");
    }
}
