package dev.bertclf.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.train.StepLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * {@code train.log} in a training run's output folder: every log line at INFO and above, with timestamps, as well
 * as on the console (where {@code -q} may hide them), for the duration of the run.
 *
 * <p>The model folder cannot hold the file while training: it is replaced atomically at each epoch's save (a fresh
 * folder is moved into place, see {@code SavedModelExporter}). So the log is written into the run's checkpoint
 * folder, {@code <output>.checkpoints/train.log}, which bert-clf owns (marked) and the run has locked, and
 * {@link #moveIntoOutput} moves it in as {@code <output>/train.log} once training has succeeded. A new run starts a
 * new file (a failed earlier run's log there is bert-clf's own and is replaced); {@code train --resume} goes on
 * writing the stopped run's. After a failure or an interruption it stays there, with the error and its stack trace
 * at the end. A file of the user's named {@code <output>.train.log} beside the output is never touched, and the
 * file is opened without following a symbolic link ({@code FileUtil#openChannel}). A log appender is added to
 * Logback's root logger programmatically; if SLF4J is bound to something other than Logback, there is no log file
 * and training goes on.
 */
final class TrainLog implements AutoCloseable {
    static final String FILE = "train.log";
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n%ex";

    private final Path output, file;
    private final OutputStreamAppender<ILoggingEvent> appender;
    private final Logger root, fileOnly, steps;
    private boolean moved;

    private TrainLog(
            Path output,
            Path file,
            OutputStreamAppender<ILoggingEvent> appender,
            Logger root,
            Logger fileOnly,
            Logger steps) {
        this.output = output;
        this.file = file;
        this.appender = appender;
        this.root = root;
        this.fileOnly = fileOnly;
        this.steps = steps;
    }

    /**
     * Starts logging to {@code file} (in the run's locked checkpoint folder) for the model folder {@code output}: a
     * new file for a new run, the stopped run's continued for a resumed one.
     */
    static TrainLog start(Path output, Path file, boolean resumed) throws IOException {
        Path out = output.toAbsolutePath().normalize();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return new TrainLog(out, file, null, null, null, null);
        }
        if (!resumed) Files.deleteIfExists(file);
        OutputStream stream = FileUtil.openAppend(file);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ThresholdFilter info = new ThresholdFilter();
        info.setLevel(Level.INFO.levelStr);
        info.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setName("train-log");
        appender.setEncoder(encoder);
        appender.setOutputStream(stream);
        appender.addFilter(info);
        appender.start();
        if (!appender.isStarted()) {
            stream.close();
            throw new IOException("cannot write the training log " + file);
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        // Lines for the file alone: the console already shows the same facts in its own way.
        Logger fileOnly = ctx.getLogger("bert-clf.train-log");
        fileOnly.setAdditive(false);
        fileOnly.setLevel(Level.INFO);
        fileOnly.addAppender(appender);
        // The every-N-steps lines too: on the console the progress bar shows the loss as it goes.
        Logger steps = ctx.getLogger(StepLog.class.getName());
        steps.setAdditive(false);
        steps.addAppender(appender);
        return new TrainLog(out, file, appender, root, fileOnly, steps);
    }

    /** Writes a line to the file only. */
    void note(String format, Object... args) {
        if (fileOnly != null) fileOnly.info(format, args);
    }

    /** Records a failure, with its stack trace, in the file only (the console gets the one-line error). */
    void failed(Throwable t) {
        if (fileOnly != null) fileOnly.error("Training failed: {}", String.valueOf(t.getMessage()), t);
    }

    /** Where the log is now: in the checkpoint folder until moved into the model folder. */
    Path location() {
        return moved ? output.resolve(FILE) : file;
    }

    /** Stops logging and moves the file into the finished model folder. */
    void moveIntoOutput() throws IOException {
        if (appender == null) return;
        detach();
        FileUtil.atomicMove(file, output.resolve(FILE));
        moved = true;
    }

    private void detach() {
        if (!appender.isStarted()) return;
        root.detachAppender(appender);
        fileOnly.detachAppender(appender);
        steps.detachAppender(appender);
        steps.setAdditive(true);
        appender.stop();
    }

    @Override
    public void close() {
        if (appender != null) detach();
    }
}
