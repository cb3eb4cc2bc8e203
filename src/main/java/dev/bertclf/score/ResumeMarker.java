package dev.bertclf.score;

import dev.bertclf.data.TableFormat;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How far a scoring run got, beside its partial output ({@code OUTPUT.part.json} beside {@code OUTPUT.part}),
 * rewritten atomically after every batch once the batch is flushed: the input rows done (scored or skipped), the
 * partial output's length then, and what the run is (model, input, format, text column, top classes, the scoring
 * rule, the model's content digest, and the SHA-256 of the input rows done), so that {@code --resume}
 * continues the same run or is refused: a resume with another {@code --long-text} or {@code --threshold}, a model
 * trained again into the same folder, or an input edited in its part already read once mixed two kinds of rows
 * with exit 0. Bytes written after the last marker (a batch a crash cut short) are cut off on resume, so no row is
 * ever written twice or half.
 *
 * @param rows input rows done, bad ones included
 * @param line the line the last of them started on
 * @param outputBytes the partial output's length when they were done
 * @param skippedLines the first {@link FileScorer#LINES_SHOWN} skipped rows' lines
 * @param scoring the scoring rule a row's prediction depends on ({@link FileScorer#scoringOf})
 * @param modelDigest the SHA-256 of the files the model is loaded from ({@link ModelDigest})
 * @param inputDigest the SHA-256 of the input rows done (their lines and values), which a resume reads again
 */
record ResumeMarker(
        int version,
        Path model,
        Path input,
        TableFormat format,
        String textColumn,
        int top,
        long rows,
        long line,
        long outputBytes,
        long scored,
        long skipped,
        List<Long> skippedLines,
        String scoring,
        String modelDigest,
        String inputDigest) {
    /** 3: the label_probability column was added, and a binary model's threshold joined the scoring rule. */
    private static final int VERSION = 3;

    static Path partOf(Path output) {
        return output.resolveSibling(output.getFileName() + ".part");
    }

    static Path of(Path output) {
        return output.resolveSibling(output.getFileName() + ".part.json");
    }

    /** A new run's marker, for comparing its options before the model is loaded. */
    static ResumeMarker start(FileScorer.Job job, TableFormat format) {
        return start(job, format, null, null);
    }

    /**
     * A new run's marker: nothing done yet, scoring with {@code scoring} a model whose files have
     * {@code modelDigest}.
     */
    static ResumeMarker start(FileScorer.Job job, TableFormat format, String scoring, String modelDigest) {
        return new ResumeMarker(
                VERSION,
                absolute(job.model()),
                absolute(job.input()),
                format,
                job.textColumn(),
                job.top(),
                0,
                0,
                0,
                0,
                0,
                List.of(),
                scoring,
                modelDigest,
                ModelDigest.sofar(ModelDigest.sha256())); // of no rows
    }

    /**
     * Refuses to continue this (interrupted) run with another scoring rule or another model's content: checked once
     * the model is loaded, under the output's lock.
     *
     * @throws InvalidOptionException for another scoring rule; {@link DataException} for a model changed since
     */
    void requireSameModel(ResumeMarker run, Path file) {
        same("the scoring rule (--long-text, --stride, --max-windows, --threshold):", scoring, run.scoring, file);
        if (!Objects.equals(modelDigest, run.modelDigest)) {
            throw new DataException("the model in " + model + " changed since the interrupted run (its files' "
                    + "SHA-256 differs): its rows and the new model's would be mixed; score again from the start "
                    + "(delete " + file + " and the .part file beside it), or resume with the model it had");
        }
    }

    static ResumeMarker read(Path file) {
        ResumeMarker m;
        try {
            m = Json.COMPACT.fromJson(BoundedFiles.readString(file, BoundedFiles.SMALL), ResumeMarker.class);
        } catch (IOException | RuntimeException e) {
            throw new DataException("cannot read " + file + " (" + e.getMessage() + "); delete it and "
                    + file.resolveSibling(file.getFileName().toString().replace(".part.json", ".part"))
                    + " to start over");
        }
        if (m == null
                || m.version != VERSION
                || m.model == null
                || m.input == null
                || m.skippedLines == null
                || m.modelDigest == null
                || m.inputDigest == null
                || m.rows < 0
                || m.outputBytes < 0) {
            throw new DataException(file + " is not a resume marker this bert-clf wrote (or one of an earlier version, "
                    + "which cannot be checked); delete it and the .part file beside it to start over");
        }
        return m;
    }

    void write(Path file) throws IOException {
        FileUtil.writeStringAtomic(file, Json.PRETTY.toJson(this) + "\n");
    }

    /**
     * Refuses a {@code --resume} whose options name another run than this marker's.
     *
     * @throws InvalidOptionException naming the first option that differs
     */
    void requireSame(ResumeMarker run, Path file) {
        same("--model-dir", model, run.model, file);
        same("--input", input, run.input, file);
        same("--format", format, run.format, file);
        same("--text-column", textColumn, run.textColumn, file);
        same("--top", top, run.top, file);
    }

    private static void same(String option, Object stopped, Object now, Path file) {
        if (!Objects.equals(stopped, now)) {
            throw new InvalidOptionException(option + " " + now + " conflicts with the interrupted run's " + stopped
                    + " (" + file + "); resume with the same options, or delete " + file + " and the .part file "
                    + "beside it to start over");
        }
    }

    /**
     * This marker after {@code rows} more input rows, of which the lines in {@code skippedNow} were skipped, with
     * {@code inputDigest} the SHA-256 of all the rows done by then.
     */
    ResumeMarker after(long rows, long line, long outputBytes, long scored, List<Long> skippedNow, String inputDigest) {
        List<Long> lines = new ArrayList<>(skippedLines);
        for (long l : skippedNow) if (lines.size() < FileScorer.LINES_SHOWN) lines.add(l);
        return new ResumeMarker(
                version,
                model,
                input,
                format,
                textColumn,
                top,
                this.rows + rows,
                line,
                outputBytes,
                this.scored + scored,
                skipped + skippedNow.size(),
                List.copyOf(lines),
                scoring,
                modelDigest,
                inputDigest);
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
