package dev.bertclf.cli;

import static dev.bertclf.runtime.Credentials.redact;

import dev.bertclf.data.DatasetFolder;
import dev.bertclf.model.ModelResolver;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.ClusterSpec;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.Version;
import dev.bertclf.runtime.WorkerServer;
import dev.bertclf.text.Truncation;
import dev.bertclf.train.AdamW;
import dev.bertclf.train.AllReduce;
import dev.bertclf.train.ClassWeights;
import dev.bertclf.train.FineTuneRun;
import dev.bertclf.train.Hyperparameters;
import dev.bertclf.train.LearningRateSchedule;
import dev.bertclf.train.Monitor;
import dev.bertclf.train.RunSettings;
import dev.bertclf.train.RunSettingsBuilder;
import dev.bertclf.train.SaveMode;
import dev.bertclf.train.Schedule;
import dev.bertclf.train.StepLog;
import dev.bertclf.train.TrainingCheckpoints;
import dev.bertclf.train.TrainingInterruptedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Fine-tune a pretrained BERT encoder with a dropout and a classification head (one logit and a sigmoid "
                    + "for two classes, as the tutorial; a logit per class and a softmax for more) on the IMDB reviews "
                    + "or your own data (--data-dir, --train-file), downloading IMDB and the model first if needed, "
                    + "saving a SavedModel after every epoch.",
            "With --multi-label a text may have any number of classes (a sigmoid per class, --train-file only).",
            "The run's log goes to train.log in the output folder (in <output>.checkpoints/ until training has "
                    + "succeeded), TensorBoard's event files to <output>/logs."
        })
final class TrainCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DatasetOptions dataset;

    @Mixin
    TableFileOptions table;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    ClusterOptions clusterOptions;

    @Option(
            names = "--train-file",
            paramLabel = "FILE",
            description = "Train on a CSV, TSV or JSON Lines file of "
                    + "texts and labels instead of the data folder, 20%% of its rows held out "
                    + "for validation (default: none).")
    Path trainFile;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "" + Hyperparameters.EPOCHS,
            description = "Passes over the training set.")
    int epochs;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "" + Hyperparameters.BATCH_SIZE,
            description = "Examples per training step (per micro-batch with --accumulate).")
    int batchSize;

    @Option(
            names = "--accumulate",
            paramLabel = "N",
            defaultValue = "1",
            description = "Sum the gradients of N batches of --batch-size into each optimizer step: the numbers of one "
                    + "batch of --batch-size x N (epochs, the schedule and checkpoints count these steps) in the "
                    + "memory of one of --batch-size.")
    int accumulate;

    @Option(
            names = "--learning-rate",
            paramLabel = "RATE",
            defaultValue = "" + Hyperparameters.LEARNING_RATE,
            description = "Peak AdamW learning rate.")
    double learningRate;

    @Option(
            names = "--warmup-ratio",
            paramLabel = "R",
            defaultValue = "" + LearningRateSchedule.WARMUP_RATIO,
            description = "Share of all steps over which the learning rate rises linearly from 0 to --learning-rate "
                    + "(0 <= R < 1).")
    double warmupRatio;

    @Option(
            names = "--schedule",
            paramLabel = "linear|cosine|constant",
            defaultValue = "linear",
            description = "The learning rate after the warm-up: linear (the tutorial's: to 0 at the last step, "
                    + "Keras' PolynomialDecay from step 0), cosine (half a cosine from the peak to 0 at the last "
                    + "step) or constant.")
    Schedule schedule;

    @Option(
            names = "--weight-decay",
            paramLabel = "W",
            defaultValue = "" + AdamW.WEIGHT_DECAY,
            description = "AdamW's decoupled weight decay, w -= learning rate x W x w each step, on every weight but "
                    + "LayerNorm and bias (0: none).")
    double weightDecay;

    @Option(
            names = "--max-seq-len",
            paramLabel = "N",
            defaultValue = "" + Hyperparameters.MAX_SEQ_LEN,
            description = "Tokens per text, [CLS] and [SEP] included.")
    int maxSeqLen;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "" + Hyperparameters.SEED,
            description = "Seed for the split, the shuffles, dropout and the head.")
    long seed;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            defaultValue = "imdb_bert",
            description = "Folder for the trained model, replaced after every epoch.")
    Path output;

    @Option(
            names = "--max-train-examples",
            paramLabel = "N",
            defaultValue = "0",
            description = "Train on a seeded subset of this many examples (0: all); validation then uses a quarter "
                    + "as many (at least 1).")
    int maxTrainExamples;

    @Option(
            names = "--precision",
            paramLabel = "fp32|bf16",
            defaultValue = "fp32",
            description = "fp32, or bf16: "
                    + "bfloat16 compute with float32 master weights (dense layers and their gradients as fused bf16 "
                    + "oneDNN products, the rest by oneDNN auto mixed precision; faster on CPUs with AVX512-BF16 or "
                    + "AMX).")
    Precision precision;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "STEPS",
            description = "Also save a checkpoint every STEPS "
                    + "steps (0: only after each epoch). Checkpoints go to "
                    + "<output>.checkpoints and are removed when the run finishes.")
    int checkpointEvery = 0;

    @Option(
            names = "--log-every",
            paramLabel = "STEPS",
            defaultValue = "" + StepLog.DEFAULT_EVERY,
            description = "Every STEPS steps, log the loss, learning rate, gradient norm and examples/s to train.log "
                    + "and as TensorBoard scalars in <output>/logs/train (0: epoch figures only).")
    int logEvery;

    @Option(
            names = "--save",
            paramLabel = "best|last",
            defaultValue = "best",
            description = "Which epoch's model the output holds: the best by --monitor, or the last.")
    SaveMode save;

    @Option(
            names = "--monitor",
            paramLabel = "val_loss|val_accuracy|val_f1",
            defaultValue = "val_loss",
            description =
                    "What --save best and --patience watch (val_f1: the positive class's F1, macro-F1, or micro-F1 "
                            + "with --multi-label).")
    Monitor monitor;

    @Option(
            names = "--patience",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after N epochs without improvement of --monitor (0: train every epoch).")
    int patience;

    @Option(
            names = "--min-delta",
            paramLabel = "D",
            defaultValue = "0",
            description = "How much --monitor must improve to count as better.")
    double minDelta;

    @Option(
            names = "--class-weight",
            paramLabel = "none|balanced|CLASS=W,...",
            defaultValue = "none",
            description = "Weigh each class's examples in the training loss: balanced gives n / (classes * n_class); "
                    + "CLASS=W,... names weights (others 1).")
    String classWeight;

    @Option(
            names = "--validation-split",
            paramLabel = "F",
            defaultValue = "" + RunSettings.DEFAULT_VALIDATION_SPLIT,
            description = "Share of the training data held out (seeded) for validation, as Keras' validation_split.")
    double validationSplit;

    @Option(
            names = "--validation-file",
            paramLabel = "FILE",
            description = "Validate on this CSV, TSV or JSON Lines file (the training file's format and columns) "
                    + "instead of a split; every training example then trains (default: none).")
    Path validationFile;

    @Option(
            names = "--validation-dir",
            paramLabel = "DIR",
            description = "Validate on this folder of class folders instead of a split (default: none).")
    Path validationDir;

    @Option(
            names = "--truncation",
            paramLabel = "head|tail|head+tail",
            defaultValue = "head",
            converter = TruncationConverter.class,
            description = "Which tokens of a text longer than --max-seq-len - 2 train the model: its first ones, its "
                    + "last ones, or head+tail: its first (max-seq-len - 2) / 4 (rounded down) and its last "
                    + "(the rest), the ratio Sun et al. 2019 found best on IMDB. Recorded in the model: evaluate, "
                    + "predict and serve tokenise the same way.")
    Truncation truncation;

    @Option(
            names = "--multi-label",
            description = "Each text may have any number of classes (none included): a JSON Lines label is a list, "
                    + "a CSV or TSV label holds them separated by --label-separator. One sigmoid per class; "
                    + "val_f1 is the micro-F1. Needs --train-file.")
    boolean multiLabel;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "With --multi-label: a class is predicted when its probability is above P (default: "
                    + RunSettings.DEFAULT_THRESHOLD + "), the validation F1's threshold, recorded in the model for "
                    + "predict and serve.")
    Double threshold;

    @Option(
            names = "--resume",
            arity = "0..1",
            paramLabel = "DIR",
            fallbackValue = "",
            description = "Continue the stopped run whose model folder (or checkpoint folder) is DIR "
                    + "(default: --output), with its saved options.")
    String resume;

    @Option(
            names = "--allow-kernel-change",
            description = "With --resume: go on although this run trains on other element-wise kernels (bert-clf's "
                    + "fused ones, or TensorFlow's) than the checkpoint did; they round otherwise, so the run no "
                    + "longer ends bit for bit as it would have without the stop.")
    boolean allowKernelChange;

    @Override
    public Integer call() throws Exception {
        RunSettings settings;
        boolean gpu;
        ClusterSpec cluster;
        try {
            gpu = deviceOption.useGpu(); // option errors before any log file
            cluster = clusterOptions.spec(System::getenv);
            boolean worker = cluster != null && !cluster.chief();
            settings = resume != null && !(worker && !hasCheckpoint()) ? resumed() : given();
            if (threshold != null && !settings.multiLabel()) {
                throw new InvalidOptionException("--threshold applies to --multi-label runs only (a binary or "
                        + "multi-class model takes the most probable class): add --multi-label, or drop it");
            }
            if ((cluster != null || clusterOptions.localWorkers > 1) && settings.accumulate() > 1) {
                throw new InvalidOptionException("--accumulate is not yet supported on several workers: each worker "
                        + "already trains on its share of --batch-size (add workers, or train in one process)");
            }
        } catch (InvalidOptionException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (cluster != null && !cluster.chief()) return runAsWorker(settings, session(settings, gpu, 1), cluster);
        FineTuneRun.Outcome o;
        // The output is checked and locked before the log is opened: a refused run writes into no other run's files.
        try (FineTuneRun.Claim claim = FineTuneRun.claim(settings, resume != null);
                TrainLog runLog = TrainLog.start(settings.output(), claim.log(), resume != null);
                LocalWorkers local = clusterOptions.localWorkers > 1 ? startLocalWorkers(settings) : null) {
            if (allowKernelChange) claim.allowKernelChange();
            claim.commandLine(spec.commandLine().getParseResult().originalArgs());
            // the log goes with the model: no URL's credentials in it
            if (resume == null) runLog.note("bert-clf {} train, options: {}", Version.get(), redact(options()));
            else
                runLog.note(
                        "bert-clf {} train --resume: the stopped run goes on as {}",
                        Version.get(),
                        redact(settings.toString()));
            if (spec.defaultValueProvider() instanceof ConfigDefaults c && c.file() != null) {
                runLog.note("Option defaults from {}", c.file());
            }
            if (local != null) cluster = local.cluster();
            int workers = cluster == null ? 1 : cluster.size();
            try {
                AllReduce replicas = cluster == null ? null : replicas(cluster, settings);
                o = new FineTuneRun(line -> {
                            System.out.println(ConsoleText.escape(line));
                            runLog.note("{}", line); // the file's copy; the console shows each fact once
                        })
                        .run(claim, settings, session(settings, gpu, local == null ? 1 : workers), replicas);
            } catch (TrainingInterruptedException e) {
                runLog.failed(e);
                System.err.println(ConsoleText.escape(e.getMessage()) + ".");
                System.err.println("Resume with: bert-clf train --resume "
                        + ConsoleText.escape(settings.output().toString()));
                return e.exitCode();
            } catch (Exception | Error e) {
                runLog.failed(e);
                runLog.close();
                if (claim.keepsLog()) log.info("The log of this run is in {}", runLog.location());
                throw e;
            }
            runLog.moveIntoOutput();
            if (local != null) local.succeeded();
        }
        System.out.print(TrainSummary.format(
                settings.model(),
                o.history(),
                settings.monitor(),
                settings.minDelta(),
                o.saved(),
                o.modelDir(),
                o.modelDir().resolve(TrainLog.FILE),
                o.numClasses(),
                settings.multiLabel(),
                settings.trainFile() != null));
        return 0;
    }

    /** A worker other than the chief: it trains its share of each step and writes nothing. */
    private int runAsWorker(RunSettings settings, SessionOptions session, ClusterSpec cluster) throws Exception {
        try {
            new FineTuneRun(line -> System.out.println(ConsoleText.escape(line)))
                    .run(null, settings, session, replicas(cluster, settings));
        } catch (TrainingInterruptedException e) {
            System.err.println(ConsoleText.escape(e.getMessage()) + ".");
            return e.exitCode();
        }
        System.out.println("Worker " + cluster.taskIndex() + " of " + cluster.size()
                + " done; the chief (worker 0) saved the model.");
        return 0;
    }

    /** Starts this process's TensorFlow server in {@code cluster} and waits until the other workers are up. */
    private AllReduce replicas(ClusterSpec cluster, RunSettings settings) throws InterruptedException {
        WorkerServer server = WorkerServer.start(cluster, clusterOptions.openWorkerPorts);
        server.awaitPeers(clusterOptions.workerTimeout());
        return new AllReduce(server, clusterOptions.workerTimeout(), settings.batchSize(), settings.maxSeqLen());
    }

    /** The session: {@code --threads} threads per op, or this machine's cores shared by {@code localWorkers}. */
    private SessionOptions session(RunSettings settings, boolean gpu, int localWorkers) {
        SessionOptions s = settings.session(gpu);
        int threads = clusterOptions.threadsEach(localWorkers);
        return threads == 0 ? s : new SessionOptions(threads, 1, s.bf16(), s.gpu());
    }

    private LocalWorkers startLocalWorkers(RunSettings settings) throws IOException {
        // The workers share this machine's caches: the model and the IMDB data are fetched once, before they start,
        // rather than by every worker into the same files at once.
        new ModelResolver(BertClfHome.models(), settings.modelMirror()).resolve(settings.model());
        if (settings.trainFile() == null) DatasetFolder.resolve(settings.dataDir(), settings.url(), "train");
        int n = clusterOptions.localWorkers;
        int threads = clusterOptions.threadsEach(n);
        List<String> args = new ArrayList<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            if (Set.of("--local-workers", "--threads", "--cluster", "--task-index")
                    .contains(name)) continue;
            if (o.arity().max() == 0) {
                args.add(name);
                continue;
            }
            for (String v : o.originalStringValues()) {
                args.add(name);
                args.add(v);
            }
            if (o.originalStringValues().isEmpty()) args.add(name);
        }
        return LocalWorkers.start(n, args, threads);
    }

    /** Whether a stopped run's checkpoint is on this machine (a worker's may be on the chief's only). */
    private boolean hasCheckpoint() {
        return FineTuneRun.savedSettings(resumedOutput()).isPresent();
    }

    /** The output of the run {@code --resume} names: its folder, or {@code --output}. */
    private Path resumedOutput() {
        return TrainingCheckpoints.outputOf(resume.isEmpty() ? output : Path.of(resume));
    }

    /** The effective options, for the head of the log: what was typed, configured or defaulted. */
    private String options() {
        StringBuilder sb = new StringBuilder();
        for (OptionSpec opt : spec.options()) {
            if (opt.usageHelp() || opt.versionHelp() || opt.type() == boolean.class || opt.getValue() == null) continue;
            sb.append(sb.length() == 0 ? "" : " ")
                    .append(opt.longestName())
                    .append('=')
                    .append((Object) opt.getValue());
        }
        return sb.toString();
    }

    /** The settings the command line gives: typed, configured or defaulted. */
    private RunSettings given() {
        return RunSettingsBuilder.builder()
                .model(modelOptions.model)
                .epochs(epochs)
                .batchSize(batchSize)
                .learningRate(learningRate)
                .maxSeqLen(maxSeqLen)
                .seed(seed)
                .maxTrainExamples(maxTrainExamples)
                .precision(precision)
                .dataDir(absolute(dataset.dataDir()))
                .url(dataset.url)
                .modelMirror(modelOptions.modelMirror)
                .checkpointEvery(checkpointEvery)
                .trainFile(absolute(trainFile))
                .format(table.format)
                .textColumn(table.textColumn)
                .labelColumn(table.labelColumn)
                .output(absolute(output))
                .save(save)
                .monitor(monitor)
                .patience(patience)
                .minDelta(minDelta)
                .classWeight(new ClassWeights(classWeight))
                .validationSplit(validationSplit)
                .validationFile(absolute(validationFile))
                .validationDir(absolute(validationDir))
                .logEvery(logEvery)
                .accumulate(accumulate)
                .truncation(truncation)
                .multiLabel(multiLabel)
                .labelSeparator(table.labelSeparator)
                .threshold(threshold == null ? RunSettings.DEFAULT_THRESHOLD : threshold)
                .warmupRatio(warmupRatio)
                .weightDecay(weightDecay)
                .schedule(schedule)
                .build();
    }

    private static Path absolute(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }

    /** The stopped run's own settings, which typed options may only move ({@link RunSettings#resumedWith}). */
    private RunSettings resumed() {
        Path out = resumedOutput();
        RunSettings saved = FineTuneRun.savedSettings(out)
                .orElseThrow(() -> new InvalidOptionException("--resume: no checkpoint beside " + out + " (looked in "
                        + out + TrainingCheckpoints.SUFFIX + ")"));
        Set<String> typed = new HashSet<>();
        spec.commandLine().getParseResult().matchedOptions().forEach(o -> typed.add(o.longestName()));
        return saved.movedTo(out).resumedWith(given(), typed);
    }
}
