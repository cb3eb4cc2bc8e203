package dev.bertclf.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The tutorial's classifier: BERT's pooled output, Dropout(0.1), then one dense logit ({@code classifier/kernel},
 * {@code classifier/bias}, the Keras layer's name). Everything above the encoder is this small, so it lives here
 * and not in the encoder. Two classes keep the tutorial's single logit and sigmoid (its golden figures depend on
 * it); more than two get one logit per class and a softmax, as Google's {@code run_classifier} does. A multi-label
 * classifier has one logit and one independent sigmoid per class, however many classes.
 */
public final class BertClassifier {
    public static final String HEAD_SCOPE = "classifier";
    private static final float HEAD_DROPOUT = 0.1f;

    public final BertModel bert;
    public final int numClasses;
    public final boolean multiLabel;
    /** {@code [batch]}: the logit of the positive class; {@code [batch, numClasses]} for more than two classes. */
    public final Operand<TFloat32> logits;
    /** Sigmoid of the logit ({@code [batch]}), or softmax over the classes ({@code [batch, numClasses]}). */
    public final Operand<TFloat32> probabilities;

    /** A binary classifier, the tutorial's. */
    public BertClassifier(BertConfig config, NamedVariables vars, Mode mode, Dropout dropout) {
        this(config, vars, mode, dropout, 2);
    }

    /** The encoder and the head; {@code mode} and {@code dropout} as for {@link BertModel}. */
    public BertClassifier(BertConfig config, NamedVariables vars, Mode mode, Dropout dropout, int numClasses) {
        this(config, vars, mode, dropout, numClasses, false);
    }

    /** With {@code multiLabel}: a sigmoid per class ({@code [batch, numClasses]}) instead of a softmax. */
    public BertClassifier(
            BertConfig config, NamedVariables vars, Mode mode, Dropout dropout, int numClasses, boolean multiLabel) {
        this(config, vars, mode, dropout, numClasses, multiLabel, DenseLayers.STANDARD);
    }

    /** With the dense layers, the head's included, built as {@code dense} says. */
    public BertClassifier(
            BertConfig config,
            NamedVariables vars,
            Mode mode,
            Dropout dropout,
            int numClasses,
            boolean multiLabel,
            DenseLayers dense) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classifier needs at least two classes: " + numClasses);
        }
        this.numClasses = numClasses;
        this.multiLabel = multiLabel;
        bert = new BertModel(config, vars, mode, dropout, dense);
        Ops tf = vars.scope(HEAD_SCOPE);
        Operand<TFloat32> pooled = bert.dropout(tf, bert.pooledOutput, HEAD_DROPOUT);
        Operand<TFloat32> logit =
                bert.dense(HEAD_SCOPE, pooled, config.hiddenSize, logitsPerExample(numClasses, multiLabel));
        Ops root = vars.scope("");
        if (multiLabel) {
            logits = root.withName("logits").identity(logit);
            probabilities = root.withName("probabilities").math.sigmoid(logits);
        } else if (numClasses == 2) {
            logits = root.withName("logits").reshape(logit, root.constant(new int[] {-1}));
            probabilities = root.withName("probabilities").math.sigmoid(logits);
        } else {
            logits = root.withName("logits").identity(logit);
            probabilities = root.withName("probabilities").nn.softmax(logits);
        }
    }

    /** 1 for two classes (the positive class's logit), else one per class. */
    public static int logitsPerExample(int numClasses) {
        return logitsPerExample(numClasses, false);
    }

    /** One per class for a multi-label classifier, else {@link #logitsPerExample(int)}. */
    public static int logitsPerExample(int numClasses, boolean multiLabel) {
        return numClasses == 2 && !multiLabel ? 1 : numClasses;
    }
}
