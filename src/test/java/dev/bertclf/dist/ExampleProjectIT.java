package dev.bertclf.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.Processes;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bert-clf as a library: {@code examples/score-reviews}, a Maven project of its own that depends on
 * {@code dev.bertclf:bert-clf}, is built by the Maven running this build against the jar and pom just packaged, and
 * its main scores texts with a model trained here. The artifact is installed into a temporary local repository that
 * sees this build's own (through symbolic links) but keeps bert-clf out of it, and Maven runs offline: everything the
 * example needs, the build has already resolved.
 */
class ExampleProjectIT {
    private static final Path EXAMPLE = Path.of("examples/score-reviews");
    private static final String VERSION = System.getProperty("bert.clf.version", "unknown");
    private static final Path HOME = Path.of(System.getProperty("bert.clf.home", "target/test-home"));

    @TempDir
    Path tmp;

    @Test
    void theExampleBuildsAgainstThePackagedArtifactAndScoresTexts() throws Exception {
        String pom = Files.readString(EXAMPLE.resolve("pom.xml"));
        Matcher asked = Pattern.compile("<artifactId>bert-clf</artifactId>\\s*<version>([^<]*)</version>")
                .matcher(pom);
        assertTrue(asked.find(), "examples/score-reviews/pom.xml names no bert-clf version");
        assertEquals(VERSION, asked.group(1), "examples/score-reviews/pom.xml asks for another bert-clf than this");

        Path repo = install(tmp.resolve("repository"));
        Path project = copy(EXAMPLE, tmp.resolve("score-reviews"));
        Path model = tmp.resolve("model");
        Path csv = TinyBert.reviewsCsv(tmp.resolve("reviews.csv"), 200);
        Cli.Run train = Cli.trainOnFile(TinyBert.write(tmp.resolve("tiny_bert"), ""), csv, model);
        assertEquals(0, train.code(), train.err());

        ProcessBuilder maven = new ProcessBuilder(
                        Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
                        "-B",
                        "-q",
                        "-o",
                        "-Dstyle.color=never",
                        "-Dmaven.repo.local=" + repo,
                        "compile",
                        "exec:java",
                        "-Dexec.args=" + model + " 'the movie was great' 'the movie was terrible'")
                .directory(project.toFile());
        Map<String, String> env = maven.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("BERT_CLF_HOME", HOME.toAbsolutePath().toString()); // TensorFlow's natives, unpacked once
        env.put("DJL_CACHE_DIR", HOME.toAbsolutePath().resolve("djl").toString()); // as the command line keeps it
        Cli.Run run = Processes.run(maven, tmp, 5);
        assertEquals(0, run.code(), run.out() + run.err());
        assertFalse(run.err().contains("SLF4J"), run.err()); // the library starts its logging backend cleanly

        // Maven 3.8's console writes colour resets even with -B and style.color=never
        String out = run.out().replaceAll("\u001B\\[[0-9;]*m", "");
        List<String[]> lines = out.lines().map(line -> line.split("\t")).toList();
        assertEquals(2, lines.size(), out);
        assertEquals(List.of("pos", "the movie was great"), List.of(lines.get(0)[1], lines.get(0)[2]), out);
        assertEquals(List.of("neg", "the movie was terrible"), List.of(lines.get(1)[1], lines.get(1)[2]), out);
        assertTrue(Double.parseDouble(lines.get(0)[0]) > 0.5, out);
        assertTrue(Double.parseDouble(lines.get(1)[0]) < 0.5, out);
    }

    /**
     * A local repository holding the packaged bert-clf (jar and pom, as {@code install} lays them out; the install
     * plugin itself is not in what {@code verify} resolves) and, through links, everything else of this build's.
     * Only the folders on bert-clf's path are real, so nothing Maven writes there reaches this build's repository.
     */
    private Path install(Path repo) throws IOException {
        Path base = Path.of(System.getProperty("bert.clf.local.repository"));
        Path from = base, to = Files.createDirectories(repo);
        for (String part : List.of("dev", "bertclf")) {
            if (Files.isDirectory(from)) {
                try (Stream<Path> entries = Files.list(from)) {
                    for (Path entry : entries.toList()) {
                        if (!entry.getFileName().toString().equals(part)) {
                            Files.createSymbolicLink(to.resolve(entry.getFileName()), entry);
                        }
                    }
                }
            }
            from = from.resolve(part);
            to = Files.createDirectories(to.resolve(part));
        }
        Path folder = Files.createDirectories(to.resolve("bert-clf").resolve(VERSION));
        Files.copy(Path.of("target/bert-clf.jar"), folder.resolve("bert-clf-" + VERSION + ".jar"));
        Files.copy(Path.of("pom.xml"), folder.resolve("bert-clf-" + VERSION + ".pom"));
        return repo;
    }

    /** The example's sources and pom, without anything built in its folder. */
    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path rel = from.relativize(file);
                if (rel.startsWith("target")) continue;
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(file)) Files.createDirectories(dest);
                else Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }
}
