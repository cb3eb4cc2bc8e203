package dev.bertclf.cli;

import dev.bertclf.data.ImdbDataset;
import dev.bertclf.runtime.ProgressBar;
import dev.bertclf.train.EpochMetrics;
import dev.bertclf.train.FineTuneRun;
import dev.bertclf.train.Hyperparameters;
import dev.bertclf.train.InvalidOptionException;
import dev.bertclf.train.RunSettings;
import dev.bertclf.train.SessionOptions;
import dev.bertclf.train.TrainingCheckpoints;
import dev.bertclf.train.TrainingInterruptedException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fine-tune a pretrained BERT encoder with a dropout and single-logit head on the IMDB reviews",
                "(downloading the data and the model first if needed), saving a SavedModel after every epoch."})
final class TrainCommand implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ModelOptions modelOptions;

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

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also save a checkpoint every STEPS "
            + "steps (0: only after each epoch). Checkpoints go to <output>.checkpoints and are removed when the run finishes.")
    int checkpointEvery = 0;

    @Option(names = "--resume", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "Continue the stopped run whose model folder (or checkpoint folder) is DIR "
                    + "(default: --output), with its saved options.")
    String resume;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FineTuneRun.Request request;
        try {
            request = resume != null ? resumedRequest() : newRequest();
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every must be 0 or more, got " + checkpointEvery);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        FineTuneRun.Outcome o;
        try {
            o = new FineTuneRun().run(request, checkpointEvery, resume != null);
        } catch (InvalidOptionException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (TrainingInterruptedException e) {
            System.err.println(e.getMessage() + ".");
            System.err.println("Resume with: bert-clf train --resume " + request.output().toAbsolutePath().normalize());
            return e.exitCode();
        }
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

    private FineTuneRun.Request newRequest() {
        if (!precision.equals("fp32") && !precision.equals("bf16")) {
            throw new IllegalArgumentException("--precision must be fp32 or bf16, got " + precision);
        }
        Hyperparameters hp = new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed);
        if (maxTrainExamples < 0) throw new IllegalArgumentException("--max-train-examples must be 0 or more");
        return new FineTuneRun.Request(modelOptions.model, hp, dataDir, url, output, maxTrainExamples,
                modelOptions.modelMirror, new SessionOptions(0, 0, precision.equals("bf16")));
    }

    /**
     * The stopped run's own request: its saved options, which explicit options may not contradict (that would be
     * another run); only where the data and models are found may change.
     */
    private FineTuneRun.Request resumedRequest() {
        Path out = TrainingCheckpoints.outputOf(resume.isEmpty() ? output : Path.of(resume));
        RunSettings saved = FineTuneRun.savedSettings(out).orElseThrow(() -> new IllegalArgumentException(
                "--resume: no checkpoint beside " + out + " (looked in " + out + TrainingCheckpoints.SUFFIX + ")"));
        ParseResult given = spec.commandLine().getParseResult();
        java.util.Map<String, Object[]> fixed = new java.util.LinkedHashMap<>();
        fixed.put("--model", new Object[] {modelOptions.model, saved.model()});
        fixed.put("--epochs", new Object[] {epochs, saved.epochs()});
        fixed.put("--batch-size", new Object[] {batchSize, saved.batchSize()});
        fixed.put("--learning-rate", new Object[] {learningRate, saved.learningRate()});
        fixed.put("--max-seq-len", new Object[] {maxSeqLen, saved.maxSeqLen()});
        fixed.put("--seed", new Object[] {seed, saved.seed()});
        fixed.put("--max-train-examples", new Object[] {maxTrainExamples, saved.maxTrainExamples()});
        fixed.put("--precision", new Object[] {precision, saved.precision()});
        fixed.put("--output", new Object[] {output.toAbsolutePath().normalize(), out});
        for (var e : fixed.entrySet()) {
            if (given.hasMatchedOption(e.getKey()) && !e.getValue()[0].equals(e.getValue()[1])) {
                throw new IllegalArgumentException(e.getKey() + " " + e.getValue()[0] + " conflicts with the stopped run's "
                        + e.getValue()[1] + ": --resume continues that run with its own options (drop " + e.getKey()
                        + ", or train a new model into another --output)");
            }
        }
        if (!given.hasMatchedOption("--checkpoint-every")) checkpointEvery = saved.checkpointEvery();
        RunSettings where = new RunSettings(saved.model(), saved.epochs(), saved.batchSize(), saved.learningRate(),
                saved.maxSeqLen(), saved.seed(), saved.maxTrainExamples(), saved.precision(),
                given.hasMatchedOption("--data-dir") ? dataDir.toString() : saved.dataDir(),
                given.hasMatchedOption("--url") ? url.toString() : saved.datasetUrl(),
                given.hasMatchedOption("--model-mirror") ? modelOptions.modelMirror : saved.modelMirror(),
                checkpointEvery);
        return FineTuneRun.request(where, out);
    }
}
