package dev.bertclf.cli;

import dev.bertclf.runtime.ConsoleText;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Usage errors (exit code 2): picocli's message, its "Did you mean" suggestions for a mistyped command or option,
 * and where to find help. A bad default from the config file names the file and the key instead, since the user
 * typed nothing wrong on the command line. The message quotes what was typed, so its control characters are
 * shown escaped.
 */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
    private final ConfigDefaults config;

    UsageErrorHandler(ConfigDefaults config) {
        this.config = config;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String fromConfig = config.describeBadValue(e);
        err.println("error: " + ConsoleText.escape(fromConfig != null ? fromConfig : e.getMessage()));
        StringWriter suggestions = new StringWriter();
        CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions));
        err.print(ConsoleText.escapeKeepingLines(suggestions.toString()));
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
