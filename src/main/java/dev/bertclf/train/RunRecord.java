package dev.bertclf.train;

import dev.bertclf.data.DataDigest;
import dev.bertclf.data.DatasetFolder;
import dev.bertclf.data.LabeledTexts;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Credentials;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Platform;
import dev.bertclf.runtime.Precision;
import dev.bertclf.runtime.Version;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run.json}, beside the model: what it takes to reproduce the run months later, when the shell history, the
 * data folder and the machine have moved on. The model's {@code metadata.json} and card say what the model is; this
 * says how it came to be: the build (version and git commit), the command line as typed, every effective setting
 * ({@link RunSettings}, defaults and config-file values included), the SHA-256 of the data ({@link DataDigest}), the
 * platform ({@link Platform}), how it trained (device, precision, fused kernels, workers, the checkpoint a resumed
 * run continued from), when, and how it ended. Written atomically after every epoch ({@code finished} false) and
 * once more when the run ends, by the chief alone. Credentials in a URL ({@code https://user:token@host}) and its
 * query (a presigned URL's signature) are replaced by {@code ***}: the file is meant to be shared with the model.
 *
 * @param schema the layout's version, {@link #SCHEMA}; a field added keeps it, a field changed or dropped raises it
 * @param command the arguments after {@code bert-clf}, as typed
 */
public record RunRecord(
        int schema,
        Version.Build build,
        List<String> command,
        RunSettings settings,
        List<DataDigest.Entry> data,
        Platform platform,
        Training training,
        Time time,
        Result result) {
    public static final String FILE = "run.json";
    public static final int SCHEMA = 1;

    /**
     * How the run trained: {@code device} "cpu" or "gpu"; {@code workers} 1 unless data-parallel;
     * {@code resumedFrom} the checkpoint this process continued from (null: a fresh start).
     */
    public record Training(
            String device,
            Precision precision,
            boolean fusedKernels,
            int workers,
            Resumed resumedFrom,
            List<String> classNames) {}

    /** The checkpoint a resumed run continued from, and its step. */
    public record Resumed(Path checkpoint, long step, long totalSteps) {}

    /** This process's wall time: started, last written (ISO-8601, UTC) and the seconds between. */
    public record Time(String started, String ended, double seconds) {}

    /**
     * How far the run got: {@code finished} (all epochs, or stopped early by {@code --patience}), the epochs
     * completed, the epoch whose model the folder holds and the last one.
     */
    public record Result(boolean finished, int epochsCompleted, EpochMetrics kept, EpochMetrics last) {}

    /**
     * The record of a run that started at {@code started}, with nothing yet of how it ends: the data's digests are
     * computed here, once, before the first step.
     */
    static RunRecord start(
            Instant started,
            List<String> command,
            RunSettings settings,
            boolean gpu,
            boolean fusedKernels,
            int workers,
            TrainingCheckpoints.Saved resumedFrom,
            List<String> classNames) {
        Resumed resumed = resumedFrom == null
                ? null
                : new Resumed(
                        resumedFrom.folder(),
                        resumedFrom.state().progress().step(),
                        resumedFrom.state().totalSteps());
        return new RunRecord(
                SCHEMA,
                Version.build(),
                command.stream().map(Credentials::redact).toList(),
                redact(settings),
                digests(settings),
                Platform.current(),
                new Training(gpu ? "gpu" : "cpu", settings.precision(), fusedKernels, workers, resumed, classNames),
                new Time(started.toString(), started.toString(), 0),
                new Result(false, 0, null, null));
    }

    /** This record after {@code history}, the folder holding epoch {@code kept}'s model. */
    RunRecord after(List<EpochMetrics> history, EpochMetrics kept, boolean finished) {
        Instant started = Instant.parse(time.started()), now = Instant.now();
        Time t = new Time(
                time.started(), now.toString(), Duration.between(started, now).toMillis() / 1000.0);
        EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
        return new RunRecord(
                schema,
                build,
                command,
                settings,
                data,
                platform,
                training,
                t,
                new Result(finished, last == null ? 0 : last.epoch(), kept, last));
    }

    /**
     * Writes this record as {@code folder/run.json}, atomically (no temp file is left behind on failure).
     *
     * @throws IOException naming run.json and why, not the temp file's name
     */
    void write(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        try {
            FileUtil.writeStringAtomic(file, Json.PRETTY.toJson(this) + "\n");
        } catch (IOException e) {
            throw new IOException("cannot write the run record " + file + ": " + FileErrors.reason(e), e);
        }
    }

    /**
     * The validation set of the run recorded in {@code modelDir}, drawn again from its settings (the same seeded
     * split, held-out file or folder, and subset as {@code train}'s, through {@link TrainingData}), after checking
     * that the data still has the digests the run recorded: a changed folder would give another split, and so
     * examples the model was trained on. {@code movedDataDir}, when not null, is where the run's data folder is now
     * (copied to another machine): the digest decides whether it is the same data.
     *
     * @throws DataException when the folder has no readable run.json, or the data is gone or changed
     */
    public static LabeledTexts validationSet(Path modelDir, Path movedDataDir) {
        RunRecord run = read(modelDir);
        RunSettings settings = run.settings();
        if (movedDataDir != null) {
            if (settings.trainFile() != null) {
                throw new DataException("the model in " + modelDir + " was trained on a --train-file ("
                        + settings.trainFile() + "), not a data folder: --data-dir cannot say where it is now");
            }
            // the forms a data folder is read in without a download (DatasetFolder)
            if (!Files.isDirectory(movedDataDir.resolve("aclImdb/train"))
                    && !Files.isDirectory(movedDataDir.resolve("train"))) {
                throw new DataException(movedDataDir + " holds neither aclImdb/train/ nor train/: not the data the "
                        + "model in " + modelDir + " was trained on");
            }
            settings = settings.withDataDir(movedDataDir);
        }
        for (DataDigest.Entry then : run.data()) {
            if (movedDataDir != null && then.role().equals("training")) continue; // checked above, digested below
            if (then.path() == null || !Files.exists(then.path())) { // checked first: nothing is downloaded instead
                throw new DataException("the " + then.role() + " data the model in " + modelDir + " was trained on ("
                        + then.path() + ") is not there: its validation split cannot be drawn again; give --data-dir "
                        + "where a copy of the data folder is now, or evaluate on a --test-file of held-out examples");
            }
        }
        for (DataDigest.Entry now : digests(settings)) {
            DataDigest.Entry then = run.data().stream()
                    .filter(e -> e.role().equals(now.role()))
                    .findFirst()
                    .orElse(null);
            if (then == null || !now.sha256().equals(then.sha256())) {
                throw new DataException("the " + now.role() + " data in " + now.path() + " is not what the model in "
                        + modelDir + " was trained on (SHA-256 " + (then == null ? "not recorded" : then.sha256())
                        + " then, " + now.sha256() + " now): its validation split cannot be drawn again; evaluate "
                        + "on a --test-file of held-out examples instead");
            }
        }
        return TrainingData.of(settings, line -> {}).validationSet();
    }

    /** {@code modelDir}'s run.json. */
    static RunRecord read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new DataException(modelDir + " has no " + FILE + " (a model trained before bert-clf recorded its "
                    + "runs, or not by train): without it the validation split cannot be drawn again; evaluate on a "
                    + "--test-file of held-out examples instead");
        }
        RunRecord run;
        try {
            run = Json.PRETTY.fromJson(BoundedFiles.readString(file, BoundedFiles.SMALL * 16), RunRecord.class);
        } catch (IOException | RuntimeException e) {
            throw new DataException("cannot read " + file + ": " + Json.whyMalformed(e), e);
        }
        if (run == null || run.settings() == null || run.data() == null) {
            throw new DataException(file + " is not a run record (no settings or data)");
        }
        if (run.schema() > SCHEMA) {
            throw new DataException(file + " has layout " + run.schema() + "; this bert-clf reads layouts up to "
                    + SCHEMA + ": update bert-clf");
        }
        return run;
    }

    /** The digests of what the run reads: the training file or folder, and a validation file or folder given apart. */
    static List<DataDigest.Entry> digests(RunSettings s) {
        List<DataDigest.Entry> d = new ArrayList<>();
        d.add(
                s.trainFile() != null
                        ? DataDigest.file("training", s.trainFile())
                        : DataDigest.folder("training", DatasetFolder.resolve(s.dataDir(), s.url(), "train")));
        if (s.validationFile() != null) d.add(DataDigest.file("validation", s.validationFile()));
        if (s.validationDir() != null) d.add(DataDigest.folder("validation", s.validationDir()));
        return d;
    }

    private static RunSettings redact(RunSettings s) {
        return s.withUrl(
                        s.url() == null
                                ? null
                                : URI.create(Credentials.redact(s.url().toString())))
                .withModelMirror(Credentials.redact(s.modelMirror()));
    }
}
