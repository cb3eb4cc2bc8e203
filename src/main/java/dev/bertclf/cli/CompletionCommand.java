package dev.bertclf.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints picocli's generated completion script for every command and option (bash, and zsh via bashcompinit). */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a bash/zsh completion script for bert-clf's commands and options.",
            "Load it into the current shell with: source <(bert-clf completion)",
            "(or save it to a file that your ~/.bashrc or ~/.zshrc sources)."
        })
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        System.out.flush();
        return 0;
    }
}
