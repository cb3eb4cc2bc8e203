package dev.bertclf.spark;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.infer.LongText;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.Precision;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per JVM (a Spark executor, or the driver in local mode), shared by every task that runs there:
 * the first task to need a model loads it, the others wait for it and then reuse it, and a shutdown hook closes
 * them all when the JVM ends. Each is set to score as the job asked ({@link Key}): a job with other settings in the
 * same JVM loads its own. Calls into one model are made one at a time ({@code synchronized} on it): TensorFlow
 * spreads each batch over its intra-op threads, so concurrent tasks gain nothing by running batches side by side.
 */
final class ModelCache {
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);
    private static final Map<Loaded, TextClassifier> MODELS = new ConcurrentHashMap<>();

    /**
     * Which model, and how it scores: {@code modelDir} as the job was given it (found on each executor by
     * {@link #locate}), TensorFlow's intra-op threads (0: one per core), how long texts are read and the decision
     * threshold (null: the model's own).
     */
    record Key(String modelDir, int tfThreads, LongText longText, Double threshold) implements Serializable {}

    private record Loaded(Path dir, int tfThreads, LongText longText, Double threshold) {}

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "bert-clf-model-cache"));
    }

    private ModelCache() {}

    /** The model {@code key} names, loaded once for this JVM and set to score as it says. */
    static TextClassifier get(Key key) {
        Loaded loaded = new Loaded(locate(key.modelDir()), key.tfThreads(), key.longText(), key.threshold());
        return MODELS.computeIfAbsent(loaded, k -> {
            log.info(
                    "loading the model in {} ({} TensorFlow threads)",
                    k.dir(),
                    k.tfThreads() == 0 ? "default" : k.tfThreads());
            return TextClassifier.load(k.dir(), false, Precision.fp32, k.tfThreads())
                    .scoring(k.longText(), k.threshold());
        });
    }

    /**
     * The model folder on this machine: {@code modelDir} itself when it is a folder here (a shared filesystem, or
     * the name {@code --archives model.zip#NAME} unpacks into the working directory), else the file of that name
     * that {@code --files} or {@code --archives} delivered ({@link SparkFiles}).
     */
    static Path locate(String modelDir) {
        Path dir = Path.of(modelDir).toAbsolutePath().normalize();
        if (Files.isDirectory(dir)) return dir;
        Path shipped = Path.of(SparkFiles.get(Path.of(modelDir).getFileName().toString()));
        if (Files.isDirectory(shipped)) return shipped;
        throw new InferenceException("no model folder " + modelDir + " on this machine (nor in "
                + shipped.getParent() + "): put it on a filesystem every executor mounts, or ship it with "
                + "--archives model.zip#" + Path.of(modelDir).getFileName());
    }

    private static void closeAll() {
        MODELS.values().forEach(TextClassifier::close);
        MODELS.clear();
    }
}
