package dev.bertclf.cli;

import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Defaults shared by several commands, so that they work in sequence with no options. */
final class Defaults {
    private Defaults() {}

    /** System property holding {@code $BERT_CLF_HOME/data}, set by {@link Main#run} before parsing. */
    static final String DATA_DIR_PROPERTY = "bert.clf.data.default";

    /** {@code --data-dir}'s default: computed at run time, so picocli reads it from {@link #DATA_DIR_PROPERTY}. */
    static final String DATA_DIR = "${sys:" + DATA_DIR_PROPERTY + "}";

    /** The tutorial's archive; the same as {@code ImdbDataset.DEFAULT_URL}, as a constant for annotations. */
    static final String IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz";

    static void publishRuntimeDefaults() {
        System.setProperty(
                DATA_DIR_PROPERTY, BertClfHome.location().resolve("data").toString());
    }

    /** The given data folder, or {@code $BERT_CLF_HOME/data} (when the commands run without {@link Main}). */
    static Path dataDir(Path given) {
        if (given == null) return BertClfHome.defaultDataDir();
        if (given.toAbsolutePath().startsWith(BertClfHome.location())) BertClfHome.root(); // checked before use
        return given;
    }

    /** The model the last {@code train} wrote, or null if there is none yet. */
    static Path lastModel() {
        Path pointer = BertClfHome.lastModelPointer();
        try {
            return Files.isRegularFile(pointer)
                    ? Path.of(
                            BoundedFiles.readString(pointer, BoundedFiles.SMALL).trim())
                    : null;
        } catch (IOException e) {
            return null;
        }
    }

    static Path modelDirOrLast(Path given) {
        if (given != null) return given;
        Path last = lastModel();
        if (last == null) {
            throw new DataException("no trained model yet: run 'bert-clf train' first, or pass --model-dir");
        }
        return last;
    }
}
