package dev.bertclf.score;

import dev.bertclf.data.TableFormat;
import dev.bertclf.data.TableReader;
import dev.bertclf.data.TableRow;
import dev.bertclf.infer.LongText;
import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.PredictionColumns;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.ProgressBar;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a table file into another: reads {@link Job#rowsPerChunk} rows, classifies them ({@link TextClassifier}
 * sorts them by length and runs {@code batchSize} at a time), writes them with the prediction columns, flushes,
 * records the progress in the {@link ResumeMarker}, and repeats; memory holds one chunk, never the file. The output
 * is written as {@code OUTPUT.part} and renamed when complete. A bad row stops the run ({@link OnError#fail}, the
 * rows before it written, so that the run can be resumed once the row is fixed) or is counted and left out.
 */
public final class FileScorer {
    private static final Logger log = LoggerFactory.getLogger(FileScorer.class);

    /**
     * The most characters a chunk holds before it is scored and written: rows of 16 Mi characters (a field's bound)
     * once made a chunk of 256 rows several GB. A longer row is still a chunk of its own.
     */
    static final long CHUNK_CHARS = 32L << 20;

    /** The skipped rows' lines kept for the summary. */
    public static final int LINES_SHOWN = 10;

    /**
     * What to score and how.
     *
     * @param format the input's format, or null to go by its extension
     * @param top the most classes in a multi-class model's top column
     */
    public record Job(
            Path model,
            Path input,
            Path output,
            TableFormat format,
            String textColumn,
            int batchSize,
            OnError onError,
            int top,
            boolean resume) {
        /** Rows read, scored and written at a time: enough batches for sorting by length to save padding. */
        int rowsPerChunk() {
            return Math.max(256, 8 * batchSize);
        }
    }

    /**
     * What a run did, counting the rows of the interrupted runs it continued.
     *
     * @param skippedLines the first {@link #LINES_SHOWN} skipped rows' lines
     * @param rate rows scored per second in this run
     */
    public record Summary(long scored, long skipped, List<Long> skippedLines, double rate, Path output) {}

    private FileScorer() {}

    /**
     * The input's format, once the options are known to be possible: checked before the model is loaded.
     *
     * @throws InvalidOptionException for an output that exists or is the input, an output extension naming
     *     another format, a {@code --resume} with nothing to resume or other options, or a new run where an
     *     interrupted one left its partial output
     */
    public static TableFormat check(Job job) {
        TableFormat format = TableFormat.of(job.input(), job.format());
        Path output = job.output();
        if (Files.exists(job.input()) && Files.exists(output) && isSameFile(job.input(), output)
                || job.input()
                        .toAbsolutePath()
                        .normalize()
                        .equals(output.toAbsolutePath().normalize())) {
            throw new InvalidOptionException("--output " + output + " is the input: name another file");
        }
        if (Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidOptionException("--output " + output + " exists: bert-clf never overwrites a file; "
                    + "remove it or name another one");
        }
        TableFormat named = formatNamedBy(output);
        if (named != null && named != format) {
            throw new InvalidOptionException("--output " + output + " names " + named + " but the input is " + format
                    + ": the output is written in the input's format; name it ."
                    + format.name().toLowerCase()
                    + " (or convert the input)");
        }
        Path part = ResumeMarker.partOf(output), marker = ResumeMarker.of(output);
        if (job.resume()) {
            if (!Files.isRegularFile(marker) || !Files.isRegularFile(part)) {
                throw new InvalidOptionException("--resume: no interrupted run to continue (" + marker + " and " + part
                        + " are not both there); run without --resume");
            }
            ResumeMarker.read(marker).requireSame(ResumeMarker.start(job, format), marker);
        } else if (Files.exists(part, LinkOption.NOFOLLOW_LINKS) || Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)) {
                try (OutputLock free = lockExisting(part, job)) {
                    // not busy: a stopped run's
                } catch (IOException e) {
                    throw DataException.cannotWrite(part, e);
                }
            }
            throw leftover(job);
        }
        return format;
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static TableFormat formatNamedBy(Path output) {
        try {
            return TableFormat.of(output, null);
        } catch (DataException e) {
            return null; // an extension that names no format: the output is written in the input's
        }
    }

    /**
     * Scores {@code job} with {@code clf}; {@link #check} must have passed. The partial output is locked
     * ({@link OutputLock#onFile}) before anything is read or written, and stays locked through the rename that
     * completes it: a second run on the same output, {@code --resume} included, stops at once instead of writing
     * the same rows again.
     */
    public static Summary score(Job job, TextClassifier clf) throws IOException {
        TableFormat format = check(job);
        Path input = job.input(), part = ResumeMarker.partOf(job.output()), markerFile = ResumeMarker.of(job.output());
        TableReader.requireFile(input); // before anything is written
        if (format == TableFormat.TSV) {
            for (String name : clf.metadata().classNames()) {
                if (name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
                    throw new DataException("the model's class '" + name + "' holds a tab or a line break, which a "
                            + "TSV row cannot hold: score a .csv or .jsonl input instead");
                }
            }
        }
        try (OutputLock lock = lockPart(part, job)) {
            // Read under the lock: the marker is the one the run that held the lock last wrote.
            ResumeMarker marker = ResumeMarker.start(job, format, scoringOf(clf), ModelDigest.of(job.model()));
            if (job.resume()) {
                ResumeMarker saved = ResumeMarker.read(markerFile);
                saved.requireSame(marker, markerFile);
                saved.requireSameModel(marker, markerFile);
                marker = saved;
            }
            Summary summary = score(job, clf, format, marker, lock.channel());
            FileUtil.atomicMove(part, job.output());
            Files.delete(markerFile);
            return summary;
        }
    }

    /** The scoring rule a row's prediction depends on besides the model: how long texts are read, the threshold. */
    static String scoringOf(TextClassifier clf) {
        LongText l = clf.longText();
        return "long-text " + l.mode() + ", stride " + l.stride() + ", max-windows " + l.maxWindows()
                + (clf.metadata().hasThreshold() ? ", threshold " + clf.threshold() : "");
    }

    /** {@code row}, or a bad row if its text is empty or only whitespace: there is nothing to score. */
    private static TableRow scorable(Path file, TableRow row, String column) {
        if (row == null || row.problem() != null || !row.text().isBlank()) return row;
        return TableRow.bad(
                row.line(),
                null,
                TableRow.error(
                        file,
                        row.line(),
                        (row.text().isEmpty() ? "empty text" : "only whitespace") + " in column '" + column
                                + "': there is nothing to classify"));
    }

    /** A row's characters: its fields' (a JSON Lines row: its text's), what it holds in memory until written. */
    private static long size(TableRow row) {
        if (row.values() instanceof List<?> fields) {
            long n = 0;
            for (Object f : fields) n += String.valueOf(f).length();
            return n;
        }
        return row.text().length();
    }

    /** Feeds a row done (scored or skipped) to the digest of the rows done: its line, its values. */
    private static void update(MessageDigest digest, TableRow row) {
        digest.update((row.line() + "\u0000" + row.values() + "\u0000").getBytes(StandardCharsets.UTF_8));
    }

    private static Summary score(Job job, TextClassifier clf, TableFormat format, ResumeMarker marker, FileChannel c)
            throws IOException {
        Path input = job.input(), part = ResumeMarker.partOf(job.output()), markerFile = ResumeMarker.of(job.output());
        int classes = clf.metadata().classNames().size();
        long scoredBefore = marker.scored();
        MessageDigest digest = ModelDigest.sha256(); // of the rows done, which a resume reads again
        try (ProgressBar bar = new ProgressBar(
                        "Scoring " + input.getFileName(), Files.size(input), 0, ProgressBar.Unit.BYTES);
                TableReader reader = TableReader.open(input, format, job.textColumn(), null, false, bar::step)) {
            PredictionColumns added = PredictionColumns.forInput(
                    reader.columns(), classes, clf.metadata().isMultiLabel());
            skipDone(reader, marker, job, digest);
            cutToMarker(c, part, marker);
            marker.write(markerFile);
            try (Writer w = new BufferedWriter(new OutputStreamWriter(keepOpen(c), StandardCharsets.UTF_8), 1 << 16);
                    TableWriter out = format == TableFormat.JSONL
                            ? new JsonLinesTableWriter(w, added)
                            : new DelimitedTableWriter(w, format, reader.columns(), added)) {
                if (marker.outputBytes() == 0) out.writeHeader();
                boolean more = true;
                while (more) {
                    List<TableRow> rows = new ArrayList<>();
                    List<Long> skipped = new ArrayList<>();
                    DataException stop = null;
                    long done = 0, line = marker.line(), chars = 0;
                    while (rows.size() < job.rowsPerChunk() && chars < CHUNK_CHARS) {
                        TableRow row = scorable(input, reader.next(), job.textColumn());
                        if (row == null) {
                            more = false;
                            break;
                        }
                        DataException problem = row.problem() != null ? row.problem() : out.conflict(input, row);
                        if (problem != null && job.onError() == OnError.fail) {
                            stop = problem;
                            more = false;
                            break;
                        }
                        done++;
                        line = row.line();
                        update(digest, row);
                        if (problem != null) {
                            log.warn("skipped: {}", problem.getMessage());
                            skipped.add(row.line());
                        } else {
                            rows.add(row);
                            chars += size(row);
                        }
                    }
                    List<Prediction> predictions = rows.isEmpty()
                            ? List.of()
                            : clf.predict(rows.stream().map(TableRow::text).toList(), job.batchSize());
                    for (int i = 0; i < rows.size(); i++)
                        out.write(rows.get(i), predictions.get(i).withTop(job.top()));
                    out.flush();
                    marker = marker.after(done, line, c.size(), rows.size(), skipped, ModelDigest.sofar(digest));
                    marker.write(markerFile);
                    bar.setExtra(marker.scored() + " rows");
                    if (stop != null) {
                        throw new DataException(
                                stop.getMessage() + " (the " + marker.rows() + " rows before it are " + "in " + part
                                        + ": fix the row and continue with --resume, or pass --on-error skip)",
                                stop);
                    }
                }
            }
            double seconds = bar.elapsedSeconds();
            return new Summary(
                    marker.scored(),
                    marker.skipped(),
                    marker.skippedLines(),
                    seconds > 0 ? (marker.scored() - scoredBefore) / seconds : 0,
                    job.output());
        }
    }

    /**
     * Opens and locks the partial output: a new run creates it ({@code O_EXCL}: a file, or a link, already there
     * is refused), {@code --resume} opens the interrupted run's.
     */
    private static OutputLock lockPart(Path part, Job job) throws IOException {
        FileChannel c;
        try {
            c = job.resume()
                    ? FileUtil.openChannel(part, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileUtil.openChannel(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new InvalidOptionException(
                    "--resume: " + part + " is gone (the run finished, or it was deleted); " + "run without --resume");
        } catch (FileAlreadyExistsException e) {
            // Another new run created it a moment ago (and holds it), or one that stopped left it.
            try (OutputLock free = lockExisting(part, job)) {
                throw leftover(job);
            }
        }
        return OutputLock.onFile(c, part, busyMessage(job));
    }

    /** Locks an existing partial output, only to learn that no run holds it. */
    private static OutputLock lockExisting(Path part, Job job) throws IOException {
        return OutputLock.onFile(FileUtil.openChannel(part, StandardOpenOption.WRITE), part, busyMessage(job));
    }

    private static String busyMessage(Job job) {
        return "another 'bert-clf predict --input' is writing " + job.output() + " (it holds "
                + ResumeMarker.partOf(job.output()) + "): wait for it to finish; it needs no --resume";
    }

    private static InvalidOptionException leftover(Job job) {
        return new InvalidOptionException(ResumeMarker.partOf(job.output()) + " exists, left by an interrupted run: "
                + "continue it with --resume, or delete it and " + ResumeMarker.of(job.output()) + " to start over");
    }

    /** The locked channel as a stream its writers may close: closing flushes, the channel stays open and locked. */
    private static OutputStream keepOpen(FileChannel c) {
        return new FilterOutputStream(Channels.newOutputStream(c)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** Reads past the rows an interrupted run did (its marker's), checking that the input still has them. */
    private static void skipDone(TableReader reader, ResumeMarker marker, Job job, MessageDigest digest)
            throws IOException {
        Path input = job.input();
        for (long i = 0; i < marker.rows(); i++) {
            TableRow row = scorable(input, reader.next(), job.textColumn());
            if (row == null) {
                throw new DataException(input + " has fewer rows than the " + marker.rows() + " the interrupted run "
                        + "did: was it replaced? Delete the .part and .part.json files to start over");
            }
            update(digest, row);
        }
        if (!ModelDigest.sofar(digest).equals(marker.inputDigest())) {
            throw new DataException(input + " changed since the interrupted run in the " + marker.rows() + " rows it "
                    + "had done (their SHA-256 differs): the rows already scored would not be this file's; score it "
                    + "again from the start (delete the .part and .part.json files)");
        }
        if (marker.rows() > 0) log.info("Resuming after row {} (line {}) of {}", marker.rows(), marker.line(), input);
    }

    /** Cuts an interrupted run's partial output back to its last complete batch (a crash may have left more). */
    private static void cutToMarker(FileChannel c, Path part, ResumeMarker marker) throws IOException {
        if (c.size() < marker.outputBytes()) {
            throw new DataException(part + " is shorter than its marker says (" + c.size() + " < "
                    + marker.outputBytes() + " bytes): it was changed since; delete it and " + part + ".json to "
                    + "start over");
        }
        c.truncate(marker.outputBytes());
        c.position(marker.outputBytes());
    }
}
