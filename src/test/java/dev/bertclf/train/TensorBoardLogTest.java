package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bertclf.testutil.EventFiles;
import dev.bertclf.testutil.EventFiles.Scalar;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardLogTest {
    @TempDir
    Path dir;

    @Test
    void scalarsGoToOneEventFilePerFolderUntilTheFilesAreClosed() throws Exception {
        Path logs = dir.resolve("logs");
        try (TensorBoardLog log = new TensorBoardLog(logs)) {
            log.scalar(TensorBoardLog.Folder.train, "loss", 10, 0.5);
            log.scalar(TensorBoardLog.Folder.train, "learning_rate", 10, 3e-5);
            log.scalar(TensorBoardLog.Folder.validation, "epoch_loss", 1, 0.25);
            log.closeFiles();
            log.scalar(TensorBoardLog.Folder.train, "loss", 20, 0.125);
        }
        assertEquals(
                List.of(
                        new Scalar("loss", 10, 0.5f),
                        new Scalar("learning_rate", 10, 3e-5f),
                        new Scalar("loss", 20, 0.125f)),
                EventFiles.scalars(logs.resolve("train")));
        assertEquals(2, EventFiles.in(logs.resolve("train")).size());
        assertEquals(List.of(new Scalar("epoch_loss", 1, 0.25f)), EventFiles.scalars(logs.resolve("validation")));
    }
}
