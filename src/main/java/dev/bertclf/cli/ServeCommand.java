package dev.bertclf.cli;

import dev.bertclf.infer.TextClassifier;
import dev.bertclf.serve.PredictionServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Serve a trained model over HTTP: POST /predict with {\"text\": \"...\"} or "
                + "{\"texts\": [\"...\", ...]} answers {\"predictions\": [...]}; GET /health.",
                "Concurrent requests are classified together. Ctrl-C or SIGTERM stops after answering queued requests."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin CommonOptions common;
    @Mixin DeviceOption deviceOption;

    @Option(names = "--model-dir", description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(names = "--host", description = "Address to listen on (0.0.0.0: every interface).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "TCP port (0: any free one; the log says which).")
    int port = 8080;

    @Option(names = "--max-batch", description = "Most texts classified in one model call.")
    int maxBatch = 32;

    @Option(names = "--batch-wait-ms", description = "How long a batch waits for more requests before it runs.")
    int batchWaitMs = 5;

    @Option(names = "--max-queue", description = "Most texts accepted and not yet answered; more get 503.")
    int maxQueue = 256;

    @Option(names = "--max-body-bytes", description = "Largest request body; larger ones get 413.")
    int maxBodyBytes = 1 << 20;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0 to 65535");
        if (maxBatch < 1) throw new IllegalArgumentException("--max-batch must be at least 1");
        if (batchWaitMs < 0) throw new IllegalArgumentException("--batch-wait-ms must be 0 or more");
        if (maxQueue < maxBatch) throw new IllegalArgumentException("--max-queue must be at least --max-batch");
        if (maxBodyBytes < 1 || maxBodyBytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--max-body-bytes must be 1 to " + (Integer.MAX_VALUE - 1));
        }
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        PredictionServer server = PredictionServer.start(TextClassifier.load(dir, gpu), dir, new PredictionServer.Options(
                host, port, maxBatch, Duration.ofMillis(batchWaitMs), maxQueue, maxBodyBytes));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bert-clf-serve-stop"));
        log.info("Serving {} on {} (POST /predict, GET /health); Ctrl-C stops", dir, server.uri());
        server.awaitStop();
        return 0;
    }
}
