package dev.bertclf.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes a real named pipe with {@code mkfifo}; the calling test is skipped where there is none (Windows). */
public final class Fifo {
    private Fifo() {}

    public static Path create(Path path) throws IOException, InterruptedException {
        Files.createDirectories(path.getParent());
        int rc;
        try {
            rc = new ProcessBuilder("mkfifo", path.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            rc = -1; // no mkfifo on this system
        }
        assumeTrue(rc == 0 && Files.exists(path), "mkfifo is not available");
        return path;
    }
}
