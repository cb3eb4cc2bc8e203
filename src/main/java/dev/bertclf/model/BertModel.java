package dev.bertclf.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

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
 * <p>Hidden states are kept as a 2-D {@code [B*S, D]} matrix between layers, as modeling.py's
 * {@code reshape_to_matrix} does, so every dense layer is one plain MatMul. Batch size and sequence length are
 * dynamic: the same graph serves training at 128 tokens and inference padded to the longest text. The {@link Mode}
 * decides what differs between training and inference graphs: dropout, and the graph form of GELU.
 *
 * <p>Shapes in comments use modeling.py's letters (its {@code attention_layer} docstring), plus four of ours:
 * <ul>
 *   <li>B: batch size; S: sequence length (in self-attention F = T = S)
 *   <li>F: "from" sequence length (the queries'); T: "to" sequence length (the keys' and values')
 *   <li>N: {@code num_attention_heads}; H: head size, {@code hidden_size / N}
 *   <li>D: {@code hidden_size} (N*H); E: embedding width ({@code embedding_size}, else D);
 *       I: {@code intermediate_size}; V: {@code vocab_size}
 * </ul>
 */
public final class BertModel {
    private static final float LAYER_NORM_EPSILON = 1e-12f;
    /** ALBERT's one shared layer, as {@code modeling.py} scopes it. */
    private static final String ALBERT_LAYER = "bert/encoder/transformer/group_0/inner_group_0";

    /** {@code [B, S]} int32 inputs, as TF Hub's BERT encoders name them. */
    public final Placeholder<TInt32> inputWordIds;

    public final Placeholder<TInt32> inputMask;
    public final Placeholder<TInt32> inputTypeIds;
    /** {@code [B, S, D]}: one vector per token. */
    public final Operand<TFloat32> sequenceOutput;
    /** {@code [B, D]}: the [CLS] vector, through the pooler's tanh dense layer where the family has one. */
    public final Operand<TFloat32> pooledOutput;
    /** {@code [B, S, E]}: the looked-up word embeddings, for a row-wise embedding gradient. */
    public final Operand<TFloat32> embeddedWords;

    private final BertConfig config;
    private final NamedVariables vars;
    private final Mode mode;
    /** The training graph's dropout; null in inference graphs. */
    private final Dropout dropout;

    private final DenseLayers denseLayers;

    private final Operand<TInt32> batch;
    private final Operand<TInt32> seqLen;

    /** Where one transformer layer's weights live: per layer in BERT and ELECTRA, one shared set in ALBERT. */
    private record LayerNames(
            String layer,
            String selfAttention,
            String attentionOutput,
            String attentionNorm,
            String intermediate,
            String output,
            String outputNorm) {
        static LayerNames bert(String layer) {
            return new LayerNames(
                    layer,
                    layer + "/attention/self",
                    layer + "/attention/output/dense",
                    layer + "/attention/output/LayerNorm",
                    layer + "/intermediate",
                    layer + "/output/dense",
                    layer + "/output/LayerNorm");
        }

        static LayerNames albert() {
            String l = ALBERT_LAYER;
            return new LayerNames(
                    l,
                    l + "/attention_1/self",
                    l + "/attention_1/output/dense",
                    l + "/LayerNorm",
                    l + "/ffn_1/intermediate",
                    l + "/ffn_1/intermediate/output/dense",
                    l + "/LayerNorm_1");
        }
    }

    /** The word lookup {@code [B, S, E]} and the embeddings layer's output {@code [B*S, E]}. */
    private record Embedded(Operand<TFloat32> words, Operand<TFloat32> output) {}

    /**
     * Builds the encoder into {@code vars}' graph. A {@link Mode#TRAINING} graph draws its dropout from
     * {@code dropout}; an {@link Mode#INFERENCE} graph has none ({@code dropout} null), so exported models carry no
     * random ops.
     */
    public BertModel(BertConfig config, NamedVariables vars, Mode mode, Dropout dropout) {
        this(config, vars, mode, dropout, DenseLayers.STANDARD);
    }

    /** As above, the dense layers built as {@code dense} says (bf16 training builds them its own way). */
    public BertModel(BertConfig config, NamedVariables vars, Mode mode, Dropout dropout, DenseLayers dense) {
        if ((mode == Mode.TRAINING) != (dropout != null)) {
            throw new IllegalArgumentException("a training graph needs a Dropout and an inference graph has none");
        }
        this.config = config;
        this.vars = vars;
        this.mode = mode;
        this.dropout = dropout;
        this.denseLayers = dense;
        Ops tf = vars.scope("");
        inputWordIds = tf.withName("input_word_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        inputMask = tf.withName("input_mask").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        inputTypeIds = tf.withName("input_type_ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
        Operand<TInt32> inputShape = tf.shape(inputWordIds);
        batch = tf.gather(inputShape, tf.constant(0), tf.constant(0));
        seqLen = tf.gather(inputShape, tf.constant(1), tf.constant(0));

        String root = config.scope();
        Embedded embedded = embeddings(root + "/embeddings");
        embeddedWords = embedded.words();
        Operand<TFloat32> x = embedded.output(); // [B*S, E]
        if (config.embeddingWidth() != config.hiddenSize) {
            String projection =
                    config.isAlbert() ? "bert/encoder/embedding_hidden_mapping_in" : root + "/embeddings_project";
            x = dense(projection, x, config.embeddingWidth(), config.hiddenSize); // [B*S, D]
        }
        Operand<TFloat32> attentionMask = attentionMaskAdder(root + "/encoder");
        for (int layer = 0; layer < config.numHiddenLayers; layer++) {
            LayerNames names =
                    config.isAlbert() ? LayerNames.albert() : LayerNames.bert(root + "/encoder/layer_" + layer);
            x = transformerLayer(names, x, attentionMask); // [B*S, D]
        }
        Ops enc = vars.scope(root + "/encoder");
        sequenceOutput = enc.withName("sequence_output")
                .reshape(x, dims(batch, seqLen, tf.constant(config.hiddenSize))); // [B, S, D]
        pooledOutput = pooler(root, sequenceOutput);
    }

    /** Word + position + token-type embeddings, then LayerNorm and dropout, all E wide. */
    private Embedded embeddings(String scope) {
        Ops tf = vars.scope(scope);
        long e = config.embeddingWidth();
        Variable<TFloat32> wordEmbeddings = variable(scope + "/word_embeddings", config.vocabSize, e);
        Variable<TFloat32> tokenTypeEmbeddings = variable(scope + "/token_type_embeddings", config.typeVocabSize, e);
        Variable<TFloat32> positionEmbeddings =
                variable(scope + "/position_embeddings", config.maxPositionEmbeddings, e);

        Operand<TFloat32> words = tf.gather(wordEmbeddings, inputWordIds, tf.constant(0)); // [B, S, E]
        Operand<TFloat32> types = tf.gather(tokenTypeEmbeddings, inputTypeIds, tf.constant(0));
        Operand<TFloat32> positions = tf.slice(
                positionEmbeddings,
                tf.constant(new int[] {0, 0}),
                tf.stack(List.of(seqLen, tf.constant(-1)))); // [S, E]
        Operand<TFloat32> sum = tf.math.add(tf.math.add(words, types), positions);
        Operand<TFloat32> matrix = tf.reshape(sum, tf.constant(new int[] {-1, (int) e})); // [B*S, E]
        return new Embedded(words, dropout(tf, layerNorm(scope + "/LayerNorm", matrix, e), config.hiddenDropoutProb));
    }

    /** {@code [B, 1, 1, T]} (broadcast over N and F): 0 where a token may be attended to, -10000 at padding. */
    private Operand<TFloat32> attentionMaskAdder(String scope) {
        Ops tf = vars.scope(scope);
        Operand<TFloat32> mask = tf.dtypes.cast(inputMask, TFloat32.class);
        mask = tf.reshape(mask, dims(batch, tf.constant(1), tf.constant(1), seqLen));
        return tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(-10000f));
    }

    /** One transformer layer, {@code [B*S, D]} to {@code [B*S, D]}: attention, then feed-forward. */
    private Operand<TFloat32> transformerLayer(
            LayerNames n, Operand<TFloat32> layerInput, Operand<TFloat32> maskAdder) {
        Ops tf = vars.scope(n.layer());
        long h = config.hiddenSize;
        Operand<TFloat32> context = selfAttention(n.selfAttention(), layerInput, maskAdder);
        Operand<TFloat32> attentionOutput = dense(n.attentionOutput(), context, h, h);
        attentionOutput = dropout(tf, attentionOutput, config.hiddenDropoutProb);
        attentionOutput = layerNorm(n.attentionNorm(), tf.math.add(attentionOutput, layerInput), h);

        Operand<TFloat32> intermediate = Activations.apply(
                tf,
                config.hiddenAct,
                mode,
                mode == Mode.TRAINING ? dropout.kernels() : null,
                dense(n.intermediate() + "/dense", attentionOutput, h, config.intermediateSize)); // [B*S, I]
        if (config.gatedFeedforward) {
            // GatedFeedforward (TF Model Garden): gelu(x W + b) * (x W_gate + b_gate), then the output projection.
            intermediate = tf.math.mul(
                    intermediate, dense(n.intermediate() + "/gate", attentionOutput, h, config.intermediateSize));
        }
        Operand<TFloat32> layerOutput = dense(n.output(), intermediate, config.intermediateSize, h);
        layerOutput = dropout(tf, layerOutput, config.hiddenDropoutProb);
        return layerNorm(n.outputNorm(), tf.math.add(layerOutput, attentionOutput), h);
    }

    /** Multi-head scaled dot-product attention; returns the context as a {@code [B*F, N*H]} matrix. */
    private Operand<TFloat32> selfAttention(String scope, Operand<TFloat32> x, Operand<TFloat32> maskAdder) {
        Ops tf = vars.scope(scope);
        long h = config.hiddenSize;
        int heads = config.numAttentionHeads, size = config.headSize();
        // The 1/sqrt(head_size) scale goes on the query before the product: the same numbers (a power of two
        // for every head size in the catalogue), and less element-wise work than scaling the scores whenever the
        // sequence is longer than a head is wide (64), as in training at 128 tokens (half).
        Operand<TFloat32> query = splitHeads(tf, tf.math.mul(dense(scope + "/query", x, h, h), tf.constant((float)
                (1.0 / Math.sqrt(size))))); // [B, N, F, H]
        Operand<TFloat32> key = splitHeads(tf, dense(scope + "/key", x, h, h));
        Operand<TFloat32> value = splitHeads(tf, dense(scope + "/value", x, h, h)); // [B, N, T, H]

        // Einsum rather than BatchMatMul: oneDNN runs Einsum and the Einsums of its gradient, while BatchMatMul's
        // gradient falls back to Eigen. Heads-major operands ("BNFH") measured faster than letting Einsum read
        // the [batch, seq, heads, size] layout in place (20 vs 30 ms per layer, forward and backward).
        Operand<TFloat32> scores = tf.linalg.einsum(List.of(query, key), "BNFH,BNTH->BNFT"); // [B, N, F, T]
        if (config.talkingHeads) scores = mixHeads(tf, scores, variable(scope + "/pre_softmax_weight", heads, heads));
        Operand<TFloat32> probs = tf.nn.softmax(tf.math.add(scores, maskAdder));
        if (config.talkingHeads) probs = mixHeads(tf, probs, variable(scope + "/post_softmax_weight", heads, heads));
        probs = dropout(tf, probs, config.attentionProbsDropoutProb);

        Operand<TFloat32> context = tf.linalg.einsum(List.of(probs, value), "BNFT,BNTH->BNFH");
        context = tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})); // [B, F, N, H]
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

    /** {@code [B*S, N*H]} to {@code [B, N, S, H]}. */
    private Operand<TFloat32> splitHeads(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> split = tf.reshape(
                x, dims(batch, seqLen, tf.constant(config.numAttentionHeads), tf.constant(config.headSize())));
        return tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
    }

    /** {@code [B, D]}: the [CLS] token's last hidden state, through a tanh dense layer unless the family has none. */
    private Operand<TFloat32> pooler(String root, Operand<TFloat32> sequence) {
        String scope = root + "/pooler";
        Ops tf = vars.scope(scope);
        Operand<TFloat32> first = tf.stridedSlice(sequence, Indices.all(), Indices.at(0), Indices.all());
        if (!config.hasPooler()) return tf.withName("pooled_output").identity(first);
        return tf.withName("pooled_output")
                .math
                .tanh(dense(scope + "/dense", first, config.hiddenSize, config.hiddenSize));
    }

    /** {@code x}, or in a training graph {@code x} through dropout at {@code rate}. */
    Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, float rate) {
        return mode == Mode.TRAINING ? dropout.apply(tf, x, rate) : x;
    }

    /** A fully connected layer with variables {@code scope/kernel [in, out]} and {@code scope/bias [out]}. */
    Operand<TFloat32> dense(String scope, Operand<TFloat32> x, long in, long out) {
        Ops tf = vars.scope(scope);
        Variable<TFloat32> kernel = variable(scope + "/kernel", in, out);
        Variable<TFloat32> bias = variable(scope + "/bias", out);
        return denseLayers.apply(tf, x, kernel, bias);
    }

    /** Layer normalisation over the last axis, with {@code scope/gamma} and {@code scope/beta}. */
    private Operand<TFloat32> layerNorm(String scope, Operand<TFloat32> x, long width) {
        Ops tf = vars.scope(scope);
        Variable<TFloat32> gamma = variable(scope + "/gamma", width);
        Variable<TFloat32> beta = variable(scope + "/beta", width);
        if (mode == Mode.TRAINING && dropout.kernels().fused()) {
            return FusedOps.layerNorm(tf, x, gamma, beta, LAYER_NORM_EPSILON);
        }
        return layerNorm(tf, x, gamma, beta);
    }

    /** {@code (x - mean) / sqrt(variance + 1e-12) * gamma + beta} over the last axis, in TensorFlow's ops. */
    static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta) {
        Operand<TFloat32> mean = tf.math.mean(x, tf.constant(-1), Mean.keepDims(true));
        Operand<TFloat32> variance =
                tf.math.mean(tf.math.squaredDifference(x, mean), tf.constant(-1), Mean.keepDims(true));
        Operand<TFloat32> normalized = tf.math.mul(
                tf.math.sub(x, mean), tf.math.rsqrt(tf.math.add(variance, tf.constant(LAYER_NORM_EPSILON))));
        return tf.math.add(tf.math.mul(normalized, gamma), beta);
    }

    /** A weight by name; ALBERT's layers ask for the same names again and share the one variable. */
    private Variable<TFloat32> variable(String name, long... dims) {
        return config.isAlbert() ? vars.createOrShare(name, dims) : vars.create(name, dims);
    }

    @SafeVarargs
    private Operand<TInt32> dims(Operand<TInt32>... d) {
        return vars.scope("").stack(List.of(d));
    }
}
