package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.bertclf.model.checkpoint.CheckpointIndex;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.ChildJvm;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.SyntheticImdb;
import dev.bertclf.testutil.TinyBert;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

/**
 * {@code train} on several workers, each a JVM of its own on loopback as on separate machines: the same weights
 * as one process, and the faults a cluster has (a worker missing or dying, a port in use, a malformed TF_CONFIG,
 * workers started with other settings) ending every worker with a clear message in bounded time.
 */
class DistributedTrainingTest {
    @TempDir
    static Path tmp;

    static Path model, trainCsv;

    @BeforeAll
    static void setUp() throws IOException {
        TfRuntime.engine(); // the child JVMs use the suite's unpacked natives
        model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 81; i++) {
            boolean positive = i % 2 == 0;
            csv.append(SyntheticImdb.review(random, positive))
                    .append(',')
                    .append(positive ? 1 : 0)
                    .append('\n');
        }
        trainCsv = Files.writeString(tmp.resolve("reviews.csv"), csv);
    }

    /**
     * The recipe of every run here: 65 training examples, global batch 16: an epoch's last batch has one example, so
     * one of two workers has none in that step and still takes part in it.
     */
    static List<String> recipe(Path output, String... more) {
        return recipe(output, 2, more);
    }

    static List<String> recipe(Path output, int epochs, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--model",
                model.toString(),
                "--train-file",
                trainCsv.toString(),
                "--epochs",
                "" + epochs,
                "--batch-size",
                "16",
                "--learning-rate",
                "2e-3",
                "--max-seq-len",
                "16",
                "--output",
                output.toString()));
        // Where this build cannot hold TensorFlow's servers to loopback (no C compiler or JDK headers when it was
        // built), several workers need the user's word; here they are narrowed, which ListenAddressTest checks.
        if (!dev.bertclf.runtime.ListenAddress.available()) args.add("--open-worker-ports");
        args.addAll(List.of(more));
        return args;
    }

    /**
     * TensorFlow's servers would listen on every interface with no authentication (a process on another machine
     * once read and wrote files inside a trainer through {@code --local-workers}' ports): a worker named by the
     * wildcard address, or by an address that is not this machine's, starts only with the user's word that the
     * network is trusted. An impossible number of local workers is refused rather than started.
     */
    @Test
    void aWorkerThatWouldListenEverywhereNeedsTheUsersWord() throws Exception {
        String elsewhere = "198.51.100.77"; // TEST-NET-2: an address of no machine here
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.net.NetworkInterface.getByInetAddress(InetAddress.getByName(elsewhere)) == null);
        for (String host : List.of("0.0.0.0", elsewhere)) {
            List<String> args =
                    recipe(tmp.resolve("open"), "--cluster", host + ":" + freePort() + ",127.0.0.1:" + freePort());
            args.remove("--open-worker-ports"); // the user's word is what is tested
            Cli.Run r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("would listen on port"), r.err());
            assertTrue(r.err().contains("of every network interface of this machine"), r.err());
            assertTrue(r.err().contains("--open-worker-ports"), r.err());
        }
        Cli.Run many = Cli.run(
                recipe(tmp.resolve("many"), "--local-workers", "2147483647").toArray(String[]::new));
        assertEquals(2, many.code(), many.err());
        assertTrue(many.err().contains("--local-workers 2147483647 is more than this machine's"), many.err());
        assertFalse(Files.exists(tmp.resolve("open")) || Files.exists(tmp.resolve("many")), "nothing written");
    }

    record Ended(int code, String out, double seconds) {}

    static Process start(List<String> args, String name, String... env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.command("1g", List.of("-Dbertclf.dropout=off"), args))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        for (int i = 0; i < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        return pb.start();
    }

    static Ended await(Process p, String name) throws Exception {
        long t0 = System.nanoTime();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not end: " + Files.readString(tmp.resolve(name + ".log")));
        }
        return new Ended(p.exitValue(), Files.readString(tmp.resolve(name + ".log")), (System.nanoTime() - t0) / 1e9);
    }

    static Ended run(List<String> args, String name, String... env) throws Exception {
        return await(start(args, name, env), name);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Every float variable of an exported model, by name. */
    static Map<String, float[]> weights(Path modelDir) {
        Path prefix = modelDir.resolve("variables/variables");
        List<String> names = new ArrayList<>(CheckpointIndex.read(prefix).keySet());
        names.removeIf(n -> n.startsWith("_") || n.contains("CHECKPOINTABLE") || n.contains("metadata"));
        Map<String, float[]> out = new java.util.TreeMap<>();
        Map<String, TFloat32> read = CheckpointReader.read(prefix, names);
        for (var e : read.entrySet()) {
            float[] v = new float[(int) e.getValue().size()];
            e.getValue().copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
            out.put(e.getKey(), v);
            e.getValue().close();
        }
        return out;
    }

    @Test
    void twoWorkersReachTheWeightsOfOneProcessWithTheGlobalBatch() throws Exception {
        Ended single = run(recipe(tmp.resolve("single")), "single");
        assertEquals(0, single.code(), single.out());
        Ended two = run(recipe(tmp.resolve("two"), "--local-workers", "2"), "two");
        assertEquals(0, two.code(), two.out());
        java.util.regex.Matcher workerOutput =
                java.util.regex.Pattern.compile("output in (\\S+)\\)").matcher(two.out());
        assertTrue(workerOutput.find(), two.out());
        assertFalse(Files.exists(Path.of(workerOutput.group(1))), "the other worker's output is removed after a run");
        assertFalse(Files.exists(tmp.resolve("two").resolve("saved_model.pb").resolveSibling("worker-1.log")));

        Map<String, float[]> a = weights(tmp.resolve("single")), b = weights(tmp.resolve("two"));
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.size() > 10, a.keySet().toString());
        // Not bit for bit: each worker sums its half of the batch's gradient and the halves are added, where one
        // process sums the 16 examples in one order. Adam (epsilon 1e-6) magnifies such rounding only where a
        // gradient is near zero: most of all in the attention key biases, whose gradient is zero in exact arithmetic
        // (softmax ignores a shift shared by a row), so both runs step them by rounding noise. Measured after these
        // 10 steps at learning rate 2e-3: up to 1.3e-4 relative in a key bias, 1.2e-6 at most everywhere else.
        double worst = 0;
        String worstName = "";
        for (String name : a.keySet()) {
            float[] x = a.get(name), y = b.get(name);
            double diff = 0, norm = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                norm = Math.max(norm, Math.abs(x[i]));
            }
            double relative = diff / Math.max(norm, 1e-6);
            System.out.printf("%-60s %.3g%n", name, relative);
            if (name.endsWith("/key/bias")) {
                assertTrue(relative < 1e-3, name + ": " + relative);
            } else if (relative > worst) {
                worst = relative;
                worstName = name;
            }
        }
        System.out.println("largest relative weight difference, 2 workers vs 1 process (key biases aside): " + worst
                + " (" + worstName + ")");
        assertTrue(worst < 1e-5, "relative difference " + worst + " in " + worstName);

        JsonArray h1 = JsonParser.parseString(Files.readString(tmp.resolve("single/history.json")))
                .getAsJsonArray();
        JsonArray h2 = JsonParser.parseString(Files.readString(tmp.resolve("two/history.json")))
                .getAsJsonArray();
        for (int e = 0; e < h1.size(); e++) {
            for (String k : List.of("loss", "accuracy", "valLoss", "valAccuracy")) {
                assertEquals(
                        h1.get(e).getAsJsonObject().get(k).getAsDouble(),
                        h2.get(e).getAsJsonObject().get(k).getAsDouble(),
                        1e-5,
                        "epoch " + (e + 1) + " " + k);
            }
        }
    }

    @Test
    void aWorkerThatNeverComesUpStopsTheChiefInBoundedTime() throws Exception {
        String cluster = "localhost:" + freePort() + ",localhost:" + freePort();
        Ended chief = run(recipe(tmp.resolve("alone"), "--cluster", cluster, "--worker-timeout", "3"), "alone");
        assertEquals(1, chief.code(), chief.out());
        assertTrue(chief.out().contains("worker 1 (localhost:"), chief.out());
        assertTrue(chief.out().contains("did not come up within 3 s"), chief.out());
        assertFalse(chief.out().contains("\tat "), chief.out());
        assertTrue(chief.seconds() < 60, "took " + chief.seconds() + " s");
    }

    @Test
    void workersStartedWithOtherSettingsAreRefused() throws Exception {
        String cluster = "localhost:" + freePort() + ",localhost:" + freePort();
        Process w0 = start(recipe(tmp.resolve("differ"), "--cluster", cluster, "--worker-timeout", "30"), "differ0");
        Process w1 = start(
                recipe(tmp.resolve("differ"), "--cluster", cluster, "--task-index", "1", "--seed", "7"), "differ1");
        Ended e0 = await(w0, "differ0"), e1 = await(w1, "differ1");
        for (Ended e : List.of(e0, e1)) {
            assertEquals(2, e.code(), e.out());
            assertTrue(
                    e.out().contains("worker 1 has another --seed, the training data, the validation data"), e.out());
        }
        assertFalse(Files.exists(tmp.resolve("differ").resolve("saved_model.pb")));
    }

    @Test
    void aPortInUseOrAMalformedTfConfigIsAUsageError() throws Exception {
        try (ServerSocket busy = new ServerSocket(0)) {
            String cluster = "localhost:" + busy.getLocalPort() + ",localhost:" + freePort();
            Ended e = run(recipe(tmp.resolve("busy"), "--cluster", cluster), "busy");
            assertEquals(2, e.code(), e.out());
            assertTrue(e.out().contains("port " + busy.getLocalPort() + " "), e.out());
            assertTrue(e.out().contains("in use"), e.out());
        }
        Ended bad = run(recipe(tmp.resolve("tfconfig")), "tfconfig", "TF_CONFIG", "{\"cluster\": {\"worker\": [");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("TF_CONFIG"), bad.out());
        assertFalse(bad.out().contains("\tat "), bad.out());
    }

    @Test
    void aWorkerThatDiesStopsTheChiefAndTheRunResumesWithAnotherNumberOfWorkers() throws Exception {
        String cluster = "localhost:" + freePort() + ",localhost:" + freePort();
        Path out = tmp.resolve("dies");
        Process chief = start(
                recipe(out, 30, "--cluster", cluster, "--worker-timeout", "5", "--checkpoint-every", "2"), "dies0");
        Process worker = start(recipe(out, 30, "--cluster", cluster, "--task-index", "1"), "dies1");
        Path checkpoints = ResumeTest.checkpointDir(out);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!(Files.isDirectory(checkpoints) && ResumeTest.latestCheckpoint(out) != null)) {
            assertTrue(chief.isAlive() && worker.isAlive(), Files.readString(tmp.resolve("dies0.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint in time");
            Thread.sleep(20);
        }
        worker.destroyForcibly();
        long killed = System.nanoTime();
        Ended e = await(chief, "dies0");
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertEquals(1, e.code(), e.out());
        assertTrue(e.out().contains("worker 0 lost the other workers"), e.out());
        assertTrue(e.out().contains("resume with --resume"), e.out());
        assertFalse(e.out().contains("\tat "), e.out());
        assertTrue(seconds < 60, "the chief took " + seconds + " s to notice");
        assertTrue(ResumeTest.latestCheckpoint(out) != null, "the chief's checkpoints are kept");

        Ended resumed = run(List.of("train", "--resume", out.toString()), "dies-resumed");
        assertEquals(0, resumed.code(), resumed.out());
        assertTrue(resumed.out().contains("Resuming from step"), resumed.out());
        assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
        assertEquals(
                30,
                JsonParser.parseString(Files.readString(out.resolve("history.json")))
                        .getAsJsonArray()
                        .size());
    }

    @Test
    void aChiefStoppedBySigtermStopsTheWorkerAfterTheSameStep() throws Exception {
        String cluster = "localhost:" + freePort() + ",localhost:" + freePort();
        Path out = tmp.resolve("stopped");
        Process chief = start(recipe(out, 30, "--cluster", cluster, "--checkpoint-every", "2"), "stop0");
        Process worker = start(recipe(out, 30, "--cluster", cluster, "--task-index", "1"), "stop1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!(Files.isDirectory(ResumeTest.checkpointDir(out)) && ResumeTest.latestCheckpoint(out) != null)) {
            assertTrue(chief.isAlive() && worker.isAlive(), Files.readString(tmp.resolve("stop0.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint in time");
            Thread.sleep(20);
        }
        chief.destroy(); // SIGTERM
        Ended c = await(chief, "stop0"), w = await(worker, "stop1");
        assertEquals(143, c.code(), c.out());
        assertEquals(130, w.code(), w.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("stopped by SIGTERM at step (\\d+)")
                .matcher(c.out());
        assertTrue(m.find(), c.out());
        assertTrue(w.out().contains("the chief was stopped at step " + m.group(1) + " of 150"), w.out());
    }
}
