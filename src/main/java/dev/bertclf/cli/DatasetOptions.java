package dev.bertclf.cli;

import dev.bertclf.data.DataSource;
import dev.bertclf.data.ImdbDataset;
import dev.bertclf.data.TableFile;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the commands that read IMDB keep it and fetch it from; the same two options on each of them. */
final class DatasetOptions {
    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            defaultValue = Defaults.DATA_DIR,
            description = "Folder holding aclImdb/ (IMDB, downloaded into a missing or empty folder), or your own "
                    + "train/<class>/*.txt and test/<class>/*.txt (default: $BERT_CLF_HOME/data).")
    Path dataDir;

    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = Defaults.IMDB_URL,
            description = "Dataset archive, downloaded when the data is missing.")
    URI url;

    Path dataDir() {
        return Defaults.dataDir(dataDir);
    }

    /** Downloads and unpacks the dataset unless present; returns the aclImdb folder. */
    Path ensure() {
        return new ImdbDataset().ensure(dataDir(), url);
    }

    /** The examples' source: {@code file} when given, else this data folder. */
    DataSource source(TableFile file) {
        return new DataSource(dataDir(), url, file);
    }
}
