package dev.bertclf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.Version;
import dev.bertclf.testutil.TinyClassifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on loopback with a real exported model, compared with {@link TextClassifier} called directly. */
class PredictionServerTest {
    @TempDir
    static Path tmp;

    static Path modelDir;
    static TextClassifier reference;
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    static void exportModel() throws IOException {
        modelDir = TinyClassifier.export(tmp.resolve("model"));
        reference = TextClassifier.load(modelDir);
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    /** A server on a free port whose batcher waits for {@code gate} before each batch. */
    static PredictionServer server(int maxBatch, int maxQueue, int maxBodyBytes, CountDownLatch gate)
            throws IOException {
        TextClassifier clf = TextClassifier.load(modelDir);
        BatchingPredictor p = new BatchingPredictor(clf, maxBatch, Duration.ofMillis(5), maxQueue, gate);
        return new PredictionServer(
                p,
                modelDir,
                clf.metadata().classNames(),
                new PredictionServer.Options("127.0.0.1", 0, maxBatch, Duration.ofMillis(5), maxQueue, maxBodyBytes));
    }

    static PredictionServer server() throws IOException {
        return server(32, 256, 1 << 20, new CountDownLatch(0));
    }

    static HttpRequest post(PredictionServer s, String body) {
        return HttpRequest.newBuilder(s.uri().resolve("/predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    static HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest r) {
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    static String textsBody(List<String> texts) {
        JsonObject o = new JsonObject();
        JsonArray a = new JsonArray();
        texts.forEach(a::add);
        o.add("texts", a);
        return o.toString();
    }

    /** The server's predictions agree with the classifier's own for the same texts. */
    static void assertPredictions(List<String> texts, HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonArray got =
                JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("predictions");
        List<Prediction> want = reference.predict(texts, texts.size());
        assertEquals(texts.size(), got.size(), response.body());
        for (int i = 0; i < texts.size(); i++) {
            JsonObject g = got.get(i).getAsJsonObject();
            assertEquals(want.get(i).text(), g.get("text").getAsString());
            assertEquals(want.get(i).logit(), g.get("logit").getAsFloat(), 1e-5, "logit of " + texts.get(i));
            assertEquals(want.get(i).probability(), g.get("probability").getAsDouble(), 1e-6);
            assertEquals(want.get(i).label(), g.get("label").getAsString());
            assertEquals(
                    want.get(i).labelProbability(), g.get("label_probability").getAsDouble(), 1e-6);
        }
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    static JsonObject error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertTrue(o.get("error").getAsString().length() > 5, r.body());
        // once Gson's class names and its troubleshooting URL reached the client
        assertFalse(r.body().contains("com.google") || r.body().contains("http"), r.body());
        return o;
    }

    @Test
    void classifiesOneTextAndAListLikeTheClassifierItself() throws Exception {
        try (PredictionServer s = server()) {
            List<String> one = List.of("the movie was great !");
            assertPredictions(one, send(post(s, "{\"text\": \"the movie was great !\"}")));
            List<String> three = List.of("awful boring film", "the plot and the cast", "I loved the music, wonderful");
            HttpResponse<String> r = send(post(s, textsBody(three)));
            assertPredictions(three, r);
            float l0 = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(0)
                    .getAsJsonObject()
                    .get("logit")
                    .getAsFloat();
            float l1 = JsonParser.parseString(r.body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions")
                    .get(1)
                    .getAsJsonObject()
                    .get("logit")
                    .getAsFloat();
            assertTrue(l0 != l1, "different texts, different logits: the model really ran");
        }
    }

    /** The model's folder name and the version, never the model's absolute path (the server's disk layout). */
    @Test
    void healthNamesTheModelAndVersionButNotItsPath() throws Exception {
        try (PredictionServer s = server()) {
            HttpResponse<String> r =
                    send(HttpRequest.newBuilder(s.uri().resolve("/health")).build());
            assertEquals(200, r.statusCode());
            JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
            assertEquals("ok", o.get("status").getAsString());
            assertEquals("model", o.get("model").getAsString());
            assertEquals(Version.get(), o.get("version").getAsString());
            assertFalse(Version.get().equals("unknown"), "the build's version resource is there");
            assertEquals("[\"neg\",\"pos\"]", o.get("classes").toString());
            assertFalse(r.body().contains(tmp.toString()), r.body());
        }
    }

    /**
     * {@code serve} times the model's load and {@code /metrics} reports it; {@code /health} names the threshold in
     * effect.
     */
    @Test
    void metricsReportTheModelLoadTime() throws Exception {
        PredictionServer.Options options =
                new PredictionServer.Options("127.0.0.1", 0, 8, Duration.ofMillis(1), 16, 1 << 16);
        TextClassifier clf = TextClassifier.load(modelDir);
        clf.useThreshold(0.3);
        try (PredictionServer s = PredictionServer.start(clf, modelDir, Duration.ofMillis(1500), options)) {
            JsonObject health = JsonParser.parseString(
                            send(HttpRequest.newBuilder(s.uri().resolve("/health"))
                                            .build())
                                    .body())
                    .getAsJsonObject();
            assertEquals(0.3, health.get("threshold").getAsDouble(), "the threshold in effect");
            HttpResponse<String> r =
                    send(HttpRequest.newBuilder(s.uri().resolve("/metrics")).build());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\nbertclf_model_load_seconds 1.5\n"), r.body());
            assertTrue(
                    r.body().contains("bertclf_build_info{model=\"model\",version=\"" + Version.get() + "\"} 1"),
                    r.body());
        }
    }

    /** 24 concurrent requests wait in the queue, then go through the model in three calls of eight. */
    @Test
    void concurrentRequestsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (PredictionServer s = server(8, 64, 1 << 20, gate)) {
            List<String> texts = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String text = (i % 2 == 0 ? "great film number " : "boring scene of ") + i;
                texts.add(text);
                responses.add(sendAsync(post(s, "{\"text\": \"" + text + "\"}")));
            }
            waitFor(() -> s.predictor().pendingTexts() == 24, "all 24 requests are queued");
            gate.countDown();
            for (int i = 0; i < 24; i++)
                assertPredictions(List.of(texts.get(i)), responses.get(i).get());
            assertEquals(3, s.predictor().modelCalls(), "24 single-text requests in batches of 8");

            // And without holding the worker: 20 concurrent requests are all answered correctly.
            responses.clear();
            for (int i = 0; i < 20; i++) responses.add(sendAsync(post(s, textsBody(List.of(texts.get(i), "the end")))));
            for (int i = 0; i < 20; i++)
                assertPredictions(
                        List.of(texts.get(i), "the end"), responses.get(i).get());
            assertEquals(0, s.predictor().pendingTexts());

            // One request larger than a batch runs alone, in calls of eight texts.
            long before = s.predictor().modelCalls();
            List<String> many = texts.subList(0, 20);
            assertPredictions(many, send(post(s, textsBody(many))));
            assertEquals(3, s.predictor().modelCalls() - before, "20 texts in calls of 8, 8 and 4");
        }
    }

    @Test
    void aFullQueueAnswers503AndRecovers() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (PredictionServer s = server(2, 2, 1 << 20, gate)) {
            List<String> first = List.of("great", "awful");
            CompletableFuture<HttpResponse<String>> accepted = sendAsync(post(s, textsBody(first)));
            waitFor(() -> s.predictor().pendingTexts() == 2, "the first request is queued");
            HttpResponse<String> busy = send(post(s, "{\"text\": \"one more\"}"));
            assertTrue(error(busy, 503).get("error").getAsString().contains("busy"), busy.body());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
            error(send(post(s, textsBody(List.of("a", "b", "c")))), 413);
            gate.countDown();
            assertPredictions(first, accepted.get());
            assertPredictions(List.of("one more"), send(post(s, "{\"text\": \"one more\"}")));
        }
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        try (PredictionServer s = server(32, 256, 300, new CountDownLatch(0))) {
            String big = "{\"text\": \"" + "long ".repeat(100) + "\"}";
            error(send(post(s, big)), 413);
            byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
            error(
                    send(HttpRequest.newBuilder(s.uri().resolve("/predict"))
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                            .build()),
                    413); // sent chunked: no Content-Length
            error(send(post(s, "{\"text\": ")), 400);
            error(send(post(s, "")), 400);
            error(send(post(s, "[\"a list\"]")), 400);
            error(send(post(s, "{}")), 400);
            error(send(post(s, "{\"text\": \"a\", \"texts\": [\"b\"]}")), 400);
            error(send(post(s, "{\"texts\": []}")), 400);
            error(send(post(s, "{\"texts\": [\"ok\", 3]}")), 400);
            error(send(post(s, "{\"text\": null}")), 400);
            assertEquals(
                    "\"texts\"[1] is empty: there is nothing to classify",
                    error(send(post(s, "{\"texts\": [\"ok\", \"\"]}")), 400)
                            .get("error")
                            .getAsString());
            assertEquals(
                    "\"text\" is only whitespace: there is nothing to classify",
                    error(send(post(s, "{\"text\": \" \\n\\t \"}")), 400)
                            .get("error")
                            .getAsString());
            byte[] latin1 = "{\"text\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(
                    "the body is not UTF-8 text",
                    error(
                                    send(HttpRequest.newBuilder(s.uri().resolve("/predict"))
                                            .POST(HttpRequest.BodyPublishers.ofByteArray(latin1))
                                            .build()),
                                    400)
                            .get("error")
                            .getAsString());
            HttpResponse<String> get =
                    send(HttpRequest.newBuilder(s.uri().resolve("/predict")).build());
            error(get, 405);
            assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
            error(
                    send(HttpRequest.newBuilder(s.uri().resolve("/health"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build()),
                    405);
            error(send(HttpRequest.newBuilder(s.uri().resolve("/nothing")).build()), 404);
            assertPredictions(List.of("still fine"), send(post(s, "{\"text\": \"still fine\"}")));
            assertEquals(1, s.predictor().modelCalls(), "rejected requests never reach the model");
        }
    }

    /** Closing answers what is queued, refuses what comes after, then closes the port and the model. */
    @Test
    void closeFinishesQueuedWorkThenStops() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        PredictionServer s = server(32, 256, 1 << 20, gate);
        URI uri = s.uri();
        CompletableFuture<HttpResponse<String>> a = sendAsync(post(s, "{\"text\": \"queued before the stop\"}"));
        CompletableFuture<HttpResponse<String>> b = sendAsync(post(s, textsBody(List.of("also", "queued"))));
        waitFor(() -> s.predictor().pendingTexts() == 3, "both requests are queued");
        Thread closer = new Thread(s::close);
        closer.start();
        waitFor(() -> s.predictor().isClosed(), "the stop has begun");
        HttpResponse<String> refused = send(post(s, "{\"text\": \"too late\"}"));
        assertTrue(error(refused, 503).get("error").getAsString().contains("shutting down"), refused.body());
        assertTrue(closer.isAlive(), "the stop waits for the queued work");
        gate.countDown();
        closer.join(30_000);
        assertTrue(!closer.isAlive(), "the stop finishes");
        assertPredictions(List.of("queued before the stop"), a.get());
        assertPredictions(List.of("also", "queued"), b.get());
        assertThrows(RejectedExecutionException.class, () -> s.predictor().submit(List.of("after")));
        assertThrows(IOException.class, () -> send(post(s, "{\"text\": \"after\"}")), "the port is closed: " + uri);
        s.awaitStop();
    }

    /** A threshold set on the served classifier ({@code serve --threshold}) moves its answers' labels. */
    @Test
    void aBinaryThresholdMovesTheLabels() throws Exception {
        List<String> texts = List.of("awful boring film", "the plot and the cast", "I loved the music, wonderful");
        double[] p = reference.predict(texts, 3).stream()
                .mapToDouble(Prediction::probability)
                .sorted()
                .toArray();
        double threshold = p[1]; // the middle one: one text above it, two not
        TextClassifier clf = TextClassifier.load(modelDir);
        clf.useThreshold(threshold);
        BatchingPredictor batcher = new BatchingPredictor(clf, 32, Duration.ofMillis(5), 256, new CountDownLatch(0));
        try (PredictionServer s = new PredictionServer(
                batcher,
                modelDir,
                clf.metadata().classNames(),
                new PredictionServer.Options("127.0.0.1", 0, 32, Duration.ofMillis(5), 256, 1 << 20))) {
            JsonArray got = JsonParser.parseString(
                            send(post(s, textsBody(texts))).body())
                    .getAsJsonObject()
                    .getAsJsonArray("predictions");
            List<Prediction> want = reference.predict(texts, 3, threshold);
            assertEquals(1, want.stream().filter(q -> q.label().equals("pos")).count());
            for (int i = 0; i < texts.size(); i++) {
                JsonObject g = got.get(i).getAsJsonObject();
                assertEquals(want.get(i).label(), g.get("label").getAsString(), texts.get(i));
                assertEquals(
                        want.get(i).labelProbability(),
                        g.get("label_probability").getAsDouble(),
                        1e-6);
            }
        }
    }
}
