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
 * partial output's length then, and what the run is (model, input, format, text column, top classes), so that
 * {@code --resume} continues the same run or is refused. Bytes written after the last marker (a batch a crash
 * cut short) are cut off on resume, so no row is ever written twice or half.
 *
 * @param rows input rows done, bad ones included
 * @param line the line the last of them started on
 * @param outputBytes the partial output's length when they were done
 * @param skippedLines the first {@link FileScorer#LINES_SHOWN} skipped rows' lines
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
        List<Long> skippedLines) {
    private static final int VERSION = 1;

    static Path partOf(Path output) {
        return output.resolveSibling(output.getFileName() + ".part");
    }

    static Path of(Path output) {
        return output.resolveSibling(output.getFileName() + ".part.json");
    }

    /** A new run's marker: nothing done yet. */
    static ResumeMarker start(FileScorer.Job job, TableFormat format) {
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
                List.of());
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
        if (m == null || m.version != VERSION || m.model == null || m.input == null || m.skippedLines == null) {
            throw new DataException(file + " is not a resume marker this bert-clf wrote; delete it and the .part "
                    + "file beside it to start over");
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

    /** This marker after {@code rows} more input rows, of which the lines in {@code skippedNow} were skipped. */
    ResumeMarker after(long rows, long line, long outputBytes, long scored, List<Long> skippedNow) {
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
                List.copyOf(lines));
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
