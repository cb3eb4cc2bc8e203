package dev.bertclf.train;

import com.google.gson.annotations.SerializedName;
import dev.bertclf.data.DataSource;
import dev.bertclf.data.LabeledTexts;
import dev.bertclf.data.TableFile;
import dev.bertclf.data.TableFormat;
import dev.bertclf.data.TextDirectoryDataset;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.text.Truncation;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Everything a {@code train} run is asked to do, in one typed record, as nanoGPT keeps one {@code config} and
 * run_glue.py one {@code TrainingArguments}: the command fills it from its options ({@link RunSettingsBuilder}, which
 * the compiler generates from the components), {@link FineTuneRun} consumes it, every checkpoint saves it
 * ({@code state.json}) and the exported model's {@code metadata.json} and model card record its
 * {@link #hyperparameters}. One table, {@link #SETTINGS}, says per setting whether a resumed run may change it,
 * whether every worker must share it and under which name the model records it: {@link #resumedWith},
 * {@link #sharedByWorkers} and {@link #hyperparameters} are derived from it. A new option is a component here, a row
 * in that table and a line in the command's builder chain.
 *
 * <p>Components are named as their options ({@code batchSize} is {@code --batch-size}). {@code trainFile} is null
 * for a run on the data folder; {@code format} (null: by the extension), {@code textColumn} and {@code labelColumn}
 * only matter with one; so do {@code multiLabel} (labels are sets of classes, see {@link TableFile}) and its
 * {@code labelSeparator}. {@code threshold} is where a multi-label class is predicted, for the validation micro-F1
 * and in the exported model; it is fixed under {@code --resume} so that every epoch's val_f1 compares.
 * {@code warmupRatio}, {@code weightDecay} and {@code schedule} shape the optimizer ({@link Hyperparameters}); a
 * resume keeps them, since they change every step's numbers. {@code output} is null in checkpoints written before
 * it was saved (the checkpoint's place says it). The JSON
 * names of older checkpoints are read as well.
 */
@RecordBuilder
public record RunSettings(
        String model,
        int epochs,
        int batchSize,
        double learningRate,
        int maxSeqLen,
        long seed,
        int maxTrainExamples,
        Precision precision,
        Path dataDir,
        @SerializedName(value = "url", alternate = "datasetUrl") URI url,
        String modelMirror,
        int checkpointEvery,
        Path trainFile,
        @SerializedName(value = "format", alternate = "trainFileFormat") TableFormat format,
        String textColumn,
        String labelColumn,
        Path output,
        SaveMode save,
        Monitor monitor,
        int patience,
        double minDelta,
        ClassWeights classWeight,
        Double validationSplit,
        Path validationFile,
        Path validationDir,
        Integer logEvery,
        Integer accumulate,
        Truncation truncation,
        boolean multiLabel,
        String labelSeparator,
        Double threshold,
        Double warmupRatio,
        Double weightDecay,
        Schedule schedule)
        implements RunSettingsBuilder.With {
    /** Checked here, so a record that exists is a run that can start; {@link Hyperparameters} checks its part. */
    public RunSettings {
        Objects.requireNonNull(model, "model");
        if (save == null) save = SaveMode.best; // checkpoints written before --save existed
        if (monitor == null) monitor = Monitor.val_loss;
        if (classWeight == null) classWeight = ClassWeights.NONE;
        if (truncation == null) truncation = Truncation.HEAD; // checkpoints written before --truncation
        if (validationSplit == null) validationSplit = DEFAULT_VALIDATION_SPLIT; // checkpoints before the option
        if (accumulate == null) accumulate = 1; // checkpoints before --accumulate
        if (labelSeparator == null) labelSeparator = TableFile.LABEL_SEPARATOR; // checkpoints before --multi-label
        if (threshold == null) threshold = DEFAULT_THRESHOLD;
        // checkpoints written before --warmup-ratio, --weight-decay and --schedule trained with the tutorial's
        if (warmupRatio == null) warmupRatio = LearningRateSchedule.WARMUP_RATIO;
        if (weightDecay == null) weightDecay = AdamW.WEIGHT_DECAY;
        if (schedule == null) schedule = Schedule.linear;
        if (labelSeparator.isEmpty()) throw new InvalidOptionException("--label-separator must not be empty");
        if (!(threshold > 0 && threshold < 1)) {
            throw new InvalidOptionException("--threshold must be above 0 and below 1, got " + threshold);
        }
        if (multiLabel && trainFile == null) {
            throw new InvalidOptionException("--multi-label needs a --train-file (CSV, TSV or JSON Lines): a folder "
                    + "of class folders gives each text exactly one class");
        }
        if (multiLabel && validationDir != null) {
            throw new InvalidOptionException("--multi-label cannot validate on a --validation-dir of class folders, "
                    + "which give each text one class; use --validation-file or --validation-split");
        }
        if (multiLabel && !classWeight.isNone()) {
            throw new InvalidOptionException(
                    "--class-weight does not apply to --multi-label (each class has its own " + "sigmoid); drop it");
        }
        if (validationFile != null && validationDir != null) {
            throw new InvalidOptionException(
                    "--validation-file and --validation-dir are two validation sets: give one");
        }
        boolean heldOut = validationFile != null || validationDir != null;
        if (!(validationSplit >= 0 && validationSplit < 1) || validationSplit == 0 && !heldOut) {
            throw new InvalidOptionException(
                    "--validation-split must be above 0 and below 1 (or give --validation-file "
                            + "or --validation-dir), got " + validationSplit);
        }
        if (patience < 0) throw new InvalidOptionException("--patience must be 0 (off) or more, got " + patience);
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new InvalidOptionException("--min-delta must be 0 or a positive number, got " + minDelta);
        }
        Objects.requireNonNull(precision, "precision");
        // Hyperparameters checks its own fields (the constructor's parameters: the fields are not set yet)
        new Hyperparameters(
                epochs, batchSize, learningRate, maxSeqLen, seed, accumulate, warmupRatio, weightDecay, schedule);
        if (maxTrainExamples < 0) {
            throw new InvalidOptionException("--max-train-examples must be 0 or more, got " + maxTrainExamples);
        }
        if (checkpointEvery < 0) {
            throw new InvalidOptionException("--checkpoint-every must be 0 or more, got " + checkpointEvery);
        }
        if (logEvery == null) logEvery = StepLog.DEFAULT_EVERY; // checkpoints written before --log-every existed
        if (logEvery < 0) throw new InvalidOptionException("--log-every must be 0 (off) or more, got " + logEvery);
    }

    public Hyperparameters hp() {
        return new Hyperparameters(
                epochs, batchSize, learningRate, maxSeqLen, seed, accumulate, warmupRatio, weightDecay, schedule);
    }

    /** These settings with the output where the run's checkpoints are now (a run folder may have been moved). */
    public RunSettings movedTo(Path output) {
        return withOutput(output);
    }

    /** The table file the run trains on, or null for the data folder. */
    public TableFile table() {
        return trainFile == null ? null : tableOf(trainFile);
    }

    /** {@code file} read as the training file is: its format, columns and, for multi-label data, separator. */
    private TableFile tableOf(Path file) {
        TableFile t = new TableFile(file, format, textColumn, labelColumn);
        return multiLabel ? t.multiLabel(labelSeparator) : t;
    }

    /** {@code --threshold}'s default: a class is predicted when its sigmoid is above one half. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** Keras' {@code validation_split} in the tutorial. */
    public static final double DEFAULT_VALIDATION_SPLIT = 0.2;

    /**
     * The validation set given apart from the training data ({@code --validation-file} in the training file's format
     * and columns, or {@code --validation-dir} of class folders), or null when it is split off the training data. A
     * multi-label validation file is read with the training data's {@code classes} (it need not hold them all).
     */
    public LabeledTexts heldOutValidation(List<String> classes) {
        if (validationFile != null) return tableOf(validationFile).read(multiLabel ? classes : null);
        if (validationDir != null)
            return TextDirectoryDataset.scan(validationDir).labeledTexts();
        return null;
    }

    /** Where the run's examples come from. */
    public DataSource data() {
        return new DataSource(dataDir, url, table());
    }

    /** The TensorFlow session the run asks for, on the GPU or the CPU as chosen now (not saved: a run may move). */
    public SessionOptions session(boolean gpu) {
        return precision.session(gpu);
    }

    /**
     * The options every worker of a data-parallel run must share, by option name: those that change the numbers a
     * step computes. What only the chief uses (output, checkpoints, --save, --monitor) and where things are may
     * differ; the data is compared by its tokens (see {@link WorkerAgreement}).
     */
    public Map<String, String> sharedByWorkers() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting<?> s : SETTINGS) {
            if (s.sharedByWorkers()) m.put(s.option(), String.valueOf(s.value().apply(this)));
        }
        return m;
    }

    /**
     * What {@code metadata.json} and the model card record of how the model was trained, under the names Keras users
     * know: each setting the table gives a name, where it has a value (patience only when on, the multi-label
     * settings only for a multi-label run), and the optimizer.
     */
    public Map<String, Object> hyperparameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Setting<?> s : SETTINGS) {
            Object v = s.recorded() == null ? null : s.recorded().apply(this);
            if (v != null) m.put(s.recordedAs(), v);
        }
        m.put("optimizer", "adamw");
        return m;
    }

    /**
     * The run this stopped run's settings go on as, given the settings the command line {@code given} and the
     * options the user {@code typed}. A {@link Resume#FIXED} setting, what the run is (model, hyperparameters,
     * {@code --accumulate} with them since it sets the effective batch and so the steps and the schedule, subset,
     * precision, the kind of data source, its format and columns, the output), may not change: a typed value that
     * differs is refused. A {@link Resume#MOVABLE} one, where things are now (the data folder or the moved training
     * file, the dataset URL, the model mirror) and how often to checkpoint and log, is taken from the command line
     * when typed. The data itself is checked later, against the fingerprint the checkpoint recorded.
     *
     * @throws InvalidOptionException naming the option, the typed value and the run's own
     */
    public RunSettings resumedWith(RunSettings given, Set<String> typed) {
        if (typed.contains("--train-file") && trainFile == null) {
            throw conflict("--train-file", given.trainFile, "data folder");
        }
        RunSettingsBuilder resumed = RunSettingsBuilder.builder(this);
        for (Setting<?> s : SETTINGS) s.resume(resumed, this, given, typed);
        return resumed.build();
    }

    private static InvalidOptionException conflict(String option, Object now, Object then) {
        return new InvalidOptionException(option + " " + now + " conflicts with the stopped run's " + then
                + ": --resume continues that run with its own options (drop " + option
                + ", or train a new model into another --output)");
    }

    /** What a resumed run may do with a setting. */
    enum Resume {
        /** What the run is: a typed value that differs is refused. */
        FIXED,
        /** Where things are now, or how often to checkpoint and log: taken from the command line when typed. */
        MOVABLE
    }

    /**
     * One setting's row: its option, its component ({@code value}, {@code set}), what a resume may do with it,
     * whether every worker must share it, and the name and value the model records (null: not recorded).
     */
    record Setting<T>(
            String option,
            Function<RunSettings, T> value,
            BiFunction<RunSettingsBuilder, T, RunSettingsBuilder> set,
            Resume resume,
            boolean sharedByWorkers,
            String recordedAs,
            Function<RunSettings, Object> recorded) {
        static <T> Setting<T> fixed(
                String option,
                Function<RunSettings, T> value,
                BiFunction<RunSettingsBuilder, T, RunSettingsBuilder> set) {
            return new Setting<>(option, value, set, Resume.FIXED, false, null, null);
        }

        static <T> Setting<T> movable(
                String option,
                Function<RunSettings, T> value,
                BiFunction<RunSettingsBuilder, T, RunSettingsBuilder> set) {
            return new Setting<>(option, value, set, Resume.MOVABLE, false, null, null);
        }

        /** This setting, which every worker of a data-parallel run must share. */
        Setting<T> shared() {
            return new Setting<>(option, value, set, resume, true, recordedAs, recorded);
        }

        /** This setting, recorded in the model as {@code name}: its value. */
        Setting<T> recorded(String name) {
            return recorded(name, s -> value.apply(s));
        }

        /** This setting, recorded in the model as {@code name}: what {@code how} gives (null: not recorded). */
        Setting<T> recorded(String name, Function<RunSettings, Object> how) {
            return new Setting<>(option, value, set, resume, sharedByWorkers, name, how);
        }

        void resume(RunSettingsBuilder resumed, RunSettings saved, RunSettings given, Set<String> typed) {
            if (!typed.contains(option)) return; // the saved value, already in the builder
            T then = value.apply(saved), now = value.apply(given);
            if (resume == Resume.MOVABLE) set.apply(resumed, now);
            else if (!Objects.equals(then, now)) throw conflict(option, now, then);
        }
    }

    /** Every setting, in the order of the components: the one table of what a resume, the workers and the model do. */
    static final List<Setting<?>> SETTINGS = List.of(
            Setting.fixed("--model", RunSettings::model, RunSettingsBuilder::model)
                    .shared(),
            Setting.fixed("--epochs", RunSettings::epochs, RunSettingsBuilder::epochs)
                    .shared()
                    .recorded("epochs"),
            Setting.fixed("--batch-size", RunSettings::batchSize, RunSettingsBuilder::batchSize)
                    .shared()
                    .recorded("batch_size"),
            Setting.fixed("--learning-rate", RunSettings::learningRate, RunSettingsBuilder::learningRate)
                    .shared()
                    .recorded("learning_rate"),
            Setting.fixed("--max-seq-len", RunSettings::maxSeqLen, RunSettingsBuilder::maxSeqLen)
                    .shared()
                    .recorded("max_seq_len"),
            Setting.fixed("--seed", RunSettings::seed, RunSettingsBuilder::seed)
                    .shared()
                    .recorded("seed"),
            Setting.fixed("--max-train-examples", RunSettings::maxTrainExamples, RunSettingsBuilder::maxTrainExamples),
            Setting.fixed("--precision", RunSettings::precision, RunSettingsBuilder::precision)
                    .shared()
                    .recorded("precision", s -> s.precision().name()),
            Setting.movable("--data-dir", RunSettings::dataDir, RunSettingsBuilder::dataDir),
            Setting.movable("--url", RunSettings::url, RunSettingsBuilder::url),
            Setting.movable("--model-mirror", RunSettings::modelMirror, RunSettingsBuilder::modelMirror),
            Setting.movable("--checkpoint-every", RunSettings::checkpointEvery, RunSettingsBuilder::checkpointEvery),
            Setting.movable("--train-file", RunSettings::trainFile, RunSettingsBuilder::trainFile),
            Setting.fixed("--format", RunSettings::format, RunSettingsBuilder::format),
            Setting.fixed("--text-column", RunSettings::textColumn, RunSettingsBuilder::textColumn),
            Setting.fixed("--label-column", RunSettings::labelColumn, RunSettingsBuilder::labelColumn),
            Setting.fixed("--output", RunSettings::output, RunSettingsBuilder::output),
            Setting.fixed("--save", RunSettings::save, RunSettingsBuilder::save)
                    .recorded("save", s -> s.save().name()),
            Setting.fixed("--monitor", RunSettings::monitor, RunSettingsBuilder::monitor)
                    .recorded("monitor", s -> s.monitor().name()),
            Setting.fixed("--patience", RunSettings::patience, RunSettingsBuilder::patience)
                    .recorded("patience", s -> s.patience() > 0 ? s.patience() : null),
            Setting.fixed("--min-delta", RunSettings::minDelta, RunSettingsBuilder::minDelta)
                    .recorded("min_delta", s -> s.patience() > 0 || s.save() == SaveMode.best ? s.minDelta() : null),
            Setting.fixed("--class-weight", RunSettings::classWeight, RunSettingsBuilder::classWeight)
                    .shared(),
            Setting.fixed("--validation-split", RunSettings::validationSplit, RunSettingsBuilder::validationSplit),
            Setting.movable("--validation-file", RunSettings::validationFile, RunSettingsBuilder::validationFile),
            Setting.movable("--validation-dir", RunSettings::validationDir, RunSettingsBuilder::validationDir),
            Setting.movable("--log-every", RunSettings::logEvery, RunSettingsBuilder::logEvery),
            Setting.fixed("--accumulate", RunSettings::accumulate, RunSettingsBuilder::accumulate)
                    .recorded("accumulate"),
            Setting.fixed("--truncation", RunSettings::truncation, RunSettingsBuilder::truncation)
                    .recorded("truncation", s -> s.truncation().id()),
            Setting.fixed("--multi-label", RunSettings::multiLabel, RunSettingsBuilder::multiLabel)
                    .recorded("multi_label", s -> s.multiLabel() ? true : null),
            Setting.fixed("--label-separator", RunSettings::labelSeparator, RunSettingsBuilder::labelSeparator)
                    .recorded("label_separator", s -> s.multiLabel() ? s.labelSeparator() : null),
            Setting.fixed("--threshold", RunSettings::threshold, RunSettingsBuilder::threshold)
                    .recorded("threshold", s -> s.multiLabel() ? s.threshold() : null),
            Setting.fixed("--warmup-ratio", RunSettings::warmupRatio, RunSettingsBuilder::warmupRatio)
                    .shared()
                    .recorded("warmup_ratio"),
            Setting.fixed("--weight-decay", RunSettings::weightDecay, RunSettingsBuilder::weightDecay)
                    .shared()
                    .recorded("weight_decay"),
            Setting.fixed("--schedule", RunSettings::schedule, RunSettingsBuilder::schedule)
                    .shared()
                    .recorded("schedule", s -> s.schedule().name()));
}
