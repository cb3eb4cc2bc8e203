package dev.bertclf.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.bertclf.train.StepLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.LoggerFactory;

/**
 * {@code train.log} in a training run's output folder: every log line at INFO and above, with timestamps, as well
 * as on the console (where {@code -q} may hide them), for the duration of the run.
 *
 * <p>The model folder cannot hold the file while training: it is replaced atomically at each epoch's save (a fresh
 * folder is moved into place, see {@code SavedModelExporter}), and the first save refuses to replace a folder that
 * is not yet a model. So the log is written beside it, to {@code <output>.train.log}, and {@link #moveIntoOutput}
 * moves it in as {@code <output>/train.log} once training has succeeded. After a failure or an interruption it
 * stays beside the folder (which then holds the last finished epoch), with the error and its stack trace at the
 * end, and {@code train --resume} goes on writing to the same file. A log appender is added to Logback's root
 * logger programmatically; if SLF4J is bound to something other than Logback, there is no log file and training
 * goes on.
 */
final class TrainLog implements AutoCloseable {
    static final String FILE = "train.log";
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n%ex";

    private final Path output, beside;
    private final FileAppender<ILoggingEvent> appender;
    private final Logger root, fileOnly, steps;
    private boolean moved;

    private TrainLog(
            Path output,
            Path beside,
            FileAppender<ILoggingEvent> appender,
            Logger root,
            Logger fileOnly,
            Logger steps) {
        this.output = output;
        this.beside = beside;
        this.appender = appender;
        this.root = root;
        this.fileOnly = fileOnly;
        this.steps = steps;
    }

    /**
     * Starts logging to {@code <output>.train.log}, adding to the file if there is one: the log of a stopped or
     * failed run, and why it stopped, is kept (a resumed run goes on in it), and no file is ever emptied.
     */
    static TrainLog start(Path output) throws IOException {
        Path out = output.toAbsolutePath().normalize();
        Path beside = out.resolveSibling(out.getFileName() + "." + FILE);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return new TrainLog(out, beside, null, null, null, null);
        }
        Files.createDirectories(beside.getParent());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ThresholdFilter info = new ThresholdFilter();
        info.setLevel(Level.INFO.levelStr);
        info.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("train-log");
        appender.setFile(beside.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.addFilter(info);
        appender.start();
        if (!appender.isStarted()) throw new IOException("cannot write the training log " + beside);
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
        return new TrainLog(out, beside, appender, root, fileOnly, steps);
    }

    /** Writes a line to the file only. */
    void note(String format, Object... args) {
        if (fileOnly != null) fileOnly.info(format, args);
    }

    /** Records a failure, with its stack trace, in the file only (the console gets the one-line error). */
    void failed(Throwable t) {
        if (fileOnly != null) fileOnly.error("Training failed: {}", String.valueOf(t.getMessage()), t);
    }

    /** Where the log is now: beside the output folder until moved into it. */
    Path location() {
        return moved ? output.resolve(FILE) : beside;
    }

    /** Stops logging and moves the file into the finished model folder. */
    void moveIntoOutput() throws IOException {
        if (appender == null) return;
        detach();
        Files.move(beside, output.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
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
