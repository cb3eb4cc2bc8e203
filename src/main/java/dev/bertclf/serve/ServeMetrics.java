package dev.bertclf.serve;

import dev.bertclf.runtime.Version;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * What {@code GET /metrics} tells a Prometheus server: requests by endpoint and status, their latency, the batch
 * sizes the model sees, the texts waiting and the model's load time. Prometheus' own client library keeps the
 * counts and writes the text format (0.0.4), so escaping, histogram buckets and {@code _total} suffixes follow the
 * format's rules without code of ours; its core and text writer need no protobuf. Each server has its own registry,
 * so two servers in one JVM (tests, the benchmark) never mix their counts.
 */
final class ServeMetrics {
    /** The label for any path the server does not route: random paths must not make a label value each. */
    static final String OTHER_ENDPOINT = "other";

    /** Answers from a few milliseconds to the 5-minute answer limit. */
    private static final double[] SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram duration;
    private final Histogram batchSizes;

    ServeMetrics(String modelName, Duration modelLoad, IntSupplier queueDepth) {
        requests = Counter.builder()
                .name("bertclf_requests_total")
                .help("HTTP requests answered, by endpoint and status")
                .labelNames("endpoint", "status")
                .register(registry);
        duration = Histogram.builder()
                .name("bertclf_request_duration_seconds")
                .help("Time from a request's arrival to its answer, by endpoint")
                .labelNames("endpoint")
                .classicOnly()
                .classicUpperBounds(SECONDS)
                .withoutExemplars()
                .register(registry);
        batchSizes = Histogram.builder()
                .name("bertclf_batch_size")
                .help("Texts classified in one batch of the request batcher")
                .classicOnly()
                .classicExponentialUpperBounds(1, 2, 11)
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder()
                .name("bertclf_queue_depth")
                .help("Texts accepted and not yet answered (queued or being classified)")
                .callback(c -> c.call(queueDepth.getAsInt()))
                .register(registry);
        Gauge load = Gauge.builder()
                .name("bertclf_model_load_seconds")
                .help("Time the model took to load before serving")
                .register(registry);
        load.set(modelLoad.toNanos() / 1e9);
        Info info = Info.builder()
                .name("bertclf_build_info")
                .help("The bert-clf version and the model served")
                .labelNames("version", "model")
                .register(registry);
        info.setLabelValues(Version.get(), modelName);
    }

    /** One answered request; {@code status} -1 when the client went away before an answer. */
    void request(String endpoint, int status, long nanos) {
        requests.labelValues(endpoint, status < 0 ? "none" : String.valueOf(status))
                .inc();
        duration.labelValues(endpoint).observe(nanos / 1e9);
    }

    /** One model call's worth of texts, as the batcher gathered them. */
    void batch(int texts) {
        batchSizes.observe(texts);
    }

    /** The media type of {@link #scrape}. */
    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Every metric now, in the Prometheus text format. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
