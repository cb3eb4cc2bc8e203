package dev.bertclf.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes; their effect is applied by {@link Logging} before parsing. */
final class CommonOptions {
    @Option(names = {"-v", "--verbose"}, description = "Debug output, and stack traces on errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors; no progress bars.")
    boolean quiet;
}
