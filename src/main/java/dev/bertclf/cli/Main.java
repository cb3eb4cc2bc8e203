package dev.bertclf.cli;

import dev.bertclf.io.Downloader;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.FusedKernels;
import dev.bertclf.runtime.Version;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bert-clf}: the tutorial "classify text with BERT" as a command-line tool. Each subcommand is one class;
 * this one only wires them together: option defaults from the config file, and failures turned into a message
 * and an exit code (0 success, 1 failure, 2 usage error).
 */
@Command(
        name = "bert-clf",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Fine-tune BERT text classifiers on TensorFlow, from Java.",
        subcommands = {
            DownloadCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            ServeCommand.class,
            PreprocessCommand.class,
            EmbedCommand.class,
            BenchCommand.class,
            ModelsCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Option defaults can be set in a properties file: --config FILE, else",
            "$BERT_CLF_HOME/config.properties (keys like train.epochs=3 or data-dir=/mnt/data).",
            "Exit codes: 0 success, 1 failure, 2 usage error."
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            // DJL unpacks the tokenizer's native library here; keep it in the tool's own folder.
            System.setProperty(
                    "DJL_CACHE_DIR", BertClfHome.location().resolve("djl").toString());
        }
        Logging.configureFrom(args);
        Defaults.publishRuntimeDefaults();
        ConfigDefaults config;
        try {
            config = ConfigDefaults.load(args);
        } catch (ConfigDefaults.ConfigException e) {
            System.err.println("error: " + ConsoleText.escape(e.getMessage()));
            return CommandLine.ExitCode.USAGE;
        }
        CommandLine cli = commandLine(config);
        String perCommand = config.perCommandBareKeys(cli);
        if (perCommand != null) {
            System.err.println("error: " + ConsoleText.escape(perCommand));
            return CommandLine.ExitCode.USAGE;
        }
        List<String> unknown = config.unknownKeys(cli);
        if (!unknown.isEmpty()) { // no logger field: logback configures itself at the first lookup, after Logging's
            LoggerFactory.getLogger(Main.class)
                    .warn("Ignoring unknown keys in config file {}: {}", config.file(), String.join(", ", unknown));
        }
        boolean offline = List.of(args).contains("--offline"); // for this command only (tests run many in one JVM)
        if (offline) System.setProperty(Downloader.OFFLINE, "true");
        try {
            int code = cli.execute(args);
            return code == 0 ? checkStdout() : code;
        } finally {
            if (offline) System.clearProperty(Downloader.OFFLINE);
        }
    }

    /**
     * Exit 1 with one line when standard output could not take what a command printed ({@code > /dev/full}, a closed
     * stdout or pipe): the results are lost, and an exit code of 0 would say they were delivered. Every command
     * prints through {@link System#out}, whose {@link java.io.PrintStream} keeps write errors to itself; this is
     * where they are looked at.
     */
    private static int checkStdout() {
        if (!System.out.checkError()) return 0;
        System.err.println("error: cannot write to standard output (a full disk, or a closed file or pipe): the "
                + "output is incomplete");
        return 1;
    }

    /** The command tree with its handlers and the config file's defaults; {@link #run} executes it. */
    static CommandLine commandLine(ConfigDefaults config) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(new ErrorHandler())
                .setParameterExceptionHandler(new UsageErrorHandler(config))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Path.class, Main::path)
                .setDefaultValueProvider(config);
    }

    /** A path option; a name this locale cannot encode (a non-ASCII folder under {@code LANG=C}) says how to fix it. */
    private static Path path(String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("cannot name " + name + ": Java encodes file names as "
                    + System.getProperty("sun.jnu.encoding") + " in this locale; run with LC_ALL=C.UTF-8");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bert-clf " + Version.get(), FusedKernels.inThisBuild()};
        }
    }
}
