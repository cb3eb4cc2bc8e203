package dev.bertclf.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.model.Weights;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.TinyBert;
import dev.bertclf.text.WordPieceTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's head has one logit per class (or one for two), so a resumed run whose data now has another number
 * of classes is refused with the counts, before any weight of the wrong shape is read.
 */
class ClassCountResumeTest {
    @TempDir
    Path tmp;

    @Test
    void aChangedClassCountIsRefused() throws Exception {
        TfRuntime.engine();
        Path model = TinyBert.write(tmp.resolve("tiny_bert"), "");
        TokenizedDataset train, validation;
        try (WordPieceTokenizer tok = WordPieceTokenizer.fromVocab(model.resolve("vocab.txt"), true, 8)) {
            train = TokenizedDataset.encode("train", tok, 6, i -> "great film", i -> i % 3);
            validation = TokenizedDataset.encode("validation", tok, 3, i -> "awful film", i -> i % 3);
        }
        TrainingCheckpoints.State binary = new TrainingCheckpoints.State(
                1, null, TrainingProgress.start(), 6, 3, 4, 2, TrainingGraph.REVISION, null, null);
        Trainer.Checkpointing resume = new Trainer.Checkpointing(
                null, 0, new TrainingCheckpoints.Saved(tmp.resolve("step-1"), binary), null, null, new StopSignal());
        Hyperparameters hp = new Hyperparameters(1, 4, 1e-3, 8, 1);
        DataException e = assertThrows(DataException.class, () -> new Trainer(
                        hp, SessionOptions.defaults(), Loss.of(3, null, null), StepLog.NONE, null)
                .fit(TinyBert.config(), shapes -> new Weights(), train, validation, null, resume));
        assertTrue(e.getMessage().contains("(2 classes then, 3 now); cannot resume it"), e.getMessage());
    }
}
