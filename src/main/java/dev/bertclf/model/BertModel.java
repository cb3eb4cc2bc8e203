package dev.bertclf.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint16;

/**
 * BERT's encoder as a TensorFlow graph, written to read side by side with Google's {@code modeling.py}: the same
 * layers in the same order, the same variable names ({@code bert/encoder/layer_3/attention/self/query/kernel}),
 * the same GELU, LayerNorm epsilon and additive attention mask. Matching names is what lets a pretrained
 * checkpoint restore by name; matching arithmetic is what makes its outputs equal Google's.
 *
 * <p>The tutorial's other encoders are this graph with a few switches from {@link BertConfig}, each under the names
 * its own release uses: ELECTRA ({@code electra/...}, embeddings narrower than the hidden size projected by
 * {@code electra/embeddings_project}, no pooler), ALBERT (projection {@code bert/encoder/embedding_hidden_mapping_in},
 * one set of layer weights under {@code bert/encoder/transformer/group_0/inner_group_0} shared by every layer) and
 * the talking-heads BERT (heads mixed by {@code attention/self/pre_softmax_weight} and
 * {@code post_softmax_weight}, gated-GELU feed-forward with {@code intermediate/gate}).
 *
 * <p>Hidden states are kept as a 2-D {@code [batch * seq_len, hidden]} matrix between layers, as modeling.py's
 * {@code reshape_to_matrix} does, so every dense layer is one plain MatMul. Batch size and sequence length are
 * dynamic: the same graph serves training at 128 tokens and inference padded to the longest text.
 */
public final class BertModel {
    private static final float LAYER_NORM_EPSILON = 1e-12f;
    /** ALBERT's one shared layer, as {@code modeling.py} scopes it. */
    private static final String ALBERT_LAYER = "bert/encoder/transformer/group_0/inner_group_0";

    public final Placeholder<TInt32> inputWordIds;
    public final Placeholder<TInt32> inputMask;
    public final Placeholder<TInt32> inputTypeIds;
    /** {@code [batch, seq_len, hidden]}: one vector per token. */
    public final Operand<TFloat32> sequenceOutput;
    /** {@code [batch, hidden]}: the [CLS] vector, through the pooler's tanh dense layer where the family has one. */
    public final Operand<TFloat32> pooledOutput;
    /** {@code [batch, seq_len, embedding]}: the looked-up word embeddings, for a row-wise embedding gradient. */
    public Operand<TFloat32> embeddedWords;

    private final BertConfig config;
    private final NamedVariables vars;
    private final Dropout dropout;
    private final Operand<TInt32> batch;
    private final Operand<TInt32> seqLen;

    /** Where one transformer layer's weights live: per layer in BERT and ELECTRA, one shared set in ALBERT. */
    private record LayerNames(String layer, String selfAttention, String attentionOutput, String attentionNorm,
                              String intermediate, String output, String outputNorm) {
        static LayerNames bert(String layer) {
            return new LayerNames(layer, layer + "/attention/self", layer + "/attention/output/dense",
                    layer + "/attention/output/LayerNorm", layer + "/intermediate", layer + "/output/dense",
                    layer + "/output/LayerNorm");
        }

        static LayerNames albert() {
            String l = ALBERT_LAYER;
            return new LayerNames(l, l + "/attention_1/self", l + "/attention_1/output/dense", l + "/LayerNorm",
                    l + "/ffn_1/intermediate", l + "/ffn_1/intermediate/output/dense", l + "/LayerNorm_1");
        }
    }

    /**
     * Builds the encoder into {@code vars}' graph. {@code dropout} is {@link Dropout#NONE} for graphs that only
     * ever infer (exported models carry no random ops).
     */
    public BertModel(BertConfig config, NamedVariables vars, Dropout dropout) {
        this.config = config;
        this.vars = vars;
        this.dropout = dropout;
        Ops tf = vars.scope("");
        inputWordIds = tf.withName("input_word_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        inputMask = tf.withName("input_mask").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        inputTypeIds = tf.withName("input_type_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Operand<TInt32> inputShape = tf.shape(inputWordIds);
        batch = tf.gather(inputShape, tf.constant(0), tf.constant(0));
        seqLen = tf.gather(inputShape, tf.constant(1), tf.constant(0));

        String root = config.scope();
        Operand<TFloat32> x = embeddings(root + "/embeddings");
        if (config.embeddingWidth() != config.hiddenSize) {
            String projection = config.isAlbert() ? "bert/encoder/embedding_hidden_mapping_in" : root + "/embeddings_project";
            x = dense(projection, x, config.embeddingWidth(), config.hiddenSize);
        }
        Operand<TFloat32> attentionMask = attentionMaskAdder(root + "/encoder");
        for (int layer = 0; layer < config.numHiddenLayers; layer++) {
            LayerNames names = config.isAlbert() ? LayerNames.albert() : LayerNames.bert(root + "/encoder/layer_" + layer);
            x = transformerLayer(names, x, attentionMask);
        }
        Ops enc = vars.scope(root + "/encoder");
        sequenceOutput = enc.withName("sequence_output").reshape(x, dims(batch, seqLen, tf.constant(config.hiddenSize)));
        pooledOutput = pooler(root, sequenceOutput);
    }

    /** Word + position + token-type embeddings, then LayerNorm and dropout, all {@code embedding_size} wide. */
    private Operand<TFloat32> embeddings(String scope) {
        Ops tf = vars.scope(scope);
        long e = config.embeddingWidth();
        Variable<TFloat32> wordEmbeddings = variable(scope + "/word_embeddings", config.vocabSize, e);
        Variable<TFloat32> tokenTypeEmbeddings = variable(scope + "/token_type_embeddings", config.typeVocabSize, e);
        Variable<TFloat32> positionEmbeddings = variable(scope + "/position_embeddings", config.maxPositionEmbeddings, e);

        Operand<TFloat32> words = tf.gather(wordEmbeddings, inputWordIds, tf.constant(0));
        embeddedWords = words;
        Operand<TFloat32> types = tf.gather(tokenTypeEmbeddings, inputTypeIds, tf.constant(0));
        Operand<TFloat32> positions = tf.slice(positionEmbeddings, tf.constant(new int[] {0, 0}),
                tf.stack(List.of(seqLen, tf.constant(-1))));
        Operand<TFloat32> sum = tf.math.add(tf.math.add(words, types), positions);
        Operand<TFloat32> matrix = tf.reshape(sum, tf.constant(new int[] {-1, (int) e}));
        return dropout.apply(tf, layerNorm(scope + "/LayerNorm", matrix, e), config.hiddenDropoutProb);
    }

    /** {@code [batch, 1, 1, seq_len]}: 0 where a token may be attended to, -10000 at padding. */
    private Operand<TFloat32> attentionMaskAdder(String scope) {
        Ops tf = vars.scope(scope);
        Operand<TFloat32> mask = tf.dtypes.cast(inputMask, TFloat32.class);
        mask = tf.reshape(mask, dims(batch, tf.constant(1), tf.constant(1), seqLen));
        return tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(-10000f));
    }

    private Operand<TFloat32> transformerLayer(LayerNames n, Operand<TFloat32> layerInput, Operand<TFloat32> maskAdder) {
        Ops tf = vars.scope(n.layer());
        long h = config.hiddenSize;
        Operand<TFloat32> context = selfAttention(n.selfAttention(), layerInput, maskAdder);
        Operand<TFloat32> attentionOutput = dense(n.attentionOutput(), context, h, h);
        attentionOutput = dropout.apply(tf, attentionOutput, config.hiddenDropoutProb);
        attentionOutput = layerNorm(n.attentionNorm(), tf.math.add(attentionOutput, layerInput), h);

        Operand<TFloat32> intermediate = activation(tf,
                dense(n.intermediate() + "/dense", attentionOutput, h, config.intermediateSize));
        if (config.gatedFeedforward) {
            // GatedFeedforward (TF Model Garden): gelu(x W + b) * (x W_gate + b_gate), then the output projection.
            intermediate = tf.math.mul(intermediate, dense(n.intermediate() + "/gate", attentionOutput, h, config.intermediateSize));
        }
        Operand<TFloat32> layerOutput = dense(n.output(), intermediate, config.intermediateSize, h);
        layerOutput = dropout.apply(tf, layerOutput, config.hiddenDropoutProb);
        return layerNorm(n.outputNorm(), tf.math.add(layerOutput, attentionOutput), h);
    }

    /** Multi-head scaled dot-product attention; returns the context as a {@code [batch * seq_len, hidden]} matrix. */
    private Operand<TFloat32> selfAttention(String scope, Operand<TFloat32> x, Operand<TFloat32> maskAdder) {
        Ops tf = vars.scope(scope);
        long h = config.hiddenSize;
        int heads = config.numAttentionHeads, size = config.headSize();
        // The 1/sqrt(head_size) scale goes on the query before the product: the same numbers (a power of two
        // for every head size in the catalogue), and less element-wise work than scaling the scores whenever the
        // sequence is longer than a head is wide (64), as in training at 128 tokens (half).
        Operand<TFloat32> query = splitHeads(tf, tf.math.mul(dense(scope + "/query", x, h, h),
                tf.constant((float) (1.0 / Math.sqrt(size)))));
        Operand<TFloat32> key = splitHeads(tf, dense(scope + "/key", x, h, h));
        Operand<TFloat32> value = splitHeads(tf, dense(scope + "/value", x, h, h));

        // Einsum rather than BatchMatMul: oneDNN runs Einsum and the Einsums of its gradient, while BatchMatMul's
        // gradient falls back to Eigen. Heads-major operands ("BNFH") measured faster than letting Einsum read
        // the [batch, seq, heads, size] layout in place (20 vs 30 ms per layer, forward and backward).
        Operand<TFloat32> scores = tf.linalg.einsum(List.of(query, key), "BNFH,BNTH->BNFT");
        if (config.talkingHeads) scores = mixHeads(tf, scores, variable(scope + "/pre_softmax_weight", heads, heads));
        Operand<TFloat32> probs = tf.nn.softmax(tf.math.add(scores, maskAdder));
        if (config.talkingHeads) probs = mixHeads(tf, probs, variable(scope + "/post_softmax_weight", heads, heads));
        probs = dropout.apply(tf, probs, config.attentionProbsDropoutProb);

        Operand<TFloat32> context = tf.linalg.einsum(List.of(probs, value), "BNFT,BNTH->BNFH");
        context = tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3}));
        return tf.reshape(context, tf.constant(new int[] {-1, heads * size}));
    }

    /**
     * Talking heads: {@code einsum("BNFT,NM->BMFT", scores, weight)}, each output head a learned mix of all heads,
     * as TalkingHeadsAttention computes it (no bias), written as transpose, MatMul, transpose.
     */
    private Operand<TFloat32> mixHeads(Ops tf, Operand<TFloat32> scores, Operand<TFloat32> weight) {
        int heads = config.numAttentionHeads;
        Operand<TFloat32> headsLast = tf.linalg.transpose(scores, tf.constant(new int[] {0, 2, 3, 1}));
        Operand<TFloat32> mixed = tf.linalg.matMul(tf.reshape(headsLast, tf.constant(new int[] {-1, heads})), weight);
        mixed = tf.reshape(mixed, tf.shape(headsLast));
        return tf.linalg.transpose(mixed, tf.constant(new int[] {0, 3, 1, 2}));
    }

    /** {@code [batch * seq_len, hidden]} to {@code [batch, heads, seq_len, head_size]}. */
    private Operand<TFloat32> splitHeads(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> split = tf.reshape(x, dims(batch, seqLen,
                tf.constant(config.numAttentionHeads), tf.constant(config.headSize())));
        return tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
    }

    /** The [CLS] token's final hidden state, through a tanh dense layer unless the family has no pooler. */
    private Operand<TFloat32> pooler(String root, Operand<TFloat32> sequence) {
        String scope = root + "/pooler";
        Ops tf = vars.scope(scope);
        Operand<TFloat32> first = tf.stridedSlice(sequence, Indices.all(), Indices.at(0), Indices.all());
        if (!config.hasPooler()) return tf.withName("pooled_output").identity(first);
        return tf.withName("pooled_output").math.tanh(
                dense(scope + "/dense", first, config.hiddenSize, config.hiddenSize));
    }

    /** A fully connected layer with variables {@code scope/kernel [in, out]} and {@code scope/bias [out]}. */
    Operand<TFloat32> dense(String scope, Operand<TFloat32> x, long in, long out) {
        Ops tf = vars.scope(scope);
        Variable<TFloat32> kernel = variable(scope + "/kernel", in, out);
        Variable<TFloat32> bias = variable(scope + "/bias", out);
        return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias);
    }

    /** Layer normalisation over the last axis, with {@code scope/gamma} and {@code scope/beta}. */
    private Operand<TFloat32> layerNorm(String scope, Operand<TFloat32> x, long width) {
        Ops tf = vars.scope(scope);
        Variable<TFloat32> gamma = variable(scope + "/gamma", width);
        Variable<TFloat32> beta = variable(scope + "/beta", width);
        Operand<TFloat32> mean = tf.math.mean(x, tf.constant(-1), Mean.keepDims(true));
        Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, mean), tf.constant(-1), Mean.keepDims(true));
        Operand<TFloat32> normalized = tf.math.mul(tf.math.sub(x, mean),
                tf.math.rsqrt(tf.math.add(variance, tf.constant(LAYER_NORM_EPSILON))));
        return tf.math.add(tf.math.mul(normalized, gamma), beta);
    }

    /** A weight by name; ALBERT's layers ask for the same names again and share the one variable. */
    private Variable<TFloat32> variable(String name, long... dims) {
        return config.isAlbert() ? vars.createOrShare(name, dims) : vars.create(name, dims);
    }

    /** GELU as Google's BERT computes it (tanh approximation), or the exact erf form or ReLU when asked. */
    private Operand<TFloat32> activation(Ops tf, Operand<TFloat32> x) {
        switch (config.hiddenAct) {
            case "relu":
                return tf.nn.relu(x);
            case "gelu_exact":
                return tf.math.mul(tf.math.mul(x, tf.constant(0.5f)), tf.math.add(tf.constant(1f),
                        tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
            default: {
                if (dropout != Dropout.NONE) {
                    // Training graphs: the same function written as x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)).
                    // Its gradient keeps three [tokens, intermediate_size] tensors alive where the tanh form's keeps
                    // five: about 300 MB less at batch 32 with L-4 H-512, and no slower.
                    double c = Math.sqrt(2 / Math.PI);
                    Operand<TFloat32> z = tf.math.mul(x, tf.math.add(tf.math.mul(tf.math.square(x),
                            tf.constant((float) (2 * c * 0.044715))), tf.constant((float) (2 * c))));
                    return tf.math.mul(x, tf.math.sigmoid(z));
                }
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), its ops in the order of TensorFlow's CPU remapper
                // pattern (0.044715 x * x^2, operands in that order), so that in inference graphs the whole of it
                // fuses with the dense layer before it into one oneDNN MatMul with a GELU post-op.
                Operand<TFloat32> cubic = tf.math.mul(tf.math.mul(tf.constant(0.044715f), x), tf.math.square(x));
                Operand<TFloat32> inner = tf.math.mul(addV2(tf, x, cubic), tf.constant((float) Math.sqrt(2 / Math.PI)));
                Operand<TFloat32> half = tf.math.mul(addV2(tf, tf.math.tanh(inner), tf.constant(1f)), tf.constant(0.5f));
                return tf.math.mul(half, x);
            }
        }
    }

    /** {@code a + b} as the AddV2 op Python's TensorFlow emits: the graph optimiser's fusion patterns name it. */
    private static Operand<TFloat32> addV2(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
        return tf.scope().opBuilder("AddV2", "AddV2").addInput(a.asOutput()).addInput(b.asOutput()).build().output(0);
    }

    @SafeVarargs
    private Operand<TInt32> dims(Operand<TInt32>... d) {
        return vars.scope("").stack(List.of(d));
    }

    /**
     * Where dropout happens. Training graphs scale every rate by a fed switch ({@code 1} while training,
     * {@code 0} for validation) so one graph serves both; inference graphs have no dropout ops at all. The masks
     * are stateless random numbers keyed by (seed, fed step, op), not TensorFlow's stateful generators, so a run
     * resumed from a checkpoint at step N draws exactly the masks an uninterrupted run draws from step N on.
     * Each element's draw is 16 random bits, not a float: the rate is then a multiple of 1/65536 (0.1 becomes
     * 0.100006), and the masks cost half the random numbers, 2% of a training step.
     */
    public static final class Dropout {
        public static final Dropout NONE = new Dropout(null, null, 0);
        /** Distinct stateless seeds for up to this many dropout ops per step. */
        private static final long OPS_PER_STEP = 4096;
        /** The values 16 random bits take. */
        private static final float BITS_RANGE = 65536f;
        private final Operand<TFloat32> switchOn;
        private final Operand<TInt64> step;
        private final long seed;
        private Operand<TInt64> stepBase;
        private int opIndex;

        private Dropout(Operand<TFloat32> switchOn, Operand<TInt64> step, long seed) {
            this.switchOn = switchOn;
            this.step = step;
            this.seed = seed;
        }

        /**
         * Dropout scaled by {@code switchOn}, a scalar fed as 1 while training and 0 otherwise; {@code step}, a fed
         * int64 scalar, selects the step's masks.
         */
        public static Dropout switched(Operand<TFloat32> switchOn, Operand<TInt64> step, long seed) {
            return new Dropout(switchOn, step, seed);
        }

        public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, float rate) {
            if (switchOn == null || rate <= 0) return x;
            if (++opIndex >= OPS_PER_STEP) throw new IllegalStateException("more than " + OPS_PER_STEP + " dropout ops");
            if (stepBase == null) stepBase = tf.math.mul(step, tf.constant(OPS_PER_STEP));
            Operand<TInt64> opSeed = tf.stack(List.of(tf.constant(seed), tf.math.add(stepBase, tf.constant((long) opIndex))));
            // 16 random bits per element (half the random numbers of a float uniform) against the rate rounded to
            // a multiple of 1/65536; kept values are scaled by 1 / (1 - that rate), so the output's mean stays x.
            Operand<TFloat32> threshold = tf.math.minimum(
                    tf.math.round(tf.math.mul(switchOn, tf.constant(rate * BITS_RANGE))), tf.constant(BITS_RANGE - 1));
            Operand<TInt32> n = tf.size(x);
            Operand<TInt32> words = tf.reshape(tf.math.floorDiv(tf.math.add(n, tf.constant(1)), tf.constant(2)),
                    tf.constant(new int[] {1}));
            Operand<TInt32> bits32 = tf.random.statelessRandomUniformFullInt(words, opSeed, TInt32.class);
            Operand<TUint16> bits = tf.reshape(tf.bitcast(bits32, TUint16.class), tf.constant(new int[] {-1}));
            bits = tf.reshape(tf.slice(bits, tf.constant(new int[] {0}), tf.reshape(n, tf.constant(new int[] {1}))),
                    tf.shape(x));
            Operand<TBool> keep = tf.math.greaterEqual(bits, tf.dtypes.cast(threshold, TUint16.class));
            Operand<TFloat32> scale = tf.math.div(tf.constant(BITS_RANGE), tf.math.sub(tf.constant(BITS_RANGE), threshold));
            return tf.math.mul(x, tf.select(keep, scale, tf.constant(0f)));
        }
    }
}
