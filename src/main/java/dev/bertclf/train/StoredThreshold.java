package dev.bertclf.train;

import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Stores a decision threshold in a trained model ({@code evaluate --save-threshold}), so that {@code predict},
 * {@code serve} and the Spark job decide by it without an option. It sits with training because the model folder is
 * training's: the write takes the very lock a {@code train} into that folder takes, so a run exporting a new model
 * and a threshold written into the old one never interleave; and it refuses a model that changed since it was
 * evaluated, for a threshold tuned on one model means nothing for another. The file is replaced atomically, so a
 * {@code predict} or {@code serve} starting meanwhile reads the old file or the new one, never half of one.
 */
public final class StoredThreshold {
    private StoredThreshold() {}

    /**
     * Sets {@code threshold} in the model in {@code modelDir}, whose metadata was {@code evaluated} when the
     * threshold was found.
     *
     * @throws DataException if a train holds the folder, the model changed since, or the file cannot be written
     */
    public static void save(Path modelDir, ModelMetadata evaluated, double threshold) {
        evaluated.checkThreshold(threshold);
        Path out;
        try {
            // the folder itself, not a link to it: a train into it locks beside the folder's own name
            out = modelDir.toRealPath();
        } catch (IOException e) {
            throw new DataException(
                    "cannot save the threshold in " + modelDir + ": " + FileErrors.describe(e, modelDir), e);
        }
        TrainingCheckpoints checkpoints = TrainingCheckpoints.besideOutput(out);
        checkpoints.checkOwned();
        // a checkpoint folder that was there (a stopped run's, or its log) is left as it was found
        boolean existed = Files.exists(checkpoints.dir(), LinkOption.NOFOLLOW_LINKS);
        OutputLock lock = checkpoints.lock("a 'bert-clf train' or another 'evaluate --save-threshold' is writing to "
                + out + "; the threshold was not saved: wait for it to finish and run evaluate again");
        try (lock) {
            try {
                if (!ModelMetadata.read(out).equals(evaluated)) {
                    throw new DataException("the model in " + out + " changed while it was evaluated (its "
                            + ModelMetadata.FILE + " differs): the threshold was not saved; evaluate it again");
                }
                ModelMetadata.storeThreshold(out, threshold);
            } finally {
                if (!existed) checkpoints.deleteIfEmpty();
            }
        } catch (IOException e) {
            throw new DataException(
                    "cannot save the threshold in " + out.resolve(ModelMetadata.FILE) + ": "
                            + FileErrors.describe(e, out.resolve(ModelMetadata.FILE)),
                    e);
        }
    }
}
