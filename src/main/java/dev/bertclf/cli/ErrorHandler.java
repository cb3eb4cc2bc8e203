package dev.bertclf.cli;

import dev.bertclf.data.DataException;
import dev.bertclf.infer.InferenceException;
import dev.bertclf.model.ModelException;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.runtime.ComputeDevice;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns a failure into one line a user can act on and exit code 1 (an {@link InvalidOptionException}: a usage
 * error, exit code 2). A stack trace is only printed with
 * {@code --verbose}, or for a failure we did not foresee (that is a bug, and the trace is what a report needs).
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof InvalidOptionException) { // a usage error that only the command's own checks could find
            return cmd.getParameterExceptionHandler().handleParseException(
                    new CommandLine.ParameterException(cmd, e.getMessage(), e), parsed.originalArgs().toArray(String[]::new));
        }
        boolean expected = e instanceof DataException || e instanceof ModelException || e instanceof CheckpointException
                || e instanceof InferenceException || e instanceof ComputeDevice.UnavailableException || e instanceof TrainingDivergedException
                || e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException;
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof UncheckedIOException u && u.getCause() != null) message += ": " + u.getCause().getMessage();
        cmd.getErr().println("error: " + message);
        if (Logging.verbose || !expected) {
            if (!expected) cmd.getErr().println("This looks like a bug in bert-clf; the details follow.");
            e.printStackTrace(cmd.getErr());
        }
        cmd.getErr().flush();
        return 1;
    }
}
