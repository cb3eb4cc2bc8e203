package dev.bertclf.cli;

import dev.bertclf.data.ImdbDataset;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "download", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Download and unpack the IMDB movie-review dataset (aclImdb_v1.tar.gz).",
                "Resumes an interrupted download, verifies the archive, and does nothing when the data is present."})
final class DownloadCommand implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--url", description = "Archive to download.")
    URI url = ImdbDataset.DEFAULT_URL;

    @Option(names = "--data-dir", description = "Folder to hold aclImdb/ (default: $BERT_CLF_HOME/data).")
    Path dataDir = Defaults.dataDir();

    @Override
    public Integer call() {
        Path data = new ImdbDataset().ensure(dataDir, url);
        System.out.println("Dataset ready in " + data);
        return 0;
    }
}
