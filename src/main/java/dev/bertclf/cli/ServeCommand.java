package dev.bertclf.cli;

import dev.bertclf.infer.TextClassifier;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.serve.AccessLog;
import dev.bertclf.serve.ApiKey;
import dev.bertclf.serve.PredictionServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Serve a trained model over HTTP: POST /predict with {\"text\": \"...\"} or "
                    + "{\"texts\": [\"...\", ...]} answers {\"predictions\": [...]} (a multi-label model's list "
                    + "\"labels\": every class over its threshold); GET /health, GET /metrics (Prometheus), "
                    + "GET /openapi.json.",
            "Concurrent requests are classified together. Ctrl-C or SIGTERM stops after answering queued requests.",
            "Beyond this machine (--host), require a key with --api-key-file and encrypt with --tls-keystore."
        })
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    /** Where the key store's password comes from when no --tls-password-file is given. */
    static final String TLS_PASSWORD_ENV = "BERT_CLF_TLS_PASSWORD";

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    ScoringOptions scoring;

    @Option(names = "--model-dir", description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(
            names = "--host",
            description = "Address to listen on (0.0.0.0: every interface; anything but loopback "
                    + "logs a warning unless --api-key-file and --tls-keystore protect it).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "TCP port, 0 to 65535 (0: any free one; the log says which).")
    int port = 8080;

    @Option(names = "--max-batch", description = "Most texts classified in one model call (at least 1).")
    int maxBatch = 32;

    @Option(
            names = "--batch-wait-ms",
            description = "How long a batch waits for more requests before it runs, "
                    + "0 to 1000: every request may wait this long, so more than a second only adds latency.")
    int batchWaitMs = 5;

    @Option(
            names = "--max-queue",
            description = "Most texts accepted and not yet answered (at least --max-batch); " + "more get 503.")
    int maxQueue = 256;

    @Option(names = "--max-body-bytes", description = "Largest request body; larger ones get 413.")
    int maxBodyBytes = 1 << 20;

    @Option(
            names = "--max-connections",
            description = "Most open connections, 1 to 4096, and as many handler "
                    + "threads; connections beyond it are closed at once.")
    int maxConnections = PredictionServer.Options.MAX_CONNECTIONS;

    @Option(
            names = "--request-timeout-s",
            description = "Seconds, 1 to 3600, in which a request (headers and body) "
                    + "must arrive once begun, and a connection that sends nothing is closed.")
    int requestTimeoutS = (int) PredictionServer.Options.REQUEST_TIMEOUT.toSeconds();

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "Require 'Authorization: Bearer KEY' on "
                    + "every endpoint, KEY being this file's text without surrounding whitespace; others get 401.")
    Path apiKeyFile;

    @Option(
            names = "--tls-keystore",
            paramLabel = "FILE",
            description = "Serve HTTPS with the certificate and "
                    + "private key in this PKCS12 key store (keytool -genkeypair -storetype PKCS12).")
    Path tlsKeystore;

    @Option(
            names = "--tls-password-file",
            paramLabel = "FILE",
            description = "The key store's password (the file's "
                    + "text without surrounding whitespace); default: the environment variable " + TLS_PASSWORD_ENV
                    + ".")
    Path tlsPasswordFile;

    @Option(
            names = "--access-log",
            paramLabel = "on|off|texts",
            description = "A line per request on the console (logger bertclf.access): client address, method, "
                    + "path, status, bytes, milliseconds, number of texts; texts adds the texts themselves.")
    AccessLog.Mode accessLog = AccessLog.Mode.on;

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkOptions();
        boolean gpu = deviceOption.useGpu();
        // Files before the model: a wrong key or key store is found in a moment, not after the load.
        ApiKey apiKey = apiKeyFile == null ? null : ApiKey.read(apiKeyFile);
        SSLContext tls = tlsKeystore == null ? null : PredictionServer.tls(tlsKeystore, tlsPassword());
        Path dir = Defaults.modelDirOrLast(modelDir);
        PredictionServer.Options options = new PredictionServer.Options(
                host,
                port,
                maxBatch,
                Duration.ofMillis(batchWaitMs),
                maxQueue,
                maxBodyBytes,
                maxConnections,
                Duration.ofSeconds(requestTimeoutS),
                apiKey,
                tls,
                accessLog);
        long start = System.nanoTime();
        TextClassifier classifier = scoring.applyTo(TextClassifier.load(dir, gpu));
        Duration loadTime = Duration.ofNanos(System.nanoTime() - start);
        PredictionServer server = PredictionServer.start(classifier, dir, loadTime, options);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bert-clf-serve-stop"));
        log.info(
                "Serving {} on {} (POST /predict, GET /health, /metrics, /openapi.json); Ctrl-C stops",
                dir,
                server.uri());
        server.awaitStop();
        return 0;
    }

    private void checkOptions() {
        range("--port", port, 0, 65535);
        range("--max-batch", maxBatch, 1, Integer.MAX_VALUE);
        range("--batch-wait-ms", batchWaitMs, 0, 1000);
        if (maxQueue < maxBatch) usage("--max-queue must be at least --max-batch (" + maxBatch + "), got " + maxQueue);
        range("--max-body-bytes", maxBodyBytes, 1, Integer.MAX_VALUE - 1);
        range("--max-connections", maxConnections, 1, 4096);
        range("--request-timeout-s", requestTimeoutS, 1, 3600);
        if (tlsPasswordFile != null && tlsKeystore == null) usage("--tls-password-file needs --tls-keystore");
        if (tlsKeystore != null && tlsPasswordFile == null && System.getenv(TLS_PASSWORD_ENV) == null) {
            usage("--tls-keystore needs its password: --tls-password-file FILE or the environment variable "
                    + TLS_PASSWORD_ENV);
        }
    }

    private void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            usage(option + " must be " + (max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max) + ", got "
                    + value);
        }
    }

    private void usage(String message) {
        throw new ParameterException(spec.commandLine(), message);
    }

    private char[] tlsPassword() throws IOException {
        String password = tlsPasswordFile != null
                ? ApiKey.secret(tlsPasswordFile, "--tls-password-file")
                : System.getenv(TLS_PASSWORD_ENV);
        return password.toCharArray();
    }
}
