package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.data.ImdbDataset;
import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.testutil.Cli;
import dev.bertclf.train.Hyperparameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line itself, no TensorFlow: help, suggestions, completion and defaults from a config file. */
class CommandLineTest {
    private static final List<String> COMMANDS =
            List.of("download", "train", "evaluate", "predict", "preprocess", "embed", "bench", "models", "completion");

    @TempDir
    Path tmp;

    private Path config(String... lines) throws IOException {
        return Files.write(tmp.resolve("bert-clf.properties"), List.of(lines));
    }

    /** Parses like {@link Main#run} without executing, and returns the subcommand's object. */
    private static <T> T parse(Class<T> type, String... args) {
        CommandLine cli = Main.commandLine(ConfigDefaults.load(args));
        CommandLine.ParseResult result = cli.parseArgs(args);
        return type.cast(result.subcommand().commandSpec().userObject());
    }

    @Test
    void completionScriptCoversEveryCommand() throws Exception {
        Cli.Run r = Cli.run("completion");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F") && r.out().contains("bert-clf"), r.out());
        for (String cmd : COMMANDS) assertTrue(r.out().contains(cmd), cmd);
        assertTrue(r.out().contains("--max-train-examples"), "options are completed too");
        Path script = Files.writeString(tmp.resolve("bert-clf.bash"), r.out());
        Process bash = new ProcessBuilder("bash", "-n", script.toString())
                .redirectErrorStream(true)
                .start();
        String bashSays = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, bash.waitFor(), "bash -n accepts the script: " + bashSays);
    }

    @Test
    void mistypedCommandsAndOptionsGetSuggestionsAndExitCodeTwo() {
        Cli.Run command = Cli.run("trian");
        assertEquals(2, command.code());
        assertTrue(command.err().contains("Did you mean: bert-clf train?"), command.err());
        Cli.Run option = Cli.run("train", "--epoch", "3");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("Unknown option") && option.err().contains("--epochs"), option.err());
        assertTrue(option.err().contains("Try 'bert-clf train --help'"), option.err());
        assertFalse(option.err().contains("\tat "), option.err());
        Cli.Run value = Cli.run("train", "--precision", "fp16");
        assertEquals(2, value.code());
        assertTrue(
                value.err().contains("Invalid value for option '--precision'")
                        && value.err().contains("bf16"),
                value.err());
    }

    @Test
    void helpShowsEveryOptionWithItsDefaultAndTheExitCodes() throws IOException {
        CommandLine cli = Main.commandLine(ConfigDefaults.none()).setUsageHelpWidth(400); // no wrapped URLs
        Defaults.publishRuntimeDefaults();
        for (String name : COMMANDS) {
            CommandLine cmd = cli.getSubcommands().get(name);
            String help = cmd.getUsageMessage();
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                String description = String.join(" ", o.description());
                assertFalse(description.isBlank(), name + " " + o.longestName() + " has no description");
                if (!ConfigDefaults.configurable(o)) continue;
                String shown = o.defaultValueString();
                assertTrue(
                        description.contains("(default:") || (shown != null && help.contains("Default: " + shown)),
                        name + " " + o.longestName() + " shows no default:\n" + help);
            }
            cmd.getCommandSpec()
                    .positionalParameters()
                    .forEach(
                            p -> assertFalse(String.join(" ", p.description()).isBlank(), name + " " + p.paramLabel()));
        }
        Cli.Run r = Cli.run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Exit codes: 0 success, 1 failure, 2 usage error."), r.out());
        Cli.Run train = Cli.run("train", "--help");
        // picocli wraps a long path (a deeper checkout) onto the next lines: compare without the white space
        assertTrue(train.out().replaceAll("\\s+", "").contains("Default:" + BertClfHome.defaultDataDir()), train.out());
        Cli.Run version = Cli.run("--version");
        assertEquals(0, version.code());
        String pom = Files.readString(Path.of("pom.xml"));
        String pomVersion =
                pom.replaceFirst("(?s).*?<artifactId>bert-clf</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        List<String> lines = version.out().strip().lines().toList();
        assertEquals("bert-clf " + pomVersion, lines.get(0), "the version comes from the build");
        assertEquals(
                "native libraries: fused training kernels built, listen-address library built",
                lines.get(1),
                "this project's machines have gcc and the JDK's headers: the build makes both");
    }

    @Test
    void annotationDefaultsAreTheLibrarysOwn() {
        TrainCommand t = parse(TrainCommand.class, "train");
        assertEquals(
                new Hyperparameters(
                        Hyperparameters.EPOCHS,
                        Hyperparameters.BATCH_SIZE,
                        Hyperparameters.LEARNING_RATE,
                        Hyperparameters.MAX_SEQ_LEN,
                        Hyperparameters.SEED),
                new Hyperparameters(t.epochs, t.batchSize, t.learningRate, t.maxSeqLen, t.seed));
        assertEquals(ImdbDataset.DEFAULT_URL, t.dataset.url);
        assertEquals(BertClfHome.defaultDataDir(), t.dataset.dataDir);
        assertEquals(Path.of("imdb_bert"), t.output);
    }

    @Test
    void configFileGivesDefaultsAndTheCommandLineWins() throws IOException {
        Path file = config(
                "train.epochs=3",
                "epochs=7",
                "data-dir=/mnt/data",
                "train.learning-rate=1e-4",
                "max-seq-len=64",
                "preprocess.max-seq-len=16",
                "evaluate.model-dir=${sys:user.home}/models/x");
        String cfg = file.toString();
        TrainCommand t = parse(TrainCommand.class, "train", "--config", cfg);
        assertEquals(3, t.epochs, "the command's own key wins over the bare one");
        assertEquals(Path.of("/mnt/data"), t.dataset.dataDir, "a bare key applies to every command with that option");
        assertEquals(1e-4, t.learningRate);
        assertEquals(64, t.maxSeqLen);
        assertEquals(Hyperparameters.BATCH_SIZE, t.batchSize, "unset keys keep the built-in default");
        TrainCommand typed =
                parse(TrainCommand.class, "train", "--epochs", "2", "--data-dir", "here", "--config=" + cfg);
        assertEquals(2, typed.epochs);
        assertEquals(Path.of("here"), typed.dataset.dataDir);
        assertEquals(16, parse(PreprocessCommand.class, "preprocess", "--config", cfg, "text").maxSeqLen);
        assertEquals(Path.of("/mnt/data"), parse(DownloadCommand.class, "download", "--config", cfg).dataset.dataDir);
        assertEquals(
                Path.of(System.getProperty("user.home"), "models/x"),
                parse(EvaluateCommand.class, "evaluate", "--config", cfg).modelDir,
                "${sys:...} is interpolated");
        Cli.Run help = Cli.run("download", "--config", cfg, "--help");
        assertTrue(help.out().contains("Default: /mnt/data"), "help shows the configured default:\n" + help.out());
    }

    @Test
    void configFileInBertClfHomeIsReadWithoutConfigOption() throws IOException {
        String previous = System.getProperty("bert.clf.home");
        System.setProperty("bert.clf.home", tmp.resolve("home").toString());
        try {
            Files.createDirectories(BertClfHome.root());
            Files.writeString(BertClfHome.root().resolve("config.properties"), "evaluate.batch-size=5\n");
            assertEquals(5, parse(EvaluateCommand.class, "evaluate").batchSize);
            Path other = config("batch-size=9");
            assertEquals(
                    9,
                    parse(EvaluateCommand.class, "evaluate", "--config", other.toString()).batchSize,
                    "--config replaces the home's file");
        } finally {
            if (previous != null) System.setProperty("bert.clf.home", previous);
            else System.clearProperty("bert.clf.home");
        }
    }

    @Test
    void badConfigValueIsAUsageErrorNamingTheFileAndKey() throws IOException {
        Path file = config("train.epochs=abc");
        Cli.Run r = Cli.run("train", "--config", file.toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains(file.toAbsolutePath().toString())
                        && r.err().contains("train.epochs=abc")
                        && r.err().contains("'abc' is not an int"),
                r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals(
                3,
                parse(TrainCommand.class, "train", "--config", file.toString(), "--epochs", "3").epochs,
                "a typed value means the bad default is never used");
        Cli.Run typed = Cli.run(
                "train", "--epochs", "abc", "--config", config("data-dir=x").toString());
        assertEquals(2, typed.code());
        assertTrue(
                typed.err().contains("Invalid value for option '--epochs'")
                        && !typed.err().contains("config file"),
                "a typed bad value is reported as picocli does: " + typed.err());
    }

    @Test
    void unusableConfigFileIsAUsageError() throws IOException {
        Cli.Run missing =
                Cli.run("train", "--config", tmp.resolve("none.properties").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("none.properties not found"), missing.err());
        Cli.Run malformed =
                Cli.run("download", "--config", config("url=\\uZZZZ").toString(), "--help");
        assertEquals(2, malformed.code());
        assertTrue(malformed.err().contains("cannot read config file"), malformed.err());
    }

    @Test
    void unknownAndFlagKeysAreReported() throws IOException {
        Path file = config("train.epoch=3", "json=true", "train.epochs=2");
        ConfigDefaults c = ConfigDefaults.load(new String[] {"--config", file.toString()});
        assertEquals(List.of("json", "train.epoch"), c.unknownKeys(Main.commandLine(c)));
        Cli.Run r = Cli.run("download", "--config", file.toString(), "--help");
        assertEquals(0, r.code());
        assertTrue(r.err().contains("unknown keys") && r.err().contains("train.epoch"), r.err());
        assertNull(c.defaultValue(Main.commandLine(c)
                .getSubcommands()
                .get("predict")
                .getCommandSpec()
                .findOption("--json")));
    }

    @Test
    void shippedConfigFilesAreComplete() throws IOException {
        assertEquals(
                Files.readString(Path.of("config/logback.xml")),
                Files.readString(Path.of("src/main/resources/" + Logging.SHIPPED)),
                "config/logback.xml is the shipped copy of the command line's logback.xml");
        assertNull(
                Main.class.getResource("/logback.xml"),
                "no logback.xml at the jar's root: it would configure the logging of every application using bert-clf");
        List<String> example = Files.readAllLines(Path.of("config/bert-clf.properties.example"));
        Defaults.publishRuntimeDefaults(); // as Main.run does: an earlier test may have run with another home
        CommandLine cli = Main.commandLine(ConfigDefaults.none());
        for (String name : COMMANDS) {
            for (OptionSpec o : cli.getSubcommands().get(name).getCommandSpec().options()) {
                if (!ConfigDefaults.configurable(o)) continue;
                String key = "#" + name + "." + o.longestName().substring(2) + "=";
                String line = example.stream()
                        .filter(l -> l.startsWith(key))
                        .findFirst()
                        .orElse(null);
                assertNotNull(line, key + " is documented");
                String d = o.defaultValue(); // $BERT_CLF_HOME/data: ${sys:...}, interpolated once the property is set
                if (d != null
                        && !d.startsWith("${")
                        && !d.equals(BertClfHome.defaultDataDir().toString())) {
                    assertEquals(key + d, line, "documented default");
                }
            }
        }
        List<String> keys = example.stream()
                .filter(l -> l.matches("#[a-z][a-z.-]*=.*"))
                .map(l -> l.substring(1, l.indexOf('=')))
                .toList();
        Path uncommented = config(keys.stream().map(k -> k + "=x").toArray(String[]::new));
        ConfigDefaults all = ConfigDefaults.load(new String[] {"--config", uncommented.toString()});
        assertEquals(List.of(), all.unknownKeys(cli), "every key of the example is a real option");
        assertTrue(keys.size() > 30, keys.toString());
    }
}
