package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bert-clf sets TensorFlow's native log level, which the C++ runtime reads from the environment only.
 * The script runs in a copy of the repository layout, with a built jar in place and a stand-in {@code java}
 * on the PATH that prints the level it was given.
 */
class LauncherScriptTest {
    @TempDir
    Path tmp;

    /**
     * Prints the TensorFlow log level and the class-data option it was given; "dumps" an archive (a file holding
     * $DUMP, "good" by default) for -XX:ArchiveClassesAtExit, and for the launcher's -version check of an archive
     * succeeds only when the archive holds "good", as a real JVM refuses a truncated one.
     */
    private static final String STAND_IN_JAVA =
            """
            #!/bin/bash
            for a in "$@"; do
              case "$a" in
                -XX:ArchiveClassesAtExit=*) echo "${DUMP:-good}" > "${a#*=}"; echo "CDS dump" ;;
                -XX:SharedArchiveFile=*) archive="${a#*=}" ;;
                -version) [[ "$(cat "$archive")" == good ]]; exit ;;
              esac
            done
            [[ -n "${archive:-}" ]] && echo "CDS use $(basename "$archive")"
            echo "TF_CPP_MIN_LOG_LEVEL=$TF_CPP_MIN_LOG_LEVEL"
            """;

    private String tfLevel(String inherited, String... args) throws IOException, InterruptedException {
        return launch(inherited, Map.of(), args)
                .lines()
                .filter(l -> l.startsWith("TF_"))
                .findFirst()
                .orElseThrow();
    }

    private String launch(String inherited, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Launched l = launch(STAND_IN_JAVA, inherited, env, args);
        assertEquals(0, l.code(), l.out());
        return l.out();
    }

    record Launched(int code, String out) {}

    private Launched launch(String standInJava, String inherited, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        Path root = tmp.resolve("repo");
        Files.createDirectories(root.resolve("scripts"));
        Files.createDirectories(root.resolve("src/main"));
        Files.createDirectories(root.resolve("target"));
        Files.createDirectories(tmp.resolve("bin"));
        Path script = Files.copy(
                Path.of("scripts/bert-clf"),
                root.resolve("scripts/bert-clf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(root.resolve("src/dist/bin")); // the release's launcher, which scripts/bert-clf runs
        Files.copy(
                Path.of("src/dist/bin/bert-clf"),
                root.resolve("src/dist/bin/bert-clf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path java = Files.writeString(tmp.resolve("bin/java"), standInJava);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(Files.writeString(root.resolve("pom.xml"), "<project/>"), old);
        Files.setLastModifiedTime(root.resolve("src/main"), old);
        if (!Files.exists(root.resolve("target/bert-clf.jar"))) {
            Files.writeString(root.resolve("target/bert-clf.jar"), "");
            Files.writeString(root.resolve("target/classpath.txt"), "");
        }
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        pb.environment().remove("JAVA_HOME"); // the stand-in java on the PATH is the one to run
        if (inherited != null) pb.environment().put("TF_CPP_MIN_LOG_LEVEL", inherited);
        if (env.containsKey("LANG")) List.of("LC_ALL", "LC_CTYPE").forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Launched(p.waitFor(), out);
    }

    /**
     * Under {@code LANG=C} Java names files in ASCII and cannot open {@code données/}; the launcher gives such a
     * run a UTF-8 locale. Here the stand-in runs the real {@code bert-clf} (this test's JVM and class path, without
     * the class-data options), so the message is the one a user sees.
     */
    @Test
    void nonAsciiFolderUnderTheCLocaleIsNamedNormally() throws Exception {
        String realJava =
                """
                #!/bin/bash
                args=()
                while (($#)); do
                  case "$1" in
                    -cp) args+=(-cp "$TEST_CLASSPATH"); shift ;;
                    -XX:*|-Xlog:*) ;;
                    *) args+=("$1") ;;
                  esac
                  shift
                done
                exec "$REAL_JAVA" "${args[@]}"
                """;
        Path folder = Files.createDirectories(tmp.resolve("donn\u00e9es"));
        Map<String, String> env = Map.of(
                "LANG",
                "C",
                "BERT_CLF_HOME",
                tmp.resolve("home").toString(),
                "REAL_JAVA",
                ProcessHandle.current().info().command().orElseThrow(),
                "TEST_CLASSPATH",
                System.getProperty("java.class.path"));
        Launched l = launch(realJava, null, env, "predict", "--model-dir", folder.toString(), "a fine film");
        assertEquals(1, l.code(), l.out());
        assertTrue(l.out().contains("no trained model in " + folder), l.out());
        assertFalse(l.out().contains("InvalidPathException") || l.out().contains("Malformed input"), l.out());
    }

    @Test
    void tensorFlowNativeLogIsQuietUnlessVerbose() throws Exception {
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", tfLevel(null, "train"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=2", tfLevel(null, "train", "-q"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", tfLevel(null, "train", "-v"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=0", tfLevel(null, "--verbose", "evaluate"));
        assertEquals("TF_CPP_MIN_LOG_LEVEL=1", tfLevel("1", "train", "-v"), "the user's own setting wins");
    }

    /**
     * A closed stdin or stdout is given a stand-in before Java starts: the JVM would otherwise open a jar or a library
     * as file descriptor 0 or 1 ({@code predict <&-} once crashed with SIGSEGV reading one).
     */
    @Test
    void closedStandardStreamsGetStandIns() throws Exception {
        String fds =
                """
                #!/bin/bash
                echo "stdin $(readlink /proc/$$/fd/0)" >&2
                echo "stdout $(readlink /proc/$$/fd/1)" >&2
                """;
        launch(fds, null, Map.of(), "models"); // lays out the stand-in repository
        ProcessBuilder pb = new ProcessBuilder(
                        "bash",
                        "-c",
                        "bash \"$0\" predict <&- >&-",
                        tmp.resolve("repo/scripts/bert-clf").toString())
                .redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("JAVA_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertTrue(out.contains("stdin /dev/null"), out);
        assertTrue(out.contains("stdout /dev/full"), out);
    }

    /**
     * A run of a model command without an archive dumps one under a temp name; the next run checks it, renames it
     * and uses it. Commands that load no model (help, models, download) dump nothing: their archive would lack
     * TensorFlow's classes.
     */
    @Test
    void classDataArchiveIsDumpedCheckedThenUsed() throws Exception {
        Path target = tmp.resolve("repo/target");
        assertFalse(launch(null, Map.of(), "models").contains("CDS"));
        assertTrue(launch(null, Map.of(), "predict").contains("CDS dump"));
        assertTrue(launch(null, Map.of(), "predict").contains("CDS use bert-clf.jsa"));
        assertTrue(Files.exists(target.resolve("bert-clf.jsa")));
        try (var files = Files.list(target)) {
            assertEquals(
                    0,
                    files.filter(f -> f.getFileName().toString().startsWith(".bert-clf.jsa."))
                            .count());
        }
    }

    /** A dump that does not pass the check (truncated by a kill, say) is deleted, never used. */
    @Test
    void aBadArchiveIsDiscarded() throws Exception {
        Path target = tmp.resolve("repo/target");
        assertTrue(launch(null, Map.of("DUMP", "truncated"), "predict").contains("CDS dump"));
        String second = launch(null, Map.of(), "predict");
        assertFalse(second.contains("CDS use"), second);
        assertTrue(second.contains("CDS dump"), "dumps again: " + second);
        assertFalse(Files.exists(target.resolve("bert-clf.jsa")));
    }
}
