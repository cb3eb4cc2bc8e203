package dev.bertclf.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.Processes;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release as a user installs it: the unpacked distribution that {@code mvn package} lays out
 * ({@code src/assembly/dist.xml}), run through a symlink on the PATH from another folder, with a home that has no
 * Maven repository, no clone and no Maven. {@code --version}, {@code models}, a tiny {@code train} and a
 * {@code predict} must work; so must {@code java -jar bert-clf.jar} in the release's folder.
 */
class DistributionIT {
    private static final Path DIST = Path.of(System.getProperty("bert.clf.dist", "target/no-dist"));
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    @TempDir
    Path tmp;

    private Cli.Run run(Path cwd, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        Path home = Files.createDirectories(tmp.resolve("home"));
        env.put("HOME", home.toString());
        env.put("BERT_CLF_HOME", tmp.resolve("bert-clf-home").toString());
        env.put("BERT_CLF_JAVA_OPTS", "-Xmx2g -Duser.home=" + home); // Java reads its home from the system, not HOME
        env.put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        env.remove("BERT_CLF_CLASSPATH");
        env.put("JAVA_HOME", JAVA_HOME.toString()); // the launcher honours it: the Java running these tests
        return Processes.run(pb, tmp, 5);
    }

    private Cli.Run bertClf(String... args) throws IOException, InterruptedException {
        // the symlink on the PATH (a ProcessBuilder looks programs up in this JVM's PATH, so it is named in full)
        List<String> command =
                new ArrayList<>(List.of(tmp.resolve("bin/bert-clf").toString()));
        command.addAll(List.of(args));
        return run(Files.createDirectories(tmp.resolve("elsewhere")), command);
    }

    @Test
    void theReleaseRunsThroughASymlinkWithoutMavenOrAClone() throws Exception {
        assertTrue(Files.isExecutable(DIST.resolve("bin/bert-clf")), "no release laid out at " + DIST);
        Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(
                tmp.resolve("bin/bert-clf"), DIST.resolve("bin/bert-clf").toAbsolutePath());

        Cli.Run version = bertClf("--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("bert-clf "), version.out());

        Cli.Run models = bertClf("models");
        assertEquals(0, models.code(), models.err());
        assertTrue(models.out().contains("small_bert/bert_en_uncased_L-4_H-512_A-8"), models.out());

        Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        Path csv = TinyBert.reviewsCsv(tmp.resolve("reviews.csv"), 48);
        Path output = tmp.resolve("model");
        Cli.Run train = bertClf(Cli.trainOnFileArgs(model, csv, output));
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(output.resolve("saved_model.pb")), train.out());

        Cli.Run predict = bertClf("predict", "--model-dir", output.toString(), "--json", "the movie was great");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().contains("\"probability\""), predict.out());

        Cli.Run jar = run(
                DIST,
                List.of(
                        JAVA_HOME.resolve("bin/java").toString(),
                        "-Duser.home=" + tmp.resolve("home"),
                        "-jar",
                        "bert-clf.jar",
                        "--version"));
        assertEquals(0, jar.code(), jar.err());
        assertEquals(version.out(), jar.out());
    }

    /** The launcher copied out of its release says what is wrong rather than failing in Java. */
    @Test
    void aLauncherWithoutItsReleaseSaysSo() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("copied/bin"));
        Files.copy(DIST.resolve("bin/bert-clf"), bin.resolve("bert-clf"));
        Cli.Run r = run(tmp, List.of(bin.resolve("bert-clf").toString(), "--version"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("bert-clf.jar is missing: this is not an unpacked bert-clf release"), r.err());
    }
}
