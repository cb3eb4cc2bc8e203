package dev.bertclf.data;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where a command's examples come from: a table file when the user gave one, else the {@code train/} or
 * {@code test/} part of the data folder (see {@link DatasetFolder}). Training and evaluation call only this, so
 * neither knows which it was.
 *
 * @param file the table file, or null for the data folder
 */
public record DataSource(Path dataDir, URI url, TableFile file) {
    /**
     * The examples of {@code part} ("train" or "test"), checked to have at least two classes.
     *
     * @throws dev.bertclf.runtime.DataException if they cannot be found or read, or have only one class
     */
    public LabeledTexts load(String part) {
        LabeledTexts texts = file != null
                ? file.read()
                : TextDirectoryDataset.scan(DatasetFolder.resolve(dataDir, url, part))
                        .labeledTexts();
        return texts.requireClasses();
    }

    /** What {@link #load} will need, in words, before anything is fetched: the file, the folder or a download. */
    public String need() {
        return file != null ? "data file " + file.path() : DatasetFolder.need(dataDir, url);
    }
}
