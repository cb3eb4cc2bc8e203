package dev.bertclf.cli;

import dev.bertclf.runtime.ConsoleText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "download",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Download and unpack the IMDB movie-review dataset (aclImdb_v1.tar.gz).",
            "Resumes an interrupted download, verifies the archive, and does nothing when the data is present."
        })
final class DownloadCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DatasetOptions dataset;

    @Override
    public Integer call() {
        Path data = dataset.ensure();
        System.out.println("Dataset ready in " + ConsoleText.escape(data.toString()));
        return 0;
    }
}
