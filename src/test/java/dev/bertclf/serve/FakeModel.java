package dev.bertclf.serve;

import dev.bertclf.infer.Prediction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A model without TensorFlow for tests of the HTTP layer: the logit is the text's length minus ten. Its
 * {@link #main} serves it in a JVM of its own, because the JDK reads its server limits once per JVM.
 */
final class FakeModel implements BatchingPredictor.Model {
    static final List<String> CLASSES = List.of("neg", "pos");
    final AtomicLong texts = new AtomicLong();

    @Override
    public List<Prediction> predict(List<String> batch, int batchSize) {
        texts.addAndGet(batch.size());
        return batch.stream()
                .map(t -> new Prediction(
                        t,
                        1 / (1 + Math.exp(10 - t.length())),
                        CLASSES.get(t.length() > 10 ? 1 : 0),
                        t.length() - 10f,
                        null))
                .toList();
    }

    @Override
    public void close() {}

    /**
     * Small limits on loopback, with the default connection limit and request timeout: the JDK takes those of the
     * first server in a JVM for all of them, so every test in the shared test JVM asks for the same.
     */
    static PredictionServer.Options options(String host, ApiKey key, SSLContext tls) {
        return options(
                host, PredictionServer.Options.MAX_CONNECTIONS, PredictionServer.Options.REQUEST_TIMEOUT, key, tls);
    }

    static PredictionServer.Options options(
            String host, int maxConnections, Duration requestTimeout, ApiKey key, SSLContext tls) {
        return new PredictionServer.Options(
                host,
                0,
                8,
                Duration.ofMillis(1),
                64,
                4096,
                maxConnections,
                requestTimeout,
                key,
                tls,
                AccessLog.Mode.on);
    }

    static PredictionServer serve(FakeModel model, PredictionServer.Options options) throws IOException {
        BatchingPredictor p = new BatchingPredictor(
                model, options.maxBatch(), options.batchWait(), options.maxQueue(), new CountDownLatch(0));
        return new PredictionServer(p, Path.of("fake-model"), CLASSES, options);
    }

    /**
     * Serves with {@code args[0]} connections at most and a request timeout of {@code args[1]} seconds, prints
     * {@code listening URI}, answers each {@code threads} line on stdin with {@code threads N}, and ends with stdin.
     */
    public static void main(String[] args) throws IOException {
        PredictionServer server = serve(
                new FakeModel(),
                options(
                        "127.0.0.1",
                        Integer.parseInt(args[0]),
                        Duration.ofSeconds(Integer.parseInt(args[1])),
                        null,
                        null));
        System.out.println("listening " + server.uri());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("threads")) {
                System.out.println(
                        "threads " + ManagementFactory.getThreadMXBean().getThreadCount());
            }
        }
        server.close();
    }
}
