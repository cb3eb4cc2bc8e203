package dev.bertclf.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.bertclf.text.EncodedBatch;
import dev.bertclf.text.WordPieceTokenizer;
import java.util.List;

/**
 * Turns a batch of texts into the SavedModel's three inputs and its output back into one logit per text. It uses
 * the same tokenizer as training, so a model sees at inference exactly what it saw while learning.
 */
public final class ClassifierTranslator implements NoBatchifyTranslator<List<String>, float[]> {
    private final WordPieceTokenizer tokenizer;

    public ClassifierTranslator(WordPieceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, List<String> texts) {
        EncodedBatch b = tokenizer.encode(texts);
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
