package dev.bertclf.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Another program run to its end, as the integration tests run the release, Maven and the example project. */
public final class Processes {
    private Processes() {}

    /**
     * Runs {@code pb} and returns its exit code and output, printed too for the test's log. The output goes through
     * files in {@code dir} (a pipe nobody reads could fill and block the program); a run over {@code minutes} fails
     * the test.
     */
    public static Cli.Run run(ProcessBuilder pb, Path dir, int minutes) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("timed out after " + minutes + " minutes: " + pb.command());
        }
        Cli.Run r = new Cli.Run(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.print(r.out());
        System.err.print(r.err());
        return r;
    }
}
