package dev.bertclf.cli;

import dev.bertclf.data.ImdbDataset;
import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.train.EpochMetrics;
import dev.bertclf.train.FineTuneRun;
import dev.bertclf.train.Hyperparameters;
import dev.bertclf.train.SessionOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fine-tune a pretrained BERT encoder with a dropout and single-logit head on the IMDB reviews",
                "(downloading the data and the model first if needed), saving a SavedModel after every epoch."})
final class TrainCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ModelOptions modelOptions;
    @Mixin DeviceOption deviceOption;

    @Option(names = "--epochs") int epochs = Hyperparameters.EPOCHS;
    @Option(names = "--batch-size") int batchSize = Hyperparameters.BATCH_SIZE;
    @Option(names = "--learning-rate", description = "Peak AdamW learning rate.") double learningRate = Hyperparameters.LEARNING_RATE;
    @Option(names = "--max-seq-len", description = "Tokens per text, [CLS] and [SEP] included.") int maxSeqLen = Hyperparameters.MAX_SEQ_LEN;
    @Option(names = "--seed", description = "Seed for the split, the shuffles, dropout and the head.") long seed = Hyperparameters.SEED;

    @Option(names = "--data-dir", description = "Folder holding aclImdb/ (default: $BERT_CLF_HOME/data).")
    Path dataDir = Defaults.dataDir();

    @Option(names = "--url", description = "Dataset archive, downloaded when the data is missing.")
    URI url = ImdbDataset.DEFAULT_URL;

    @Option(names = "--output", description = "Folder for the trained model.")
    Path output = Path.of("imdb_bert");

    @Option(names = "--max-train-examples", description = "Train on a seeded subset of this many examples (0: all).")
    int maxTrainExamples = 0;

    @Option(names = "--precision", description = "fp32, or bf16: bfloat16 compute with float32 master weights "
            + "(oneDNN auto mixed precision; faster on CPUs with AVX512-BF16 or AMX).")
    String precision = "fp32";

    @Override
    public Integer call() throws Exception {
        if (!precision.equals("fp32") && !precision.equals("bf16")) {
            throw new IllegalArgumentException("--precision must be fp32 or bf16, got " + precision);
        }
        Hyperparameters hp = new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed);
        if (maxTrainExamples < 0) throw new IllegalArgumentException("--max-train-examples must be 0 or more");
        FineTuneRun.Outcome o = new FineTuneRun().run(new FineTuneRun.Request(modelOptions.model, hp, dataDir, url, output,
                maxTrainExamples, modelOptions.modelMirror, new SessionOptions(0, 0, precision.equals("bf16"), deviceOption.useGpu())));
        EpochMetrics best = o.history().stream().max(Comparator.comparingDouble(EpochMetrics::valAccuracy)).orElseThrow();
        double seconds = o.history().stream().mapToDouble(EpochMetrics::seconds).sum();
        double rate = o.history().stream().mapToDouble(EpochMetrics::examplesPerSecond).average().orElse(0);
        System.out.printf(Locale.ROOT, "%nTrained %s in %s (%.1f examples/s).%n", modelOptions.model, ProgressBar.duration(seconds), rate);
        System.out.printf(Locale.ROOT, "Best epoch %d: val_loss %.4f, val_binary_accuracy %.4f%n",
                best.epoch(), best.valLoss(), best.valAccuracy());
        System.out.println("Model saved to " + o.modelDir() + " (training curves: " + o.modelDir().resolve("training_curves.png") + ")");
        System.out.println("Next: bert-clf evaluate, or bert-clf predict \"this is such an amazing movie!\"");
        return 0;
    }
}
