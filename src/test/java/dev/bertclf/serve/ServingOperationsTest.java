package dev.bertclf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.Prediction;
import dev.bertclf.runtime.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What an operator needs of a server in production, over a real loopback client: Prometheus metrics, an OpenAPI
 * document that matches the routes, an access log line per request, and JSON for every error.
 */
class ServingOperationsTest {
    @TempDir
    Path tmp;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    final ListAppender<ILoggingEvent> access = new ListAppender<>();
    final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);

    @BeforeEach
    void captureTheAccessLog() {
        access.start();
        accessLogger.addAppender(access);
    }

    @AfterEach
    void release() {
        accessLogger.detachAppender(access);
    }

    /** A model that fails on the text "explode" and answers {@link FakeModel}'s predictions otherwise. */
    static final class ExplodingModel implements BatchingPredictor.Model {
        final FakeModel fake = new FakeModel();

        @Override
        public List<Prediction> predict(List<String> texts, int batchSize) {
            if (texts.contains("explode")) throw new IllegalStateException("the model exploded");
            return fake.predict(texts, batchSize);
        }

        @Override
        public void close() {}
    }

    static PredictionServer serve(int maxBatch, int maxQueue, CountDownLatch gate, ApiKey key, AccessLog.Mode log)
            throws IOException {
        PredictionServer.Options options = new PredictionServer.Options(
                "127.0.0.1",
                0,
                maxBatch,
                Duration.ofMillis(1),
                maxQueue,
                4096,
                PredictionServer.Options.MAX_CONNECTIONS,
                PredictionServer.Options.REQUEST_TIMEOUT,
                key,
                null,
                log);
        BatchingPredictor p =
                new BatchingPredictor(new ExplodingModel(), maxBatch, Duration.ofMillis(1), maxQueue, gate);
        return new PredictionServer(p, Path.of("models", "imdb_bert"), FakeModel.CLASSES, options);
    }

    static PredictionServer serve(AccessLog.Mode log) throws IOException {
        return serve(8, 64, new CountDownLatch(0), null, log);
    }

    HttpResponse<String> send(PredictionServer s, String method, String path, String body)
            throws IOException, InterruptedException {
        return send(s, method, path, body, null);
    }

    HttpResponse<String> send(PredictionServer s, String method, String path, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(s.uri().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) r.header("Authorization", authorization);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample {@code series} (name and labels as written) in a Prometheus text exposition. */
    static double sample(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        }
        throw new AssertionError("no sample " + series + " in:\n" + exposition);
    }

    @Test
    void metricsCountRequestsLatencyBatchSizesAndQueueDepth() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (PredictionServer s = serve(8, 64, gate, null, AccessLog.Mode.off)) {
            CompletableFuture<HttpResponse<String>> queued = http.sendAsync(
                    HttpRequest.newBuilder(s.uri().resolve("/predict"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"a\", \"b\", \"c\"]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            PredictionServerTest.waitFor(() -> s.predictor().pendingTexts() == 3, "three texts are queued");
            HttpResponse<String> during = send(s, "GET", "/metrics", null);
            assertEquals(200, during.statusCode(), during.body());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    during.headers().firstValue("Content-Type").orElse(null));
            assertEquals(3.0, sample(during.body(), "bertclf_queue_depth"));
            gate.countDown();
            assertEquals(200, queued.get().statusCode());
            assertEquals(
                    200, send(s, "POST", "/predict", "{\"text\": \"one more\"}").statusCode());
            for (int i = 0; i < 20; i++) send(s, "GET", "/random-" + i, null); // one label for them all
            send(s, "GET", "/predict", null);
            String m = send(s, "GET", "/metrics", null).body();

            assertEquals(2.0, sample(m, "bertclf_requests_total{endpoint=\"/predict\",status=\"200\"}"));
            assertEquals(1.0, sample(m, "bertclf_requests_total{endpoint=\"/predict\",status=\"405\"}"));
            assertEquals(20.0, sample(m, "bertclf_requests_total{endpoint=\"other\",status=\"404\"}"));
            assertEquals(1.0, sample(m, "bertclf_requests_total{endpoint=\"/metrics\",status=\"200\"}"));
            assertFalse(m.contains("random-"), "unrouted paths share one label");
            assertEquals(3.0, sample(m, "bertclf_request_duration_seconds_count{endpoint=\"/predict\"}"));
            double held = sample(m, "bertclf_request_duration_seconds_sum{endpoint=\"/predict\"}");
            assertTrue(held > 0, "the queued request's time is counted: " + held);
            assertEquals(3.0, sample(m, "bertclf_request_duration_seconds_bucket{endpoint=\"/predict\",le=\"+Inf\"}"));
            assertEquals(2.0, sample(m, "bertclf_batch_size_count"), "two model calls");
            assertEquals(4.0, sample(m, "bertclf_batch_size_sum"), "of 3 and 1 texts");
            assertEquals(1.0, sample(m, "bertclf_batch_size_bucket{le=\"1.0\"}"));
            assertEquals(2.0, sample(m, "bertclf_batch_size_bucket{le=\"4.0\"}"));
            assertEquals(0.0, sample(m, "bertclf_queue_depth"));
            assertEquals(0.0, sample(m, "bertclf_model_load_seconds"), "a test server loads nothing");
            assertEquals(1.0, sample(m, "bertclf_build_info{model=\"imdb_bert\",version=\"" + Version.get() + "\"}"));
            assertTrue(m.contains("# TYPE bertclf_request_duration_seconds histogram\n"), m);
            assertTrue(m.contains("# TYPE bertclf_requests_total counter\n"), m);
            // every line is a comment or "name{labels} value", the 0.0.4 text format
            Pattern line = Pattern.compile(
                    "# (HELP|TYPE) \\w+ .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_]\\w*=\"[^\"\\\\\\n]*\"(,[a-zA-Z_]\\w*="
                            + "\"[^\"\\\\\\n]*\")*})? -?[0-9.eE+-]+");
            for (String l : m.split("\n")) assertTrue(line.matcher(l).matches(), "not the text format: " + l);
        }
    }

    /** Every routed path is documented with its method, and every documented operation is answered. */
    @Test
    void openApiDocumentListsExactlyTheRoutedEndpoints() throws Exception {
        try (PredictionServer s = serve(AccessLog.Mode.off)) {
            HttpResponse<String> r = send(s, "GET", "/openapi.json", null);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonObject doc = JsonParser.parseString(r.body()).getAsJsonObject();
            assertTrue(
                    doc.get("openapi").getAsString().matches("3\\.0\\.\\d+"),
                    doc.get("openapi").toString());
            assertEquals(
                    Version.get(), doc.getAsJsonObject("info").get("version").getAsString());
            assertFalse(doc.has("security"), "no key, no security scheme");
            Map<String, String> documented = new HashMap<>();
            for (String path : doc.getAsJsonObject("paths").keySet()) {
                Set<String> methods =
                        doc.getAsJsonObject("paths").getAsJsonObject(path).keySet();
                assertEquals(1, methods.size(), path + ": " + methods);
                documented.put(path, methods.iterator().next().toUpperCase());
            }
            assertEquals(PredictionServer.ROUTES, documented);
            for (Map.Entry<String, String> op : documented.entrySet()) {
                String body = op.getValue().equals("POST") ? "{\"text\": \"a documented call\"}" : null;
                HttpResponse<String> answer = send(s, op.getValue(), op.getKey(), body);
                assertEquals(200, answer.statusCode(), op + ": " + answer.body());
            }
            // a real prediction has every required field of the schema, and no field the schema does not describe
            JsonObject schema =
                    doc.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("Prediction");
            JsonObject prediction = JsonParser.parseString(
                            send(s, "POST", "/predict", "{\"text\": \"a documented call\"}")
                                    .body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(0)
                    .getAsJsonObject();
            assertTrue(
                    schema.getAsJsonObject("properties").keySet().containsAll(prediction.keySet()),
                    prediction.toString());
            for (var required : schema.getAsJsonArray("required")) {
                assertTrue(prediction.has(required.getAsString()), required + " in " + prediction);
            }
            // every $ref names a schema or response the document defines
            Set<String> defined = new HashSet<>();
            for (String kind : List.of("schemas", "responses")) {
                for (String name :
                        doc.getAsJsonObject("components").getAsJsonObject(kind).keySet()) {
                    defined.add("#/components/" + kind + "/" + name);
                }
            }
            Matcher ref = Pattern.compile("\"\\$ref\":\"([^\"]+)\"").matcher(r.body());
            int refs = 0;
            for (; ref.find(); refs++) assertTrue(defined.contains(ref.group(1)), ref.group(1));
            assertTrue(refs > 10, "refs: " + refs);
        }
        Path keyFile = Files.writeString(tmp.resolve("key"), "k3y");
        try (PredictionServer s = serve(8, 64, new CountDownLatch(0), ApiKey.read(keyFile), AccessLog.Mode.off)) {
            JsonObject doc = JsonParser.parseString(
                            send(s, "GET", "/openapi.json", null, "Bearer k3y").body())
                    .getAsJsonObject();
            assertEquals("[{\"apiKey\":[]}]", doc.get("security").toString());
            JsonObject scheme = doc.getAsJsonObject("components")
                    .getAsJsonObject("securitySchemes")
                    .getAsJsonObject("apiKey");
            assertEquals("http", scheme.get("type").getAsString());
            assertEquals("bearer", scheme.get("scheme").getAsString());
        }
    }

    static void assertJsonError(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(null),
                status + " " + r.body());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(Set.of("error"), o.keySet(), r.body());
        assertTrue(o.get("error").getAsString().length() > 5, r.body());
    }

    /** 400, 401, 404, 405, 413 (body and texts), 500 and 503, each from a real client, each JSON. */
    @Test
    void everyErrorTheServerAnswersIsJson() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (PredictionServer s = serve(2, 2, gate, null, AccessLog.Mode.off)) {
            assertJsonError(send(s, "POST", "/predict", "{\"text\": "), 400);
            assertJsonError(send(s, "GET", "/nothing", null), 404);
            assertJsonError(send(s, "DELETE", "/metrics", null), 405);
            assertJsonError(send(s, "POST", "/openapi.json", "{}"), 405);
            assertJsonError(send(s, "POST", "/predict", "{\"text\": \"" + "a".repeat(5000) + "\"}"), 413);
            assertJsonError(send(s, "POST", "/predict", "{\"texts\": [\"a\", \"b\", \"c\"]}"), 413);
            CompletableFuture<HttpResponse<String>> held = http.sendAsync(
                    HttpRequest.newBuilder(s.uri().resolve("/predict"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"a\", \"b\"]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            PredictionServerTest.waitFor(() -> s.predictor().pendingTexts() == 2, "the queue is full");
            assertJsonError(send(s, "POST", "/predict", "{\"text\": \"no room\"}"), 503);
            gate.countDown();
            assertEquals(200, held.get().statusCode());
            assertJsonError(send(s, "POST", "/predict", "{\"text\": \"explode\"}"), 500);
            assertEquals(
                    200,
                    send(s, "POST", "/predict", "{\"text\": \"fine again\"}").statusCode());
        }
        Path keyFile = Files.writeString(tmp.resolve("key"), "k3y");
        try (PredictionServer s = serve(8, 64, new CountDownLatch(0), ApiKey.read(keyFile), AccessLog.Mode.off)) {
            assertJsonError(send(s, "GET", "/metrics", null), 401);
        }
    }

    /**
     * What the JDK's server refuses itself, before any handler of ours runs: a request line it cannot parse, a target
     * that is an authority ({@code //host}), a transfer coding it does not know. No hook reaches these answers, so
     * they stay the JDK's short HTML (README says so); the connection is closed and the server goes on.
     */
    @Test
    void requestsTheJdkRefusesBeforeTheHandlerAreClosedAndTheServerGoesOn() throws Exception {
        try (PredictionServer s = serve(AccessLog.Mode.on)) {
            Map<String, String> refusals = Map.of(
                    "GET //nothing HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 ",
                    "GARBAGE\r\n\r\n", "HTTP/1.1 400 ",
                    "GET /predict\u0001 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ",
                    "POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 ");
            for (Map.Entry<String, String> r : refusals.entrySet()) {
                String answer = raw(s, r.getKey());
                assertTrue(answer.startsWith(r.getValue()), r.getKey() + " -> " + answer);
                assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
            }
            assertTrue(access.list.isEmpty(), "no handler ran: " + access.list);
            String ok = raw(s, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.1 200 ") && ok.contains("\"status\":\"ok\""), ok);
        }
    }

    static List<String> accessLines(ListAppender<ILoggingEvent> log) {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** One line per request: address, method, path, status, bytes, time and the number of texts; no texts, no key. */
    @Test
    void accessLogHasALinePerRequestWithoutTextsOrTheKey() throws Exception {
        Path keyFile = Files.writeString(tmp.resolve("key"), "s3cret-k3y");
        try (PredictionServer s = serve(8, 64, new CountDownLatch(0), ApiKey.read(keyFile), AccessLog.Mode.on)) {
            String bearer = "Bearer s3cret-k3y";
            HttpResponse<String> predicted =
                    send(s, "POST", "/predict?debug=1", "{\"texts\": [\"private words\", \"more\"]}", bearer);
            assertEquals(200, predicted.statusCode(), predicted.body());
            send(s, "GET", "/health", null, "Bearer wrong-guess");
            send(s, "GET", "/metrics", null, bearer);
            // a line is written once its answer is out: the client may read the answer first
            PredictionServerTest.waitFor(() -> access.list.size() == 3, "three access lines");
            List<String> lines = accessLines(access);
            assertEquals(3, lines.size(), lines.toString());
            Matcher first = Pattern.compile("127\\.0\\.0\\.1 \"POST /predict\" 200 (\\d+) B \\d+\\.\\d ms 2 texts")
                    .matcher(lines.get(0));
            assertTrue(first.matches(), lines.get(0));
            assertEquals(predicted.body().getBytes(StandardCharsets.UTF_8).length, Integer.parseInt(first.group(1)));
            assertTrue(lines.get(1).matches("127\\.0\\.0\\.1 \"GET /health\" 401 \\d+ B \\d+\\.\\d ms"), lines.get(1));
            assertTrue(lines.get(2).startsWith("127.0.0.1 \"GET /metrics\" 200 "), lines.get(2));
            String all = String.join("\n", lines);
            for (String secret : List.of("private words", "s3cret", "wrong-guess", "debug")) {
                assertFalse(all.contains(secret), secret + " logged: " + all);
            }
            assertEquals(AccessLog.LOGGER, access.list.get(0).getLoggerName());
        }
    }

    /** {@code --access-log texts} adds the texts as JSON, escaped so that no text can forge a line of its own. */
    @Test
    void loggedTextsAreEscapedOnTheirRequestsLine() throws Exception {
        String forged = "fine\n127.0.0.1 \"GET /health\" 200 40 B 0.1 ms\r\u001b[2K\u202e\u0085";
        JsonObject body = new JsonObject();
        body.add("texts", new com.google.gson.JsonArray());
        body.getAsJsonArray("texts").add(forged);
        body.getAsJsonArray("texts").add("caf\u00e9 \"quoted\"");
        try (PredictionServer s = serve(AccessLog.Mode.texts)) {
            assertEquals(200, send(s, "POST", "/predict", body.toString()).statusCode());
            PredictionServerTest.waitFor(() -> !access.list.isEmpty(), "the access line");
        }
        List<String> lines = accessLines(access);
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.get(0);
        assertTrue(line.contains(" 2 texts [\"fine\\n127.0.0.1 \\\"GET /health\\\" 200 40 B 0.1 ms"), line);
        assertTrue(line.endsWith(",\"caf\u00e9 \\\"quoted\\\"\"]"), line);
        assertTrue(line.chars().noneMatch(c -> c < ' ' || (c >= 0x7f && c <= 0x9f) || c == 0x202e), line);
        String json = line.substring(line.indexOf(" texts ") + 7);
        assertEquals(List.of(forged, "caf\u00e9 \"quoted\""), new com.google.gson.Gson().fromJson(json, List.class));

        access.list.clear();
        try (PredictionServer s = serve(AccessLog.Mode.off)) {
            assertEquals(200, send(s, "POST", "/predict", body.toString()).statusCode());
        }
        assertTrue(access.list.isEmpty(), "--access-log off: " + accessLines(access));
    }

    static String raw(PredictionServer s, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.uri().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
