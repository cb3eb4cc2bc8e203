package dev.bertclf.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.bertclf.text.EncodedBatch;

/**
 * Turns a batch of encoded texts (or windows of texts) into the SavedModel's three inputs and its output back into
 * the logits of each row. The batch comes from the same tokenizer as training ({@link TextClassifier} builds it from
 * the model's metadata), so a model sees at inference exactly what it saw while learning.
 */
public final class ClassifierTranslator implements NoBatchifyTranslator<EncodedBatch, float[]> {

    @Override
    public NDList processInput(TranslatorContext ctx, EncodedBatch b) {
        NDManager m = ctx.getNDManager();
        Shape shape = new Shape(b.batchSize(), b.seqLen());
        return new NDList(
                named(m.create(b.wordIds(), shape), "input_word_ids"),
                named(m.create(b.mask(), shape), "input_mask"),
                named(m.create(b.typeIds(), shape), "input_type_ids"));
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.get("logits");
        if (logits == null) logits = list.get(0);
        return logits.toFloatArray();
    }
}
