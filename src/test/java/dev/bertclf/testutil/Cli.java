package dev.bertclf.testutil;

import dev.bertclf.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The command line in this JVM, as a user runs it: {@link Main#run} with stdout and stderr captured (and printed
 * afterwards, so the test's log shows them) and the exit code.
 */
public final class Cli {
    /** What one command did: its exit code and everything it wrote. */
    public record Run(int code, String out, String err) {}

    private Cli() {}

    public static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            out.print(o.toString(StandardCharsets.UTF_8));
            err.print(e.toString(StandardCharsets.UTF_8));
        }
    }

    /** As {@link #run}, with {@code stdin} as standard input. */
    public static Run runWithStdin(byte[] stdin, String... args) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            return run(args);
        } finally {
            System.setIn(in);
        }
    }

    /** {@code train} of the tiny model on a table file: 6 epochs of batch 8 at 2e-3, 16 tokens. */
    public static Run trainOnFile(Path model, Path trainFile, Path output) {
        return run(trainOnFileArgs(model, trainFile, output));
    }

    /** The arguments of {@link #trainOnFile}, for a test that runs the command in its own process. */
    public static String[] trainOnFileArgs(Path model, Path trainFile, Path output) {
        return new String[] {
            "train",
            "--model",
            model.toString(),
            "--train-file",
            trainFile.toString(),
            "--epochs",
            "6",
            "--batch-size",
            "8",
            "--learning-rate",
            "2e-3",
            "--max-seq-len",
            "16",
            "--output",
            output.toString()
        };
    }
}
