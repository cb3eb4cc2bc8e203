package dev.bertclf.cli;

import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bert-clf}: the tutorial "classify text with BERT" as a command-line tool. Each subcommand is one class;
 * this one only wires them together and turns failures into a message and an exit code.
 */
@Command(name = "bert-clf", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Fine-tune BERT text classifiers on TensorFlow, from Java.",
        subcommands = {DownloadCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ServeCommand.class,
                PreprocessCommand.class, EmbedCommand.class, BenchCommand.class, ModelsCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            // DJL unpacks the tokenizer's native library here; keep it in the tool's own folder.
            System.setProperty("DJL_CACHE_DIR", BertClfHome.root().resolve("djl").toString());
        }
        Logging.configureFrom(args);
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(new ErrorHandler())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[] {"bert-clf " + Version.get()}; }
    }
}
