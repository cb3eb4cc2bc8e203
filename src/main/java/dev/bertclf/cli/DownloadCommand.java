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

    @Option(names = "--url", paramLabel = "URL", defaultValue = Defaults.IMDB_URL, description = "Archive to download.")
    URI url;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = Defaults.DATA_DIR,
            description = "Folder to hold aclImdb/ (default: $BERT_CLF_HOME/data).")
    Path dataDir;

    @Override
    public Integer call() {
        Path data = new ImdbDataset().ensure(Defaults.dataDir(dataDir), url);
        System.out.println("Dataset ready in " + data);
        return 0;
    }
}
