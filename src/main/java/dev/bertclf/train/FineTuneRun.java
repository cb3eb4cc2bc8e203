package dev.bertclf.train;

import dev.bertclf.data.LabeledText;
import dev.bertclf.data.LabeledTexts;
import dev.bertclf.data.Utf8TextReader;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.io.OutputLock;
import dev.bertclf.model.ModelMemory;
import dev.bertclf.model.ModelResolver;
import dev.bertclf.model.PretrainedModel;
import dev.bertclf.model.Weights;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Kernels;
import dev.bertclf.runtime.OwnedFolder;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.runtime.Version;
import dev.bertclf.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tutorial end to end: model, data, split, tokens, fine-tuning, and a saved model after every epoch (so an
 * interrupted run still leaves the last finished epoch's model), then the pointer that lets {@code evaluate} and
 * {@code predict} find it with no options. The output is {@link #claim claimed} before anything else, the model
 * comes next so that a {@code --max-seq-len} it cannot take is refused before any data work, and every check is done
 * before the first step; checkpoints (see {@link TrainingCheckpoints}) let a stopped run continue.
 */
public final class FineTuneRun {
    private static final Logger log = LoggerFactory.getLogger(FineTuneRun.class);
    public static final String HISTORY = "history.json";
    /** The history as a table, for a spreadsheet or pandas. */
    public static final String METRICS = "metrics.csv";

    /** The run's result; {@code saved} is the epoch whose model the folder holds. */
    public record Outcome(Path modelDir, List<EpochMetrics> history, int numClasses, EpochMetrics saved) {}

    private final Consumer<String> console;

    /** {@code console} shows the lines Keras prints about the split ("Found 400 files belonging to 2 classes."). */
    public FineTuneRun(Consumer<String> console) {
        this.console = console;
    }

    /** {@link #claim Claims} the output, then {@link #run(Claim, RunSettings, boolean) trains} into it. */
    public Outcome run(RunSettings settings, boolean gpu, boolean resume) throws Exception {
        try (Claim claim = claim(settings, resume)) {
            return run(claim, settings, gpu);
        }
    }

    /**
     * A run's hold on its output, taken before any work and kept until the run ends: the output was checked, the
     * lock is held, and the checkpoint to continue from (if resuming) is known. Closing it removes a checkpoint
     * folder that no checkpoint was written into, then releases the lock.
     */
    public static final class Claim implements AutoCloseable {
        private final Path output;
        private final TrainingCheckpoints checkpoints;
        private final OutputLock lock;
        private final TrainingCheckpoints.Saved resumeFrom;
        private List<String> commandLine = List.of();

        private Claim(Path output, TrainingCheckpoints checkpoints, OutputLock lock, TrainingCheckpoints.Saved from) {
            this.output = output;
            this.checkpoints = checkpoints;
            this.lock = lock;
            this.resumeFrom = from;
        }

        /** Records {@code args}, the command line after {@code bert-clf}, in the run's {@link RunRecord}. */
        public void commandLine(List<String> args) {
            commandLine = List.copyOf(args);
        }

        /** Where the run's log is written while it runs: in the locked checkpoint folder. */
        public Path log() {
            return checkpoints.log();
        }

        /** Lets the resumed run train on other element-wise kernels than its checkpoint's (no longer bit-exact). */
        public void allowKernelChange() {
            checkpoints.allowKernelChange();
        }

        /** Whether the log stays after a failure: the run began training. */
        public boolean keepsLog() {
            return checkpoints.keepsLog();
        }

        @Override
        public void close() throws IOException {
            try {
                checkpoints.deleteIfEmpty();
            } finally {
                lock.close();
            }
        }
    }

    /**
     * Checks that the output may be written (see {@link OwnedFolder}: never a folder bert-clf did not make, never one
     * holding the run's inputs), then locks it. With {@code resume}, finds the newest checkpoint; without, refuses
     * to start over an unfinished run's checkpoints, which would otherwise be lost. Nothing is written before the
     * lock is held, and nothing of another run's is touched when refused.
     *
     * @throws InvalidOptionException for an output that must not be replaced
     * @throws DataException when the output is busy, or its checkpoints do not fit {@code resume}
     */
    public static Claim claim(RunSettings settings, boolean resume) throws IOException {
        Path out = settings.output().toAbsolutePath().normalize();
        OwnedFolder.checkReplaceable("--output", out, SavedModelExporter.OWNED_AS, inputs(settings));
        Path record = out.resolve(RunRecord.FILE); // found before training, not at the first epoch's save
        if (Files.exists(record, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidOptionException("--output " + out + " holds " + RunRecord.FILE + ", which is not a "
                    + "file: the run writes its record there; move it away or name another --output");
        }
        TrainingCheckpoints checkpoints = TrainingCheckpoints.besideOutput(out);
        checkpoints.checkOwned();
        OutputLock lock = checkpoints.lock(out);
        try {
            checkpoints.removeLeftovers();
            TrainingCheckpoints.Saved from = checkpoints.latest().orElse(null);
            if (resume && from == null) {
                throw new DataException("nothing to resume in " + checkpoints.dir() + ": it holds no checkpoint "
                        + "(the run finished, or stopped before its first one)");
            }
            if (!resume && from != null) {
                throw new DataException(out + " belongs to an unfinished run (checkpoint at step "
                        + from.state().progress().step() + " of " + from.state().totalSteps() + " in "
                        + checkpoints.dir() + "): continue it with 'bert-clf train --resume " + out
                        + "', or delete " + checkpoints.dir() + " to start over");
            }
            return new Claim(out, checkpoints, lock, from);
        } catch (RuntimeException | IOException e) {
            try (lock) {
                checkpoints.deleteIfEmpty();
            }
            throw e;
        }
    }

    /** What the run reads, by what a message calls it: an output must not hold any of them. */
    private static Map<String, Path> inputs(RunSettings settings) {
        Map<String, Path> in = new LinkedHashMap<>();
        Path model = Path.of(settings.model());
        if (Files.exists(model)) in.put("the model --model names", model);
        in.put("the data folder", settings.dataDir());
        in.put("the training file", settings.trainFile());
        in.put("the validation file", settings.validationFile());
        in.put("the validation folder", settings.validationDir());
        return in;
    }

    /**
     * Trains into a {@link #claim claimed} output, on the GPU or the CPU, saving a checkpoint beside it every
     * {@code settings.checkpointEvery()} steps (0: at epoch ends only), and removes the checkpoints once the run has
     * finished; a resumed run's {@code settings} are the {@link RunSettings#resumedWith saved ones}.
     */
    public Outcome run(Claim claim, RunSettings settings, boolean gpu) throws Exception {
        return run(claim, settings, settings.session(gpu), null);
    }

    /**
     * As {@link #run(Claim, RunSettings, boolean)} with the session's options given, as one worker of a data-parallel
     * run ({@code replicas} null: on its own). Only the chief claims an output: the other workers' {@code claim} is
     * null, and they write nothing (no model, checkpoint or history; their {@link Outcome} has no folder).
     */
    public Outcome run(Claim claim, RunSettings settings, SessionOptions session, AllReduce replicas) throws Exception {
        if (claim == null) {
            if (replicas == null || replicas.chief()) throw new IllegalArgumentException("only a worker has no claim");
            return train(settings, session, null, null, replicas);
        }
        Outcome o = train(settings, session, claim, claim.checkpoints, replicas);
        claim.checkpoints.deleteAll();
        return o;
    }

    /** The settings of the unfinished run whose model folder (or checkpoint folder) is {@code path}, if any. */
    public static Optional<RunSettings> savedSettings(Path path) {
        return TrainingCheckpoints.besideOutput(TrainingCheckpoints.outputOf(path))
                .latest()
                .map(s -> s.state().run());
    }

    private Outcome train(
            RunSettings req, SessionOptions session, Claim claim, TrainingCheckpoints checkpoints, AllReduce replicas)
            throws Exception {
        Instant started = Instant.now();
        Path out = claim == null ? null : claim.output;
        TrainingCheckpoints.Saved resumeFrom = claim == null ? null : claim.resumeFrom;
        ModelResolver models = new ModelResolver(BertClfHome.models(), req.modelMirror());
        log.info("This run needs: {}; {}", models.need(req.model()), req.data().need()); // before any download
        PretrainedModel pretrained = models.resolve(req.model());
        ModelMemory.require(pretrained.config(), pretrained.name(), ModelMemory.Use.TRAINING);
        int maxSeqLen = req.hp().maxSeqLen();
        pretrained.config().requirePositions(maxSeqLen, pretrained.name());
        log.info(
                "Model {} ({}, {} parameters, {})",
                pretrained.name(),
                pretrained.config(),
                String.format("%,d", pretrained.config().parameterCount()),
                pretrained.lowercase() ? "uncased" : "cased");
        if (pretrained.startsFromRandomWeights()) {
            // Said with the model, before any work: the run's own lines ("Training ...") come after it.
            log.warn("{} has no checkpoint: the encoder starts from random weights", pretrained.directory());
        }

        TrainingData data = TrainingData.of(req, console);
        LabeledTexts train = data.train();
        List<LabeledText> trainSet = data.training(), valSet = data.validation();
        float[] classWeights = req.classWeight().isNone()
                ? null
                : req.classWeight().resolve(train.classNames(), examplesPerClass(trainSet, train.classNames()));
        if (classWeights != null) {
            log.info("Class weights in the training loss: {}", ClassWeights.byClass(train.classNames(), classWeights));
        }
        String dataInWords = data.inWords(req.validationSplit());
        TfRuntime.engine();

        Utf8TextReader reader = new Utf8TextReader();
        TokenizedDataset trainTokens, valTokens;
        int classes = train.classNames().size();
        try (WordPieceTokenizer tokenizer = pretrained.tokenizer(maxSeqLen, req.truncation())) {
            List<LabeledText> t = trainSet, v = valSet;
            trainTokens = tokenize("training set", tokenizer, t, reader, req.multiLabel(), classes);
            valTokens = tokenize("validation set", tokenizer, v, reader, req.multiLabel(), classes);
        }
        if (reader.filesWithMalformedInput() > 0) {
            log.warn("{} files were not valid UTF-8; invalid bytes were replaced", reader.filesWithMalformedInput());
        }
        if (reader.blankFiles() > 0) {
            log.warn("{} files were empty or blank; they train as empty texts", reader.blankFiles());
        }

        // The record of the run, with its data's digests; only the chief, which writes the model, writes it.
        RunRecord record = out == null
                ? null
                : RunRecord.start(
                        started,
                        claim.commandLine,
                        req,
                        session.gpu(),
                        Kernels.available().fused(), // the trainer's choice, made the same way
                        replicas == null ? 1 : replicas.workers(),
                        resumeFrom,
                        train.classNames());
        List<EpochMetrics> history;
        // Only a run that writes an output keeps logs: a worker other than the chief writes nothing.
        try (StepLog steps = out == null
                ? StepLog.NONE
                : new StepLog(new TensorBoardLog(logsFolder(out, resumeFrom != null)), req.logEvery())) {
            Trainer trainer = new Trainer(
                    req.hp(),
                    session,
                    Loss.of(classes, classWeights, req.multiLabel() ? req.threshold() : null),
                    steps,
                    replicas);
            Trainer.EpochListener listener = out == null
                    ? null
                    : (h, graph) -> epochDone(
                            out, pretrained, train.classNames(), req, classWeights, dataInWords, h, graph, record);
            if (checkpoints != null) checkpoints.trainingStarted();
            history = trainer.fit(
                    pretrained.config(),
                    shapes -> pretrained.initialWeights(shapes, req.hp().seed()),
                    trainTokens,
                    valTokens,
                    listener,
                    new Trainer.Checkpointing(
                            checkpoints, req.checkpointEvery(), resumeFrom, req, train.classNames(), new StopSignal()));
        }
        EpochMetrics saved = req.save() == SaveMode.last
                ? history.get(history.size() - 1)
                : history.get(req.monitor().bestIndex(history, req.minDelta()));
        if (out != null) {
            record.after(history, saved, true).write(out);
            FileUtil.writeStringAtomic(BertClfHome.lastModelPointer(), out.toString());
        }
        return new Outcome(out, history, train.classNames().size(), saved);
    }

    /**
     * The run's TensorBoard folder, {@code <output>/logs}, which every save carries into the new model folder. An
     * absent or empty output (the claim allowed no other kind but a model folder) is made a marked model folder now,
     * so that the first save may replace it, and a resumed run may continue, with the logs in it. A new run starts
     * with no logs; a resumed run adds event files to its own, at the steps it continues from.
     */
    private static Path logsFolder(Path out, boolean resumed) throws IOException {
        if (OwnedFolder.isAbsentOrEmpty(out)) {
            Files.createDirectories(out);
            OwnedFolder.mark(out, SavedModelExporter.OWNED_AS);
        }
        Path logs = out.resolve(TensorBoardLog.FOLDER);
        if (!resumed) FileUtil.deleteTree(logs);
        return logs;
    }

    /**
     * After an epoch: exports the model when {@code --save last}, or when the epoch is the best so far; keeps the
     * history and the curves up to date in the model folder; answers whether to go on ({@code --patience} epochs
     * without improvement end the run).
     */
    private boolean epochDone(
            Path out,
            PretrainedModel pretrained,
            List<String> classes,
            RunSettings req,
            float[] classWeights,
            String dataInWords,
            List<EpochMetrics> history,
            TrainingGraph graph,
            RunRecord record)
            throws Exception {
        EpochMetrics last = history.get(history.size() - 1);
        int sinceBest = req.monitor().epochsSinceBest(history, req.minDelta());
        if (req.save() == SaveMode.last || sinceBest == 0) {
            export(out, pretrained, classes, req, classWeights, history, graph);
        } else {
            log.info(
                    "Epoch {} is not better than epoch {} ({}): the model of epoch {} is kept",
                    last.epoch(),
                    last.epoch() - sinceBest,
                    req.monitor().best(),
                    last.epoch() - sinceBest);
        }
        FileUtil.writeStringAtomic(out.resolve(HISTORY), Json.PRETTY.toJson(history));
        FileUtil.writeStringAtomic(out.resolve(METRICS), metricsCsv(history));
        boolean lastIsKept = req.save() == SaveMode.last;
        EpochMetrics kept = lastIsKept ? last : history.get(history.size() - 1 - sinceBest);
        String why = lastIsKept ? "the last, --save last" : req.monitor().best();
        ModelCard card = new ModelCard(
                pretrained.name(),
                dataInWords,
                classes,
                hyperparameters(req, classes, classWeights, graph.kernels()),
                kept,
                history.size(),
                why,
                pretrained.lowercase(),
                ModelMetadata.read(out).vocabulary());
        FileUtil.writeStringAtomic(out.resolve(ModelCard.FILE), card.markdown(out));
        TrainingCurvesPlot.write(history, out.resolve(TrainingCurvesPlot.FILE));
        record.after(history, kept, false).write(out);
        if (req.patience() > 0 && sinceBest >= req.patience() && last.epoch() < req.epochs()) {
            log.info(
                    "Early stopping after epoch {}: {} has not improved by more than {} for {} epochs",
                    last.epoch(),
                    req.monitor(),
                    req.minDelta(),
                    sinceBest);
            return false;
        }
        return true;
    }

    /** Class ids, or multi-hot rows for multi-label data (see {@link TrainingGraph}). */
    private static TokenizedDataset tokenize(
            String what,
            WordPieceTokenizer tokenizer,
            List<LabeledText> examples,
            Utf8TextReader reader,
            boolean multiLabel,
            int classes) {
        return multiLabel
                ? TokenizedDataset.encode(
                        what, tokenizer, examples.size(), i -> examples.get(i).read(reader), classes, i -> examples.get(
                                        i)
                                .multiHot(classes))
                : TokenizedDataset.encode(
                        what, tokenizer, examples.size(), i -> examples.get(i).read(reader), i -> examples.get(i)
                                .label());
    }

    private static String metricsCsv(List<EpochMetrics> history) {
        StringBuilder sb =
                new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,val_f1,seconds,examples_per_second\n");
        for (EpochMetrics m : history) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.1f,%.2f%n",
                    m.epoch(),
                    m.loss(),
                    m.accuracy(),
                    m.valLoss(),
                    m.valAccuracy(),
                    m.valF1(),
                    m.seconds(),
                    m.examplesPerSecond()));
        }
        return sb.toString();
    }

    /** What {@code metadata.json} and the model card record of how the model was trained. */
    private static Map<String, Object> hyperparameters(
            RunSettings req, List<String> classes, float[] classWeights, Kernels kernels) {
        Map<String, Object> hp = req.hyperparameters();
        if (classWeights != null) hp.put("class_weight", ClassWeights.byClass(classes, classWeights));
        hp.put("fused_kernels", kernels.fused()); // which element-wise kernels trained it
        return hp;
    }

    private static int[] examplesPerClass(List<LabeledText> examples, List<String> classNames) {
        int[] n = new int[classNames.size()];
        for (LabeledText e : examples) n[e.label()]++;
        return n;
    }

    private void export(
            Path out,
            PretrainedModel pretrained,
            List<String> classes,
            RunSettings req,
            float[] classWeights,
            List<EpochMetrics> history,
            TrainingGraph graph)
            throws Exception {
        EpochMetrics last = history.get(history.size() - 1);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("epochs_done", last.epoch());
        metrics.put("loss", last.loss());
        String acc = Loss.accuracyName(classes.size(), req.multiLabel());
        metrics.put(acc, last.accuracy());
        metrics.put("val_loss", last.valLoss());
        metrics.put("val_" + acc, last.valAccuracy());
        metrics.put("val_f1", last.valF1());
        ModelMetadata meta = new ModelMetadata(
                        pretrained.name(),
                        pretrained.lowercase(),
                        req.hp().maxSeqLen(),
                        classes,
                        hyperparameters(req, classes, classWeights, graph.kernels()),
                        metrics,
                        Instant.now().toString(),
                        "bert-clf " + Version.get())
                .withTruncation(req.truncation());
        if (req.multiLabel()) meta = meta.withMultiLabel(req.threshold());
        try (Weights weights = graph.readWeights()) {
            SavedModelExporter.export(out, pretrained.config(), weights, pretrained.vocab(), meta);
        }
        log.info("Saved the model after epoch {} to {}", last.epoch(), out);
    }
}
