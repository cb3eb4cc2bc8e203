package dev.bertclf.bench;

import dev.bertclf.data.TableFormat;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.model.BertConfig;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Precision;
import dev.bertclf.score.FileScorer;
import dev.bertclf.score.OnError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rate of {@code predict --input} on a generated CSV of IMDB-length reviews, with a model of the benchmarked
 * shape and random weights: what the file-scoring layer (reading, batching, writing, the predictor) costs on top
 * of the plain inference rate that {@link ModelBenchmark} measures in the same run. The model and the file live in
 * a temporary folder, removed afterwards.
 */
public final class ScoringBenchmark {
    private ScoringBenchmark() {}

    /** Rows per second scoring {@code rows} reviews in batches of {@code batchSize}, after one untimed warm-up file. */
    public static double rowsPerSecond(
            BertConfig config, int seqLen, int batchSize, int rows, Precision precision, boolean gpu) {
        try {
            Path dir = Files.createTempDirectory("bert-clf-bench-scoring-");
            try {
                Path model = PredictLatency.exportRandomModel(config, seqLen, dir);
                Path warmUp = csv(
                        dir.resolve("warm-up.csv"),
                        SyntheticText.texts(batchSize, ModelBenchmark.WORDS_PER_TEXT, config.vocabSize, 3));
                Path input = csv(
                        dir.resolve("reviews.csv"),
                        SyntheticText.texts(rows, ModelBenchmark.WORDS_PER_TEXT, config.vocabSize, 4));
                try (TextClassifier clf = TextClassifier.load(model, gpu, precision, 0)) {
                    score(clf, model, warmUp, dir.resolve("warm-up-scored.csv"), batchSize);
                    long t0 = System.nanoTime();
                    FileScorer.Summary s = score(clf, model, input, dir.resolve("scored.csv"), batchSize);
                    return s.scored() / ((System.nanoTime() - t0) / 1e9);
                }
            } finally {
                FileUtil.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scoring benchmark: " + e.getMessage(), e);
        }
    }

    private static FileScorer.Summary score(TextClassifier clf, Path model, Path in, Path out, int batchSize)
            throws IOException {
        FileScorer.Job job =
                new FileScorer.Job(model, in, out, TableFormat.CSV, "text", batchSize, OnError.fail, 3, false);
        FileScorer.check(job);
        return FileScorer.score(job, clf);
    }

    private static Path csv(Path file, List<String> texts) throws IOException {
        StringBuilder sb = new StringBuilder("id,text\n");
        for (int i = 0; i < texts.size(); i++)
            sb.append(i).append(',').append(texts.get(i)).append('\n');
        return Files.writeString(file, sb);
    }
}
