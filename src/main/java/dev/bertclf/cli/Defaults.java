package dev.bertclf.cli;

import dev.bertclf.runtime.BertClfHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Defaults shared by several commands, so that they work in sequence with no options. */
final class Defaults {
    private Defaults() {}

    static Path dataDir() { return BertClfHome.defaultDataDir(); }

    /** The model the last {@code train} wrote, or null if there is none yet. */
    static Path lastModel() {
        Path pointer = BertClfHome.lastModelPointer();
        try {
            return Files.isRegularFile(pointer) ? Path.of(Files.readString(pointer).trim()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static Path modelDirOrLast(Path given) {
        if (given != null) return given;
        Path last = lastModel();
        if (last == null) {
            throw new IllegalArgumentException("no trained model yet: run 'bert-clf train' first, or pass --model-dir");
        }
        return last;
    }
}
