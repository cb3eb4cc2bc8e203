package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README's table of commands lists every option each command's {@code --help} shows (once several were missing),
 * read from picocli's own model of the commands. The options every command shares ({@code -v}, {@code -q},
 * {@code --config}, {@code --offline}, {@code --help}, {@code --version}) are described once, under the table.
 */
class ReadmeOptionsTest {
    private static final Set<String> SHARED =
            Set.of("--verbose", "--quiet", "--config", "--offline", "--help", "--version");

    @Test
    void theCommandTableListsEveryOptionOfEveryCommand() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        CommandLine cli = Main.commandLine(ConfigDefaults.load(new String[0]));
        Map<String, Set<String>> missing = new TreeMap<>();
        for (var e : cli.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String row = readme.stream()
                    .filter(l -> l.startsWith("| `" + e.getKey() + "` |"))
                    .findFirst()
                    .orElse("");
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                if (o.hidden() || SHARED.contains(o.longestName())) continue;
                if (!row.contains("`" + o.longestName() + "`") && !row.contains("`" + o.longestName() + " ")) {
                    missing.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(o.longestName());
                }
            }
        }
        assertEquals(Map.of(), missing, "options missing from the README's command table");
    }
}
