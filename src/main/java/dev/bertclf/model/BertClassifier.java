package dev.bertclf.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The tutorial's classifier: BERT's pooled output, Dropout(0.1), then one dense logit ({@code classifier/kernel},
 * {@code classifier/bias}, the Keras layer's name). Everything above the encoder is this small, so it lives here
 * and not in the encoder.
 */
public final class BertClassifier {
    public static final String HEAD_SCOPE = "classifier";
    private static final float HEAD_DROPOUT = 0.1f;

    public final BertModel bert;
    /** {@code [batch]}: the logit of the positive class. */
    public final Operand<TFloat32> logits;
    /** {@code [batch]}: sigmoid of the logit, for callers that want a probability. */
    public final Operand<TFloat32> probabilities;

    public BertClassifier(BertConfig config, NamedVariables vars, BertModel.Dropout dropout) {
        bert = new BertModel(config, vars, dropout);
        Ops tf = vars.scope(HEAD_SCOPE);
        Operand<TFloat32> pooled = dropout.apply(tf, bert.pooledOutput, HEAD_DROPOUT);
        Operand<TFloat32> logit = bert.dense(HEAD_SCOPE, pooled, config.hiddenSize, 1);
        Ops root = vars.scope("");
        logits = root.withName("logits").reshape(logit, root.constant(new int[] {-1}));
        probabilities = root.withName("probabilities").math.sigmoid(logits);
    }
}
