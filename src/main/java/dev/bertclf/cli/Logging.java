package dev.bertclf.cli;

import java.util.Arrays;

/**
 * Sets log levels before anything logs: {@code -v} shows debug lines and stack traces, {@code -q} only warnings.
 * It reads the raw arguments because logback configures itself at the first log call, before picocli parses.
 * The levels are system properties that {@code logback.xml} reads; {@code -q} only raises the console's
 * threshold, so a run's log file still gets every INFO line.
 */
final class Logging {
    private Logging() {}

    static boolean verbose;

    static void configureFrom(String[] args) {
        verbose = Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose");
        boolean quiet = Arrays.asList(args).contains("-q") || Arrays.asList(args).contains("--quiet");
        if (verbose) {
            System.setProperty("bert.clf.level", "DEBUG");
            System.setProperty("bert.clf.root.level", "DEBUG");
            System.setProperty("bert.clf.djl.level", "INFO");
        } else if (quiet) {
            System.setProperty("bert.clf.level", "WARN");
            System.setProperty("bert.clf.quiet", "true");
        }
    }
}
