package dev.bertclf.cli;

import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import picocli.CommandLine;

/**
 * Turns a failure into one line a user can act on and exit code 1 (an {@link InvalidOptionException}: a usage
 * error, exit code 2). A stack trace is only printed with
 * {@code --verbose}, or for a failure we did not foresee (that is a bug, and the trace is what a report needs).
 * Messages quote names from files, archives and servers, so the line is shown with its control characters made
 * visible (a name must not be able to erase or rewrite it), and a file error that names only its path gets its
 * cause in words.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof InvalidOptionException) { // a usage error that only the command's own checks could find
            return cmd.getParameterExceptionHandler()
                    .handleParseException(
                            new CommandLine.ParameterException(cmd, e.getMessage(), e),
                            parsed.originalArgs().toArray(String[]::new));
        }
        // The user's to act on; anything else (an IllegalArgumentException of a broken precondition) is a bug.
        boolean expected = e instanceof UserError || e instanceof IOException || e instanceof UncheckedIOException;
        cmd.getErr().println("error: " + ConsoleText.escape(message(e)));
        if (Logging.verbose || !expected) {
            if (!expected) cmd.getErr().println("This looks like a bug in bert-clf; the details follow.");
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            cmd.getErr().print(ConsoleText.escapeKeepingLines(trace.toString()));
        }
        cmd.getErr().flush();
        return 1;
    }

    /** What went wrong in words: never null, never a bare class name, never a path without its cause. */
    static String message(Throwable e) {
        if (e instanceof InvalidPathException p) { // a name this locale's file-name charset cannot encode
            return "cannot name " + p.getInput() + ": Java encodes file names as "
                    + System.getProperty("sun.jnu.encoding") + " in this locale; run with LC_ALL=C.UTF-8";
        }
        String message = e instanceof IOException io ? FileErrors.describe(io) : e.getMessage();
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            boolean own = message != null && !message.equals(u.getCause().toString()); // not just the cause's
            message = (own ? message + ": " : "") + FileErrors.describe(u.getCause());
        }
        if (message == null || message.isBlank() || message.equals("null")) {
            Throwable cause = e.getCause();
            message = cause != null && cause != e
                    ? message(cause)
                    : "an unexpected " + e.getClass().getName() + " without a message";
        }
        return withoutTensorFlowHints(FileErrors.explain(message, e));
    }

    /**
     * TensorFlow ends many errors with advice for its programmers ("Hint: If you want to see a list of allocated
     * tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions ..."), even a full disk's:
     * taken for an out-of-memory, it sent users the wrong way.
     */
    static String withoutTensorFlowHints(String message) {
        return message.replaceAll("\\s*\\[?\\[?\\{\\{[^}]*\\}\\}\\]?\\]?", "")
                .replaceAll("\\s*Hint: If you want to see a list of allocated tensors when OOM happens[^\\n]*", "")
                .strip();
    }
}
