package dev.bertclf.cli;

import dev.bertclf.data.ImdbDataset;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the commands that read IMDB keep it and fetch it from; the same two options on each of them. */
final class DatasetOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = Defaults.DATA_DIR,
            description = "Folder holding aclImdb/ (default: $BERT_CLF_HOME/data).")
    Path dataDir;

    @Option(names = "--url", paramLabel = "URL", defaultValue = Defaults.IMDB_URL,
            description = "Dataset archive, downloaded when the data is missing.")
    URI url;

    Path dataDir() { return Defaults.dataDir(dataDir); }

    /** Downloads and unpacks the dataset unless present; returns the aclImdb folder. */
    Path ensure() { return new ImdbDataset().ensure(dataDir(), url); }
}
