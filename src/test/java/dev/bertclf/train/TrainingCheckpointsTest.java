package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.OwnedFolder;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint folder of a run that saved no checkpoint is removed by the run that holds its lock, and only what is
 * its own: the lock file goes last, so that a run locking a new one meanwhile loses nothing of its own.
 */
class TrainingCheckpointsTest {
    @TempDir
    Path tmp;

    @Test
    void aRunThatNeverStartedLeavesNothing() throws IOException {
        TrainingCheckpoints c = TrainingCheckpoints.besideOutput(tmp.resolve("model"));
        try (OutputLock lock = c.lock(tmp.resolve("model"))) {
            Files.writeString(c.log(), "refused before training");
            c.deleteIfEmpty();
        }
        assertFalse(Files.exists(c.dir()), "nothing left of a run that never trained");
    }

    @Test
    void aFailedRunKeepsItsLogWithItsMarkerAndLockFile() throws IOException {
        TrainingCheckpoints c = TrainingCheckpoints.besideOutput(tmp.resolve("model"));
        try (OutputLock lock = c.lock(tmp.resolve("model"))) {
            c.trainingStarted();
            Files.writeString(c.log(), "failed in epoch 1");
            c.deleteIfEmpty();
        }
        assertEquals("failed in epoch 1", Files.readString(c.log()));
        assertTrue(OwnedFolder.isMarked(c.dir(), TrainingCheckpoints.OWNED_AS));
        assertTrue(
                Files.exists(c.dir().resolve(TrainingCheckpoints.LOCK)),
                "a lock file is left in place while the folder stays");
    }

    /**
     * The lock file is deleted after the run's own files, not before: once it is gone another run may lock a new one
     * and write its own log and marker here, which must not then be deleted by name. Seen through a log that cannot
     * be deleted (a folder of that name): the removal stops there, with the lock file still in place.
     */
    @Test
    void theLockFileGoesLast() throws IOException {
        TrainingCheckpoints c = TrainingCheckpoints.besideOutput(tmp.resolve("model"));
        try (OutputLock lock = c.lock(tmp.resolve("model"))) {
            Files.writeString(Files.createDirectories(c.log()).resolve("x"), "x");
            assertThrows(DirectoryNotEmptyException.class, c::deleteIfEmpty);
            assertTrue(Files.exists(c.dir().resolve(TrainingCheckpoints.LOCK)), "deleted before the run's own files");
        }
    }
}
