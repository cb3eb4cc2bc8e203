package dev.bertclf.model;

import dev.bertclf.text.EncodedBatch;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt32;

/** A tokenised batch as the encoder's three int32 input tensors, fed and closed together. */
public final class InputTensors implements AutoCloseable {
    private final TInt32 wordIds, mask, typeIds;

    public InputTensors(EncodedBatch b) {
        Shape s = Shape.of(b.batchSize(), b.seqLen());
        wordIds = TInt32.tensorOf(s, DataBuffers.of(b.wordIds(), true, false));
        mask = TInt32.tensorOf(s, DataBuffers.of(b.mask(), true, false));
        typeIds = TInt32.tensorOf(s, DataBuffers.of(b.typeIds(), true, false));
    }

    /** Feeds the three tensors to {@code bert}'s placeholders. */
    public Session.Runner feed(Session.Runner runner, BertModel bert) {
        return runner.feed(bert.inputWordIds, wordIds)
                .feed(bert.inputMask, mask)
                .feed(bert.inputTypeIds, typeIds);
    }

    @Override
    public void close() {
        wordIds.close();
        mask.close();
        typeIds.close();
    }
}
