package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.infer.InferenceException;
import dev.bertclf.model.ModelException;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.UserError;
import dev.bertclf.train.TrainingDivergedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The user's errors print one line; anything else is a bug and prints its trace. Every IllegalArgumentException was
 * once taken for the user's, so a broken precondition in bert-clf printed no trace to report.
 */
class ErrorHandlerTest {
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Override
        public void run() {}
    }

    private record Handled(int code, String err) {}

    private static Handled handle(Exception e) throws Exception {
        CommandLine cmd = new CommandLine(new Probe());
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        int code = new ErrorHandler().handleExecutionException(e, cmd, cmd.parseArgs());
        return new Handled(code, err.toString());
    }

    @Test
    void theUsersErrorsPrintOneLine() throws Exception {
        for (UserError e : List.of(
                new DataException("the file is bad"),
                new ModelException("the model is bad"),
                new CheckpointException("the checkpoint is bad"),
                new InferenceException("the model folder is bad"),
                new TrainingDivergedException("the loss is NaN"))) {
            Handled h = handle(e);
            assertEquals(1, h.code(), e.toString());
            assertEquals("error: " + e.getMessage() + System.lineSeparator(), h.err());
        }
    }

    @Test
    void aBrokenPreconditionIsABugWithItsTrace() throws Exception {
        Handled h = handle(new IllegalArgumentException("a training graph needs a Dropout"));
        assertEquals(1, h.code());
        assertTrue(h.err().startsWith("error: a training graph needs a Dropout"), h.err());
        assertTrue(h.err().contains("This looks like a bug in bert-clf"), h.err());
        assertTrue(h.err().contains("at dev.bertclf.cli.ErrorHandlerTest"), h.err());
        assertFalse(handle(new DataException("x")).err().contains("bug"));
    }
}
