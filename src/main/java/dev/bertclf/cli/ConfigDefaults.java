package dev.bertclf.cli;

import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.UserError;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a properties file: {@code --config FILE} when given, else
 * {@code $BERT_CLF_HOME/config.properties} when it exists. Keys are {@code <command>.<option>} (such as
 * {@code train.epochs=3}) or a bare {@code <option>} (such as {@code data-dir=/mnt/data}) that applies to every
 * command having that option; the command's own key wins over the bare one, and the command line wins over both.
 * Values go through picocli like typed ones, so {@code ${env:VAR}} works and a bad value is a usage error
 * (see {@link #describeBadValue}). Flags ({@code --json}, {@code -v}, {@code -q}, {@code -h}, {@code -V}) and
 * {@code --config} are command-line only; keys for them are reported as unknown.
 *
 * <p>The file is found by scanning the raw arguments, as {@link Logging} does for {@code -v}: picocli asks for
 * defaults while it parses, so the file must be known before.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    static final String FILE_NAME = "config.properties";
    /** A file of option defaults is a few lines; a larger one is a mistake (or a device), never read whole. */
    static final long MAX_BYTES = 1 << 20;
    /** --resume continues one stopped run: a default for it would resume every run. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("config", "resume");

    /** The file cannot be used at all (missing when named, unreadable, malformed): a usage error. */
    static final class ConfigException extends UserError {
        ConfigException(String message) {
            super(message);
        }
    }

    private final Path file; // null: no file
    private final Properties values;

    private ConfigDefaults(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    static ConfigDefaults none() {
        return new ConfigDefaults(null, new Properties());
    }

    /** The file named by {@code --config} in {@code args}, else the one in {@code BERT_CLF_HOME} if present. */
    static ConfigDefaults load(String[] args) {
        Path given = configArgument(args);
        if (given != null) {
            if (!Files.isRegularFile(given)) throw new ConfigException("config file " + given + " not found");
            return read(given);
        }
        Path home = BertClfHome.location().resolve(FILE_NAME);
        if (!Files.isRegularFile(home)) return none();
        try {
            BertClfHome.root(); // a config planted in another user's home is not read
        } catch (DataException e) {
            throw new ConfigException(e.getMessage());
        }
        return read(home);
    }

    static Path configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) break;
            if (args[i].equals("--config") && i + 1 < args.length) return Path.of(args[i + 1]);
            if (args[i].startsWith("--config=")) return Path.of(args[i].substring("--config=".length()));
        }
        return null;
    }

    private static ConfigDefaults read(Path file) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(BoundedFiles.readString(file, MAX_BYTES)));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        for (String key : p.stringPropertyNames()) {
            String entry = (key + "=" + p.getProperty(key)).replace('\t', ' ');
            if (!ConsoleText.escape(entry).equals(entry)) { // help prints defaults raw: no ESC sequences there
                throw new ConfigException("config file " + file + ": " + ConsoleText.escape(entry) + " holds control "
                        + "characters; option values are text on one line");
            }
        }
        return new ConfigDefaults(file.toAbsolutePath().normalize(), p);
    }

    Path file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        String key = keyFor(arg);
        return key == null ? null : values.getProperty(key).trim();
    }

    /** The key of the file that gives {@code arg} its default, or null. */
    String keyFor(ArgSpec arg) {
        if (file == null || !(arg instanceof OptionSpec o) || arg.command() == null) return null;
        if (!configurable(o)) return null;
        String option = name(o);
        String specific = arg.command().name() + "." + option;
        if (values.containsKey(specific)) return specific;
        return values.containsKey(option) ? option : null;
    }

    private static String name(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    /**
     * Options with a value. Not the flags ({@code --json}): picocli sets a flag to the opposite of its default, so
     * a configured {@code json=true} would make a typed {@code --json} turn JSON off.
     */
    static boolean configurable(OptionSpec o) {
        return o.arity().max() > 0 && !COMMAND_LINE_ONLY.contains(name(o));
    }

    /**
     * The message for a usage error caused by a value of this file, naming the file and the key; null when the
     * error did not come from the file (picocli's own message is then the right one).
     */
    String describeBadValue(CommandLine.ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        String key = arg == null ? null : keyFor(arg);
        if (key == null || e.getValue() == null || !e.getValue().equals(defaultValue(arg))) return null;
        String reason = e.getCause() instanceof CommandLine.TypeConversionException t ? t.getMessage() : e.getMessage();
        return "invalid value in config file " + file + ": " + key + "="
                + values.getProperty(key).trim() + " (" + reason + ")";
    }

    /**
     * Options whose value names something different for each command that has it (a file to write, a file to read,
     * a decision threshold to train with or to score with): as a bare key one value would leak into every one of
     * them, so only {@code <command>.<option>} sets them.
     */
    static final Set<String> PER_COMMAND = Set.of("output", "input", "threshold");

    /**
     * The message for bare keys of {@link #PER_COMMAND} options, or null when there are none.
     */
    String perCommandBareKeys(CommandLine root) {
        for (String key : new TreeSet<>(values.stringPropertyNames())) {
            if (!PER_COMMAND.contains(key)) continue;
            List<String> commands = new ArrayList<>();
            for (CommandLine cmd : root.getSubcommands().values()) {
                if (cmd.getCommandSpec().findOption(key) != null) commands.add(cmd.getCommandName());
            }
            return "config file " + file + ": " + key + " means another thing for each command that has it ("
                    + String.join(", ", commands) + "): write it as <command>." + key + " (for example "
                    + (commands.isEmpty() ? "train" : commands.get(0)) + "." + key + "=...)";
        }
        return null;
    }

    /** Keys that no command's option would read, most likely typos; sorted. */
    List<String> unknownKeys(CommandLine root) {
        Set<String> known = new TreeSet<>();
        for (CommandLine cmd : root.getSubcommands().values()) {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                if (!configurable(o)) continue;
                String option = name(o);
                known.add(option);
                known.add(cmd.getCommandName() + "." + option);
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(values.stringPropertyNames())) if (!known.contains(key)) unknown.add(key);
        return unknown;
    }
}
