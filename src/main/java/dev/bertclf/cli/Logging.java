package dev.bertclf.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Sets log levels before anything logs: {@code -v} shows debug lines and stack traces, {@code -q} only warnings.
 * It reads the raw arguments because logback configures itself at the first log call, before picocli parses.
 * The levels are system properties that {@code logback.xml} reads; {@code -q} only raises the console's
 * threshold, so a run's log file still gets every INFO line. A second run in the same JVM (tests) reloads the
 * configuration, so each run gets the levels of its own arguments.
 *
 * <p>The configuration is the resource {@link #SHIPPED}, named through {@code logback.configurationFile} unless the
 * user named another: at the jar's root as {@code logback.xml} it would also configure every application that uses
 * bert-clf as a library (Logback takes the first {@code logback.xml} on the class path, and warns of two).
 */
final class Logging {
    private Logging() {}

    /** The command line's logging configuration, a class path resource. */
    static final String SHIPPED = "dev/bertclf/cli/logback.xml";

    private static final String CONFIGURATION_FILE = "logback.configurationFile";

    static boolean verbose;
    private static boolean configured;

    static void configureFrom(String[] args) {
        if (System.getProperty(CONFIGURATION_FILE) == null) System.setProperty(CONFIGURATION_FILE, SHIPPED);
        List<String> a = optionsBefore(args);
        verbose = a.contains("-v") || a.contains("--verbose");
        boolean quiet = !verbose && (a.contains("-q") || a.contains("--quiet"));
        set("bert.clf.level", verbose ? "DEBUG" : quiet ? "WARN" : null);
        set("bert.clf.root.level", verbose ? "DEBUG" : null);
        set("bert.clf.djl.level", verbose ? "INFO" : null);
        set("bert.clf.quiet", quiet ? "true" : null);
        if (configured && LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.reset();
            try {
                new ContextInitializer(ctx).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot reload the logging configuration", e);
            }
        }
        configured = true;
    }

    /** The arguments before {@code --}: after it, "-v" is a text to classify, not an option. */
    private static List<String> optionsBefore(String[] args) {
        List<String> a = Arrays.asList(args);
        int end = a.indexOf("--");
        return end < 0 ? a : a.subList(0, end);
    }

    private static void set(String property, String value) {
        if (value != null) System.setProperty(property, value);
        else System.clearProperty(property);
    }
}
