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
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything a {@code train} run is asked to do, in one typed record, as nanoGPT keeps one {@code config} and
 * run_glue.py one {@code TrainingArguments}: the command fills it from its options, {@link FineTuneRun} consumes it,
 * every checkpoint saves it ({@code state.json}) and the exported model's {@code metadata.json} records its
 * {@link #hyperparameters}. {@link #resumedWith} is the one rule for what a resumed run may take from the command
 * line. A new option is a component here, a line in that rule and, if the model should record it, a key in
 * {@link #hyperparameters}.
 *
 * <p>Components are named as their options ({@code batchSize} is {@code --batch-size}). {@code trainFile} is null
 * for a run on the data folder; {@code format} (null: by the extension), {@code textColumn} and {@code labelColumn}
 * only matter with one; so do {@code multiLabel} (labels are sets of classes, see {@link TableFile}) and its
 * {@code labelSeparator}. {@code threshold} is where a multi-label class is predicted, for the validation micro-F1
 * and in the exported model; it is fixed under {@code --resume} so that every epoch's val_f1 compares.
 * {@code output} is null in checkpoints written before it was saved (the checkpoint's place says it). The JSON
 * names of older checkpoints are read as well.
 */
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
        Double threshold) {
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
        hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed, accumulate);
        if (maxTrainExamples < 0) {
            throw new InvalidOptionException("--max-train-examples must be 0 or more, got " + maxTrainExamples);
        }
        if (checkpointEvery < 0) {
            throw new InvalidOptionException("--checkpoint-every must be 0 or more, got " + checkpointEvery);
        }
        if (logEvery == null) logEvery = StepLog.DEFAULT_EVERY; // checkpoints written before --log-every existed
        if (logEvery < 0) throw new InvalidOptionException("--log-every must be 0 (off) or more, got " + logEvery);
    }

    private static Hyperparameters hyperparameters(
            int epochs, int batchSize, double learningRate, int maxSeqLen, long seed, int accumulate) {
        return new Hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed, accumulate);
    }

    public Hyperparameters hp() {
        return hyperparameters(epochs, batchSize, learningRate, maxSeqLen, seed, accumulate);
    }

    /** These settings with the output where the run's checkpoints are now (a run folder may have been moved). */
    public RunSettings movedTo(Path output) {
        return new RunSettings(
                model,
                epochs,
                batchSize,
                learningRate,
                maxSeqLen,
                seed,
                maxTrainExamples,
                precision,
                dataDir,
                url,
                modelMirror,
                checkpointEvery,
                trainFile,
                format,
                textColumn,
                labelColumn,
                output,
                save,
                monitor,
                patience,
                minDelta,
                classWeight,
                validationSplit,
                validationFile,
                validationDir,
                logEvery,
                accumulate,
                truncation,
                multiLabel,
                labelSeparator,
                threshold);
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
        m.put("--model", model);
        m.put("--epochs", String.valueOf(epochs));
        m.put("--batch-size", String.valueOf(batchSize));
        m.put("--learning-rate", String.valueOf(learningRate));
        m.put("--max-seq-len", String.valueOf(maxSeqLen));
        m.put("--seed", String.valueOf(seed));
        m.put("--precision", precision.name());
        m.put("--class-weight", String.valueOf(classWeight));
        return m;
    }

    /** What {@code metadata.json} records of how the model was trained, under the names Keras users know. */
    public Map<String, Object> hyperparameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("accumulate", accumulate);
        m.put("learning_rate", learningRate);
        m.put("max_seq_len", maxSeqLen);
        m.put("seed", seed);
        m.put("truncation", truncation.id());
        m.put("optimizer", "adamw");
        m.put("precision", precision.name());
        m.put("save", save.name());
        m.put("monitor", monitor.name());
        if (patience > 0) m.put("patience", patience);
        if (patience > 0 || save == SaveMode.best) m.put("min_delta", minDelta);
        if (multiLabel) {
            m.put("multi_label", true);
            m.put("label_separator", labelSeparator);
            m.put("threshold", threshold);
        }
        return m;
    }

    /**
     * The run this stopped run's settings go on as, given the settings the command line {@code given} and the
     * options the user {@code typed}. What the run is (model, hyperparameters, {@code --accumulate} with them since
     * it sets the effective batch and so the steps and the schedule, subset, precision, the kind of data
     * source, its format and columns, the output) may not change: a typed value that differs is refused. Where
     * things are now (the data folder or the moved training file, the dataset URL, the model mirror) and how often
     * to checkpoint and log are taken from the command line when typed. The data itself is checked later, against the
     * fingerprint the checkpoint recorded.
     *
     * @throws InvalidOptionException naming the option, the typed value and the run's own
     */
    public RunSettings resumedWith(RunSettings given, Set<String> typed) {
        Resume r = new Resume(this, given, typed);
        if (typed.contains("--train-file") && trainFile == null) {
            throw r.conflict("--train-file", given.trainFile, "data folder");
        }
        return new RunSettings(
                r.fixed("--model", RunSettings::model),
                r.fixed("--epochs", RunSettings::epochs),
                r.fixed("--batch-size", RunSettings::batchSize),
                r.fixed("--learning-rate", RunSettings::learningRate),
                r.fixed("--max-seq-len", RunSettings::maxSeqLen),
                r.fixed("--seed", RunSettings::seed),
                r.fixed("--max-train-examples", RunSettings::maxTrainExamples),
                r.fixed("--precision", RunSettings::precision),
                r.movable("--data-dir", RunSettings::dataDir),
                r.movable("--url", RunSettings::url),
                r.movable("--model-mirror", RunSettings::modelMirror),
                r.movable("--checkpoint-every", RunSettings::checkpointEvery),
                r.movable("--train-file", RunSettings::trainFile),
                r.fixed("--format", RunSettings::format),
                r.fixed("--text-column", RunSettings::textColumn),
                r.fixed("--label-column", RunSettings::labelColumn),
                r.fixed("--output", RunSettings::output),
                r.fixed("--save", RunSettings::save),
                r.fixed("--monitor", RunSettings::monitor),
                r.fixed("--patience", RunSettings::patience),
                r.fixed("--min-delta", RunSettings::minDelta),
                r.fixed("--class-weight", RunSettings::classWeight),
                r.fixed("--validation-split", RunSettings::validationSplit),
                r.movable("--validation-file", RunSettings::validationFile),
                r.movable("--validation-dir", RunSettings::validationDir),
                r.movable("--log-every", RunSettings::logEvery),
                r.fixed("--accumulate", RunSettings::accumulate),
                r.fixed("--truncation", RunSettings::truncation),
                r.fixed("--multi-label", RunSettings::multiLabel),
                r.fixed("--label-separator", RunSettings::labelSeparator),
                r.fixed("--threshold", RunSettings::threshold));
    }

    /** One resumed run's comparison of the saved settings with the command line's. */
    private record Resume(RunSettings saved, RunSettings given, Set<String> typed) {
        <T> T fixed(String option, Function<RunSettings, T> value) {
            T then = value.apply(saved), now = value.apply(given);
            if (typed.contains(option) && !Objects.equals(then, now)) throw conflict(option, now, then);
            return then;
        }

        <T> T movable(String option, Function<RunSettings, T> value) {
            return value.apply(typed.contains(option) ? given : saved);
        }

        InvalidOptionException conflict(String option, Object now, Object then) {
            return new InvalidOptionException(option + " " + now + " conflicts with the stopped run's " + then
                    + ": --resume continues that run with its own options (drop " + option
                    + ", or train a new model into another --output)");
        }
    }
}
