package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bert-clf sets TensorFlow's native log level, which the C++ runtime reads from the environment only.
 * The script runs in a copy of the repository layout, with a built jar in place and a stand-in {@code java}
 * on the PATH that prints the level it was given.
 */
class LauncherScriptTest {
    @TempDir Path tmp;

    private String tfLevel(String inherited, String... args) throws IOException, InterruptedException {
        Path root = tmp.resolve("repo");
        Files.createDirectories(root.resolve("scripts"));
        Files.createDirectories(root.resolve("src/main"));
        Files.createDirectories(root.resolve("target"));
        Files.createDirectories(tmp.resolve("bin"));
        Path script = Files.copy(Path.of("scripts/bert-clf"), root.resolve("scripts/bert-clf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path java = Files.writeString(tmp.resolve("bin/java"), "#!/bin/sh\necho \"TF_CPP_MIN_LOG_LEVEL=$TF_CPP_MIN_LOG_LEVEL\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(Files.writeString(root.resolve("pom.xml"), "<project/>"), old);
        Files.setLastModifiedTime(root.resolve("src/main"), old);
        Files.writeString(root.resolve("target/bert-clf.jar"), "");
        Files.writeString(root.resolve("target/classpath.txt"), "");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        if (inherited != null) pb.environment().put("TF_CPP_MIN_LOG_LEVEL", inherited);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void tensorFlowNativeLogIsQuietUnlessVerbose() throws Exception {
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", tfLevel(null, "train"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", tfLevel(null, "train", "-q"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", tfLevel(null, "train", "-v"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", tfLevel(null, "--verbose", "evaluate"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=1", tfLevel("1", "train", "-v"), "the user's own setting wins");
    }
}
