package dev.bertclf.serve;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Version;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained model behind a small JSON-over-HTTP API, on the JDK's own HTTP server so that serving needs no web
 * framework. {@code POST /predict} takes {@code {"text": "..."}} or {@code {"texts": [...]}} and answers
 * {@code {"predictions": [...]}} with the fields {@code predict --json} prints; {@code GET /health} says which
 * model and version are served; {@code GET /metrics} is for Prometheus ({@link ServeMetrics}), {@code GET
 * /openapi.json} describes the API ({@link OpenApiDocument}), and each request makes an {@link AccessLog} line.
 * Requests are classified together by a {@link BatchingPredictor}; every error is a JSON {@code {"error": "..."}}
 * with the matching status, so clients never have to parse an HTML error page. The
 * {@link HttpListener} bounds connections, threads and the time a request may take to arrive, so slow clients cannot
 * exhaust the server; an {@link ApiKey} and TLS make it fit to listen beyond loopback.
 */
public final class PredictionServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PredictionServer.class);
    private static final Gson GSON = Json.COMPACT;
    private static final String JSON = "application/json; charset=utf-8";
    /** How long {@link #close} lets answered requests finish writing before it closes the connections. */
    private static final long DRAIN_MILLIS = 10_000;

    /**
     * The listening address, the limits, the optional security and the access log; the CLI's options one to one.
     * {@code apiKey} null serves everyone, {@code tls} null serves plain HTTP.
     */
    public record Options(
            String host,
            int port,
            int maxBatch,
            Duration batchWait,
            int maxQueue,
            int maxBodyBytes,
            int maxConnections,
            Duration requestTimeout,
            ApiKey apiKey,
            SSLContext tls,
            AccessLog.Mode accessLog) {
        public static final int MAX_CONNECTIONS = 64;
        public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

        /** Plain HTTP for everyone, with the default connection limit and request timeout, logging requests. */
        public Options(String host, int port, int maxBatch, Duration batchWait, int maxQueue, int maxBodyBytes) {
            this(
                    host,
                    port,
                    maxBatch,
                    batchWait,
                    maxQueue,
                    maxBodyBytes,
                    MAX_CONNECTIONS,
                    REQUEST_TIMEOUT,
                    null,
                    null,
                    AccessLog.Mode.on);
        }
    }

    /** Every path the server answers, with its one method: the OpenAPI document lists exactly these. */
    static final Map<String, String> ROUTES =
            Map.of("/predict", "POST", "/health", "GET", "/metrics", "GET", "/openapi.json", "GET");

    private final BatchingPredictor predictor;
    private final String modelName;
    private final List<String> classNames;
    private final int maxBodyBytes;
    private final ApiKey apiKey;
    private final ServeMetrics metrics;
    private final AccessLog accessLog;
    private final byte[] openApi;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final AtomicInteger active = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** A binary or multi-label model's decision threshold in effect; null for a multi-class model or a test's. */
    private final Double threshold;

    /** {@link #start(TextClassifier, Path, Duration, Options)} for a caller that did not time the load (reported 0). */
    public static PredictionServer start(TextClassifier classifier, Path modelDir, Options options) throws IOException {
        return start(classifier, modelDir, Duration.ZERO, options);
    }

    /**
     * Starts serving; takes ownership of {@code classifier} and closes it when the server stops or cannot start.
     * {@code loadTime}, how long the classifier took to load, is reported by {@code /metrics}.
     */
    public static PredictionServer start(TextClassifier classifier, Path modelDir, Duration loadTime, Options options)
            throws IOException {
        BatchingPredictor predictor;
        try {
            predictor = new BatchingPredictor(classifier, options.maxBatch(), options.batchWait(), options.maxQueue());
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
        Double threshold = classifier.metadata().hasThreshold() ? classifier.threshold() : null;
        return new PredictionServer(
                predictor, modelDir, classifier.metadata().classNames(), threshold, loadTime, options);
    }

    /** Serves {@code predictor} (tests pass one with a gate); closes it if the port cannot be bound. */
    PredictionServer(BatchingPredictor predictor, Path modelDir, List<String> classNames, Options options)
            throws IOException {
        this(predictor, modelDir, classNames, null, Duration.ZERO, options);
    }

    private PredictionServer(
            BatchingPredictor predictor,
            Path modelDir,
            List<String> classNames,
            Double threshold,
            Duration loadTime,
            Options options)
            throws IOException {
        this.predictor = predictor;
        this.threshold = threshold;
        this.modelName = modelName(modelDir);
        this.classNames = List.copyOf(classNames);
        this.maxBodyBytes = options.maxBodyBytes();
        this.apiKey = options.apiKey();
        this.metrics = new ServeMetrics(modelName, loadTime, predictor::pendingTexts);
        this.accessLog = new AccessLog(options.accessLog());
        this.openApi = OpenApiDocument.render(apiKey != null);
        predictor.onBatch(metrics::batch);
        try {
            server = HttpListener.create(
                    new InetSocketAddress(options.host(), options.port()),
                    options.maxConnections(),
                    options.requestTimeout(),
                    options.tls());
        } catch (IOException e) {
            predictor.close();
            throw new IOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        handlers = HttpListener.threads(server);
        server.createContext("/", this::handle);
        server.start();
        warnIfExposed(options);
    }

    /**
     * What {@code /health} and {@code /metrics} call the model: its folder's name. The absolute path would tell
     * every client how the server's disk is laid out.
     */
    static String modelName(Path modelDir) {
        Path name = modelDir.toAbsolutePath().normalize().getFileName();
        return name == null ? "/" : name.toString();
    }

    /** The server side of TLS from a PKCS12 key store (certificate and private key) and its password. */
    public static SSLContext tls(Path keystore, char[] password) throws IOException {
        return HttpListener.tls(keystore, password);
    }

    private void warnIfExposed(Options options) {
        if (server.getAddress().getAddress().isLoopbackAddress()) return;
        if (apiKey == null) {
            log.warn(
                    "Listening on {}, beyond this machine, without an API key: anyone who can reach it can use the "
                            + "model (--api-key-file requires one)",
                    uri());
        } else if (options.tls() == null) {
            log.warn(
                    "Listening on {}, beyond this machine, over plain HTTP: the API key and the texts cross the "
                            + "network readable (--tls-keystore encrypts them)",
                    uri());
        }
    }

    /** The address clients use, with the port actually bound (useful with port 0). */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host =
                a.getAddress().isAnyLocalAddress() ? "0.0.0.0" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create((server instanceof HttpsServer ? "https" : "http") + "://" + host + ":" + a.getPort() + "/");
    }

    BatchingPredictor predictor() {
        return predictor;
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        active.incrementAndGet();
        List<String> texts = null;
        try (ex) {
            try {
                texts = route(ex);
            } catch (RuntimeException | Error e) { // an Error too: the client gets an answer, the server goes on
                log.error("Answering {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                if (ex.getResponseCode() < 0) error(ex, 500, "internal error: " + e);
            } finally {
                // before the exchange is closed, which completes the answer: a scrape after it counts it
                metrics.request(endpoint(ex), ex.getResponseCode(), System.nanoTime() - start);
            }
        } catch (IOException e) {
            log.debug("Lost a client: {}", e.toString());
        } finally {
            try {
                logAccess(ex, texts, System.nanoTime() - start); // once the answer is out: it never delays one
            } finally {
                synchronized (active) {
                    active.decrementAndGet();
                    active.notifyAll();
                }
            }
        }
    }

    /** The request's endpoint as a metric label: a routed path, or {@value ServeMetrics#OTHER_ENDPOINT}. */
    private static String endpoint(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        return ROUTES.containsKey(path) ? path : ServeMetrics.OTHER_ENDPOINT;
    }

    private void logAccess(HttpExchange ex, List<String> texts, long nanos) {
        String length = ex.getResponseHeaders().getFirst("Content-Length");
        accessLog.request(
                ex.getRemoteAddress().getAddress().getHostAddress(),
                ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(),
                ex.getResponseCode(),
                length == null ? 0 : Long.parseLong(length),
                nanos,
                texts);
    }

    /** Answers the request; returns its texts when it had any (for the access log), else null. */
    private List<String> route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        String allowed = ROUTES.get(path);
        if (apiKey != null && !apiKey.admits(authorization)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            error(
                    ex,
                    401,
                    authorization == null
                            ? "this server needs an API key: send 'Authorization: Bearer KEY'"
                            : "wrong API key");
        } else if (allowed == null) {
            error(ex, 404, "no such endpoint: " + path + " (GET /openapi.json lists them)");
        } else if (!method.equals(allowed)) {
            methodNotAllowed(ex, allowed);
        } else {
            switch (path) {
                case "/predict" -> {
                    return predict(ex);
                }
                case "/health" -> health(ex);
                case "/metrics" -> send(ex, 200, ServeMetrics.contentType(), metrics.scrape());
                case "/openapi.json" -> send(ex, 200, JSON, openApi);
                default -> throw new IllegalStateException("a route without a handler: " + path);
            }
        }
        return null;
    }

    private void health(HttpExchange ex) throws IOException {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "ok");
        health.put("model", modelName);
        health.put("version", Version.get());
        health.put("classes", classNames);
        if (threshold != null) health.put("threshold", threshold); // what decides, so an operator can check it
        send(ex, 200, health);
    }

    private List<String> predict(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
            tooLarge(ex);
            return null;
        }
        byte[] body = ex.getRequestBody().readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            tooLarge(ex);
            return null;
        }
        List<String> texts;
        try {
            texts = PredictRequest.texts(body);
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
            return null;
        }
        if (texts.size() > predictor.maxQueue()) {
            error(ex, 413, texts.size() + " texts in one request; at most " + predictor.maxQueue() + " (--max-queue)");
            return texts;
        }
        List<Prediction> predictions;
        try {
            predictions = predictor.submit(texts).get();
        } catch (RejectedExecutionException e) {
            ex.getResponseHeaders().set("Retry-After", "1");
            error(ex, 503, e.getMessage());
            return texts;
        } catch (ExecutionException e) {
            error(ex, 500, "inference failed: " + e.getCause().getMessage());
            return texts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "the server is shutting down");
            return texts;
        }
        send(ex, 200, Map.of("predictions", predictions));
        return texts;
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
        send(ex, status, JSON, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
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
