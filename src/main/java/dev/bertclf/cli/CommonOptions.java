package dev.bertclf.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options every command takes. Their effect is applied before parsing, from the raw arguments: the log levels by
 * {@link Logging}, the config file by {@link ConfigDefaults}; picocli only has to accept and document them.
 */
final class CommonOptions {
    @Option(
            names = {"-v", "--verbose"},
            description = "Debug output, and stack traces on errors.")
    boolean verbose;

    @Option(
            names = {"-q", "--quiet"},
            description = "Only warnings and errors on the console; no progress bars.")
    boolean quiet;

    @Option(
            names = "--offline",
            description = "Never use the network: a run that would download something fails at once, saying what "
                    + "it needs and how to give it without one (also BERT_CLF_OFFLINE=1).")
    boolean offline;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with defaults for the options, "
                    + "as <command>.<option>=value or <option>=value (default: "
                    + "$BERT_CLF_HOME/config.properties, if present).")
    Path config;
}
