package dev.bertclf.bench;

import dev.bertclf.infer.TextClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Precision;
import dev.bertclf.serve.AccessLog;
import dev.bertclf.serve.PredictionServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The rate of {@code serve} under concurrent clients: the real {@link PredictionServer} on an ephemeral loopback port,
 * with a model of the benchmarked shape and random weights, and as many JDK {@link HttpClient} clients as asked, each
 * sending one review per request and waiting for its answer before the next. What it shows, beside the plain
 * inference rate of the same run, is what HTTP, JSON and batching requests together cost or gain: one client gives
 * the server batches of one, many clients let it batch. The model lives in a temporary folder, removed afterwards.
 */
public final class ServeBenchmark {
    /** Requests answered per second and the latency quantiles of one request, at one number of clients. */
    public record Level(int clients, int requests, double requestsPerSecond, double p50Millis, double p99Millis) {}

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
    private static final int WARM_UP_REQUESTS_PER_CLIENT = 2;

    private ServeBenchmark() {}

    /**
     * Each count of {@code clients} for about {@code seconds}, after {@value #WARM_UP_REQUESTS_PER_CLIENT} untimed
     * requests per client; the server batches up to {@code maxBatch} texts, as {@code serve --max-batch} does.
     */
    public static List<Level> measure(
            BertConfig config,
            int seqLen,
            int maxBatch,
            Precision precision,
            boolean gpu,
            List<Integer> clients,
            Duration seconds) {
        int most = clients.stream().mapToInt(Integer::intValue).max().orElse(1);
        try {
            Path dir = Files.createTempDirectory("bert-clf-bench-serve-");
            try {
                Path model = PredictLatency.exportRandomModel(config, seqLen, dir);
                PredictionServer.Options options = new PredictionServer.Options(
                        "127.0.0.1",
                        0,
                        maxBatch,
                        Duration.ofMillis(5),
                        Math.max(256, most),
                        1 << 20,
                        Math.max(PredictionServer.Options.MAX_CONNECTIONS, 2 * most),
                        PredictionServer.Options.REQUEST_TIMEOUT,
                        null,
                        null,
                        AccessLog.Mode.off);
                List<String> bodies =
                        SyntheticText.texts(256, ModelBenchmark.WORDS_PER_TEXT, config.vocabSize, 5).stream()
                                .map(t -> Json.COMPACT.toJson(Map.of("text", t)))
                                .toList();
                long load = System.nanoTime();
                TextClassifier classifier = TextClassifier.load(model, gpu, precision, 0);
                Duration loadTime = Duration.ofNanos(System.nanoTime() - load);
                try (PredictionServer server = PredictionServer.start(classifier, model, loadTime, options)) {
                    URI predict = server.uri().resolve("/predict");
                    List<Level> levels = new ArrayList<>();
                    for (int n : clients) levels.add(level(predict, bodies, n, seconds));
                    return levels;
                }
            } finally {
                FileUtil.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("serve benchmark: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("serve benchmark interrupted", e);
        }
    }

    private static Level level(URI predict, List<String> bodies, int clients, Duration seconds)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(REQUEST_TIMEOUT)
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch warm = new CountDownLatch(clients), go = new CountDownLatch(1);
            long[] start = new long[1];
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    int next = client * 7;
                    for (int i = 0; i < WARM_UP_REQUESTS_PER_CLIENT; i++)
                        send(http, predict, bodies.get(next++ % bodies.size()));
                    warm.countDown();
                    go.await();
                    List<Long> nanos = new ArrayList<>();
                    long deadline = start[0] + seconds.toNanos();
                    do {
                        long t0 = System.nanoTime();
                        send(http, predict, bodies.get(next++ % bodies.size()));
                        nanos.add(System.nanoTime() - t0);
                    } while (System.nanoTime() < deadline);
                    return nanos;
                }));
            }
            warm.await();
            start[0] = System.nanoTime();
            go.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) all.addAll(f.get());
            double wall = (System.nanoTime() - start[0]) / 1e9;
            double[] millis = all.stream().mapToDouble(n -> n / 1e6).sorted().toArray();
            return new Level(
                    clients, millis.length, millis.length / wall, quantile(millis, 0.50), quantile(millis, 0.99));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void send(HttpClient http, URI predict, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(predict)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the server answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** The nearest-rank quantile {@code q} of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
