package dev.bertclf.data;

import java.nio.file.Path;

/** One row of a table file as its reader found it: the line it starts on (for messages), its text and label. */
record TableRow(int line, String text, String label) {
    /** The message form every table reader uses, so an editor can jump to the problem: {@code file:line: ...}. */
    static DataException error(Path file, int line, String message) {
        return new DataException(file + ":" + line + ": " + message);
    }
}
