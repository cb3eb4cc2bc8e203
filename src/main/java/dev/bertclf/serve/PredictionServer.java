package dev.bertclf.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained model behind a small JSON-over-HTTP API, on the JDK's own HTTP server so that serving adds no
 * dependency. {@code POST /predict} takes {@code {"text": "..."}} or {@code {"texts": [...]}} and answers
 * {@code {"predictions": [...]}} with the fields {@code predict --json} prints; {@code GET /health} says which
 * model is loaded. Requests are classified together by a {@link BatchingPredictor}; every error is a JSON
 * {@code {"error": "..."}} with the matching status, so clients never have to parse an HTML error page.
 */
public final class PredictionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PredictionServer.class);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    /** How long {@link #close} lets answered requests finish writing before it closes the connections. */
    private static final long DRAIN_MILLIS = 10_000;

    /** The listening address and the limits; the CLI's options one to one. */
    public record Options(String host, int port, int maxBatch, Duration batchWait, int maxQueue, int maxBodyBytes) {}

    private final BatchingPredictor predictor;
    private final Path modelDir;
    private final List<String> classNames;
    private final int maxBodyBytes;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final AtomicInteger active = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Starts serving; takes ownership of {@code classifier} and closes it when the server stops or cannot start. */
    public static PredictionServer start(TextClassifier classifier, Path modelDir, Options options) throws IOException {
        BatchingPredictor predictor;
        try {
            predictor = new BatchingPredictor(classifier, options.maxBatch(), options.batchWait(), options.maxQueue());
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
        return new PredictionServer(predictor, modelDir, classifier.metadata().classNames(), options);
    }

    /** Serves {@code predictor} (tests pass one with a gate); closes it if the port cannot be bound. */
    PredictionServer(BatchingPredictor predictor, Path modelDir, List<String> classNames, Options options) throws IOException {
        this.predictor = predictor;
        this.modelDir = modelDir.toAbsolutePath().normalize();
        this.classNames = List.copyOf(classNames);
        this.maxBodyBytes = options.maxBodyBytes();
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (IOException e) {
            predictor.close();
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bert-clf-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The address clients use, with the port actually bound (useful with port 0). */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "0.0.0.0" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    BatchingPredictor predictor() { return predictor; }

    /** Blocks until {@link #close} has finished. */
    public void awaitStop() throws InterruptedException { stopped.await(); }

    private void handle(HttpExchange ex) throws IOException {
        active.incrementAndGet();
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/predict")) {
                if (!method.equals("POST")) {
                    methodNotAllowed(ex, "POST");
                } else {
                    predict(ex);
                }
            } else if (path.equals("/health")) {
                if (!method.equals("GET")) {
                    methodNotAllowed(ex, "GET");
                } else {
                    Map<String, Object> health = new LinkedHashMap<>();
                    health.put("status", "ok");
                    health.put("model", modelDir.toString());
                    health.put("classes", classNames);
                    send(ex, 200, health);
                }
            } else {
                error(ex, 404, "no such endpoint: " + path + " (use POST /predict or GET /health)");
            }
        } catch (IOException e) {
            log.debug("Lost a client: {}", e.toString());
        } finally {
            synchronized (active) {
                active.decrementAndGet();
                active.notifyAll();
            }
        }
    }

    private void predict(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
            tooLarge(ex);
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            tooLarge(ex);
            return;
        }
        List<String> texts;
        try {
            texts = parseTexts(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
            return;
        }
        if (texts.size() > predictor.maxQueue()) {
            error(ex, 413, texts.size() + " texts in one request; at most " + predictor.maxQueue() + " (--max-queue)");
            return;
        }
        List<Prediction> predictions;
        try {
            predictions = predictor.submit(texts).get();
        } catch (RejectedExecutionException e) {
            ex.getResponseHeaders().set("Retry-After", "1");
            error(ex, 503, e.getMessage());
            return;
        } catch (ExecutionException e) {
            error(ex, 500, "inference failed: " + e.getCause().getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "the server is shutting down");
            return;
        }
        send(ex, 200, Map.of("predictions", predictions));
    }

    /** The texts of a request body: {@code {"text": "..."}} or {@code {"texts": ["...", ...]}}. */
    static List<String> parseTexts(String body) {
        JsonElement root;
        try {
            root = JsonParser.parseString(body);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage());
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"text\": \"...\"} or {\"texts\": [\"...\"]}");
        }
        JsonObject o = root.getAsJsonObject();
        if (o.has("text") == o.has("texts")) {
            throw new IllegalArgumentException("give exactly one of \"text\" (a string) and \"texts\" (a list of strings)");
        }
        if (o.has("text")) return List.of(string(o.get("text"), "\"text\""));
        JsonElement list = o.get("texts");
        if (!list.isJsonArray() || list.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("\"texts\" must be a non-empty list of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonElement e : list.getAsJsonArray()) texts.add(string(e, "every element of \"texts\""));
        return texts;
    }

    private static String string(JsonElement e, String what) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return e.getAsString();
    }

    private void tooLarge(HttpExchange ex) throws IOException {
        error(ex, 413, "request body larger than " + maxBodyBytes + " bytes (--max-body-bytes)");
    }

    private static void methodNotAllowed(HttpExchange ex, String allowed) throws IOException {
        ex.getResponseHeaders().set("Allow", allowed);
        error(ex, 405, ex.getRequestMethod() + " is not allowed here; use " + allowed);
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        log.debug("{} {} -> {} {}", ex.getRequestMethod(), ex.getRequestURI(), status, message);
        send(ex, status, Map.of("error", message));
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /**
     * Stops cleanly: new requests are refused with 503, every queued one is answered, the model is closed, then the
     * listener and the connections. The JDK server keeps its socket open until the end because its own
     * {@code stop} closes connections that are still being answered.
     */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) return;
        log.info("Stopping: answering {} queued texts, refusing new requests", predictor.pendingTexts());
        predictor.close();
        log.debug("Queue drained, model closed");
        long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
        synchronized (active) {
            for (long left; active.get() > 0 && (left = deadline - System.currentTimeMillis()) > 0; ) {
                try {
                    active.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        log.debug("Answers sent; closing the port");
        server.stop(0);
        handlers.shutdownNow();
        log.info("Stopped after {} model calls", predictor.modelCalls());
        stopped.countDown();
    }
}
