package dev.bertclf.cli;

import dev.bertclf.runtime.Version;
import dev.bertclf.train.FineTuneRun;
import dev.bertclf.train.Hyperparameters;
import dev.bertclf.train.SessionOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fine-tune a pretrained BERT encoder with a dropout and single-logit head on the IMDB reviews "
                + "or your own data (--data-dir, --train-file), downloading IMDB and the model first if needed, "
                + "saving a SavedModel after every epoch.",
                "The run's log goes to train.log in the output folder (beside it, as <output>.train.log, until "
                + "training has succeeded)."})
final class TrainCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec CommandSpec spec;
    @Mixin CommonOptions common;
    @Mixin ModelOptions modelOptions;
    @Mixin DatasetOptions dataset;
    @Mixin TableFileOptions table;
    @Mixin DeviceOption deviceOption;

    @Option(names = "--train-file", paramLabel = "FILE", description = "Train on a CSV, TSV or JSON Lines file of "
            + "texts and labels instead of the data folder, 20% of its rows held out for validation (default: none).")
    Path trainFile;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + Hyperparameters.EPOCHS,
            description = "Passes over the training set.")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + Hyperparameters.BATCH_SIZE,
            description = "Examples per training step.")
    int batchSize;

    @Option(names = "--learning-rate", paramLabel = "RATE", defaultValue = "" + Hyperparameters.LEARNING_RATE,
            description = "Peak AdamW learning rate.")
    double learningRate;

    @Option(names = "--max-seq-len", paramLabel = "N", defaultValue = "" + Hyperparameters.MAX_SEQ_LEN,
            description = "Tokens per text, [CLS] and [SEP] included.")
    int maxSeqLen;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + Hyperparameters.SEED,
            description = "Seed for the split, the shuffles, dropout and the head.")
    long seed;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "imdb_bert",
            description = "Folder for the trained model, replaced after every epoch.")
    Path output;

    @Option(names = "--max-train-examples", paramLabel = "N", defaultValue = "0",
            description = "Train on a seeded subset of this many examples (0: all).")
    int maxTrainExamples;

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32", description = "fp32, or bf16: "
            + "bfloat16 compute with float32 master weights (oneDNN auto mixed precision; faster on CPUs with "
            + "AVX512-BF16 or AMX).")
    Precision precision;

    @Override
    public Integer call() throws Exception {
        Hyperparameters hp = new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed);
        if (maxTrainExamples < 0) throw new IllegalArgumentException("--max-train-examples must be 0 or more");
        SessionOptions session = precision.session(deviceOption.useGpu()); // option errors before any log file
        FineTuneRun.Outcome o;
        try (TrainLog runLog = TrainLog.start(output)) {
            runLog.note("bert-clf {} train, options: {}", Version.get(), options());
            if (spec.defaultValueProvider() instanceof ConfigDefaults c && c.file() != null) {
                runLog.note("Option defaults from {}", c.file());
            }
            try {
                o = new FineTuneRun().run(new FineTuneRun.Request(modelOptions.model, hp, dataset.dataDir(), dataset.url,
                        output, maxTrainExamples, modelOptions.modelMirror, session, table.of(trainFile)));
            } catch (Exception | Error e) {
                runLog.failed(e);
                runLog.close();
                log.info("The log of this run is in {}", runLog.location());
                throw e;
            }
            runLog.moveIntoOutput();
        }
        System.out.print(TrainSummary.format(modelOptions.model, o.history(), o.modelDir(), o.modelDir().resolve(TrainLog.FILE)));
        return 0;
    }

    /** The effective options, for the head of the log: what was typed, configured or defaulted. */
    private String options() {
        StringBuilder sb = new StringBuilder();
        for (OptionSpec opt : spec.options()) {
            if (opt.usageHelp() || opt.versionHelp() || opt.type() == boolean.class || opt.getValue() == null) continue;
            sb.append(sb.length() == 0 ? "" : " ").append(opt.longestName()).append('=').append((Object) opt.getValue());
        }
        return sb.toString();
    }
}
