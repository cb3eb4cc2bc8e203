package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TinyClassifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} as a user runs it: its own JVM, a free port from the log, stopped by SIGTERM. */
class ServeCommandTest {
    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void exportModel() throws java.io.IOException {
        model = TinyClassifier.export(tmp.resolve("model"));
    }

    @Test
    void servesOnTheLoggedPortAndStopsCleanlyOnSigterm() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path")));
        if (System.getProperty("bert.clf.home") != null)
            cmd.add("-Dbert.clf.home=" + System.getProperty("bert.clf.home"));
        cmd.addAll(List.of(Main.class.getName(), "serve", "--model-dir", model.toString(), "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        Process p = pb.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuffer log = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            URI uri = null;
            Pattern listening = Pattern.compile("Serving .* on (http://127\\.0\\.0\\.1:\\d+/) ");
            while (uri == null) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == null) throw new AssertionError("no 'Serving ... on URL' line; output:\n" + log);
                Matcher m = listening.matcher(line);
                if (m.find()) uri = URI.create(m.group(1));
            }
            assertTrue(uri.getPort() > 0 && uri.getPort() != 8080, "port 0 picks a free port: " + uri);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(uri.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri.resolve("/predict"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"great film\", \"awful film\"]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject first = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(0)
                    .getAsJsonObject();
            assertEquals("great film", first.get("text").getAsString());
            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(uri.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    metrics.headers().firstValue("Content-Type").orElse(null));
            Matcher load =
                    Pattern.compile("(?m)^bertclf_model_load_seconds (\\S+)$").matcher(metrics.body());
            assertTrue(load.find(), metrics.body());
            assertTrue(Double.parseDouble(load.group(1)) > 0, "the load was timed: " + load.group());

            p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops after SIGTERM; output:\n" + log);
            reader.join(5_000);
            assertTrue(log.toString().contains("Stopped after 1 model calls"), "the shutdown hook ran:\n" + log);
            // the access log is on the console by default, one line per request, without the texts
            assertTrue(
                    Pattern.compile("(?m)^127\\.0\\.0\\.1 \"POST /predict\" 200 \\d+ B [0-9.]+ ms 2 texts$")
                            .matcher(log)
                            .find(),
                    log.toString());
            assertTrue(log.toString().contains("127.0.0.1 \"GET /health\" 200 "), log.toString());
            assertTrue(!log.toString().contains("awful film"), "no texts unless asked:\n" + log);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Option values out of range are usage errors, found before the model (here a missing one) is looked at. */
    @Test
    void optionsOutOfRangeAreUsageErrorsBeforeTheModelLoads() {
        String nothing = tmp.resolve("nothing").toString();
        String[][] cases = {
            {"--port", "70000", "--port must be 0 to 65535, got 70000"},
            {"--port", "-1", "--port must be 0 to 65535, got -1"},
            {"--max-batch", "0", "--max-batch must be at least 1, got 0"},
            {"--batch-wait-ms", "5000", "--batch-wait-ms must be 0 to 1000, got 5000"},
            {"--batch-wait-ms", "-1", "--batch-wait-ms must be 0 to 1000, got -1"},
            {"--max-queue", "4", "--max-queue must be at least --max-batch (32), got 4"},
            {"--max-body-bytes", "-5", "--max-body-bytes must be 1 to 2147483646, got -5"},
            {"--max-connections", "0", "--max-connections must be 1 to 4096, got 0"},
            {"--request-timeout-s", "0", "--request-timeout-s must be 1 to 3600, got 0"},
            {
                "--access-log",
                "loud",
                "Invalid value for option '--access-log': expected one of [off, on, texts] (case-insensitive) but "
                        + "was 'loud'"
            },
            {"--tls-password-file", nothing, "--tls-password-file needs --tls-keystore"},
            {
                "--tls-keystore",
                nothing,
                "--tls-keystore needs its password: --tls-password-file FILE or the "
                        + "environment variable BERT_CLF_TLS_PASSWORD"
            },
        };
        for (String[] c : cases) {
            Cli.Run r = Cli.run("serve", "--model-dir", nothing, c[0], c[1]);
            assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().startsWith("error: " + c[2] + System.lineSeparator()), r.err());
        }
    }

    @Test
    void anEmptyKeyFileIsFoundBeforeTheModelLoads() throws java.io.IOException {
        Path empty = java.nio.file.Files.writeString(tmp.resolve("empty-key"), "\n");
        Cli.Run r =
                Cli.run("serve", "--model-dir", tmp.resolve("nothing").toString(), "--api-key-file", empty.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("error: --api-key-file " + empty + ": the file is empty"), r.err());
    }

    @Test
    void aMissingModelAndABusyPortGiveAMessageAndExitCodeOne() throws java.io.IOException {
        Cli.Run missing = Cli.run("serve", "--model-dir", tmp.resolve("nothing").toString(), "--port", "0");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("run 'bert-clf train' first"), missing.err());
        assertEquals(2, Cli.run("serve", "--port", "many").code());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cli.Run busy =
                    Cli.run("serve", "--model-dir", model.toString(), "--port", String.valueOf(taken.getLocalPort()));
            assertEquals(1, busy.code());
            assertTrue(busy.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), busy.err());
        }
    }
}
