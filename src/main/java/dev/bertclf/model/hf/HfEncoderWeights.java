package dev.bertclf.model.hf;

import dev.bertclf.model.BertConfig;
import dev.bertclf.model.ModelException;
import dev.bertclf.model.checkpoint.ClosestNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The encoder weights of a Hugging Face {@code model.safetensors}, handed out under the Google names and in the
 * shapes our graph uses (Linear weights transposed, every float type as float32). Task heads ({@code cls.*},
 * {@code classifier.*}, ELECTRA's {@code discriminator_predictions.*}) are ignored: the classifier head is always
 * fresh. A tensor of the encoder that no variable of ours takes is an error, because ignoring one (a layer beyond
 * {@code num_hidden_layers}) would give a model that loads and computes something else.
 */
public final class HfEncoderWeights {
    private HfEncoderWeights() {}

    /**
     * Checks what can be checked from the header alone, when the model is resolved: the file is a safetensors file,
     * it holds this family's encoder, and its word embeddings are {@code [vocab_size, embedding width]}.
     *
     * @throws ModelException naming the file and the problem
     */
    public static void check(Path file, BertConfig config) {
        try (Safetensors st = Safetensors.open(file)) {
            String prefix = prefix(st, config);
            Safetensors.Tensor words = st.tensors().get(prefix + HfTensorNames.wordEmbeddings());
            long[] expected = {config.vocabSize, config.embeddingWidth()};
            if (!Arrays.equals(words.shape(), expected)) {
                throw new ModelException(file + ": tensor " + words.name() + " has shape "
                        + Arrays.toString(words.shape()) + " but config.json implies " + Arrays.toString(expected));
            }
        }
    }

    /**
     * Reads the variables of {@code wanted} (our names and shapes, without the classifier head) from {@code file}.
     * The caller closes the tensors.
     *
     * @throws ModelException naming every missing tensor (with the closest names), every shape mismatch, and every
     *     encoder tensor left over
     */
    public static Map<String, TFloat32> read(Path file, BertConfig config, Map<String, Shape> wanted) {
        try (Safetensors st = Safetensors.open(file)) {
            String prefix = prefix(st, config);
            Map<String, Safetensors.Tensor> found = new LinkedHashMap<>();
            Map<String, Boolean> transposed = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (var e : wanted.entrySet()) {
                HfTensorNames.Source s = HfTensorNames.source(e.getKey(), config, prefix);
                if (s == null) {
                    problems.add(e.getKey() + " has no Hugging Face counterpart");
                    continue;
                }
                Safetensors.Tensor t = s.candidates().stream()
                        .map(st.tensors()::get)
                        .filter(x -> x != null)
                        .findFirst()
                        .orElse(null);
                long[] shape = hfShape(e.getValue().asArray(), s.transposed());
                if (t == null) {
                    problems.add("no tensor " + s.candidates().get(0) + " (closest: "
                            + String.join(
                                    ", ",
                                    ClosestNames.closest(
                                            s.candidates().get(0), st.tensors().keySet(), 3))
                            + ")");
                } else if (!Arrays.equals(t.shape(), shape)) {
                    problems.add("tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                            + " but config.json implies " + Arrays.toString(shape));
                } else {
                    found.put(e.getKey(), t);
                    transposed.put(e.getKey(), s.transposed());
                }
            }
            Set<String> used = new HashSet<>();
            found.values().forEach(t -> used.add(t.name()));
            List<String> unused = st.tensors().keySet().stream()
                    .filter(n -> HfTensorNames.isEncoderPart(n, prefix) && !used.contains(n))
                    .toList();
            if (!unused.isEmpty()) {
                problems.add("the encoder has tensors the " + config.modelType + " graph of config.json (" + config
                        + ") does not use: " + ModelException.firstFive(unused, ", "));
            }
            if (!problems.isEmpty()) {
                throw new ModelException("the Hugging Face weights " + file + " do not fit config.json: "
                        + ModelException.firstFive(problems, "; "));
            }
            Map<String, TFloat32> out = new LinkedHashMap<>();
            try {
                for (var e : found.entrySet()) {
                    long[] shape = wanted.get(e.getKey()).asArray();
                    float[] values = st.floats(e.getValue().name());
                    if (transposed.get(e.getKey())) values = transpose(values, (int) shape[1], (int) shape[0]);
                    out.put(e.getKey(), TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false)));
                }
            } catch (RuntimeException ex) {
                out.values().forEach(TFloat32::close);
                throw ex;
            }
            return out;
        }
    }

    /** {@code family.} for a task model's save, {@code ""} for a bare encoder's; exactly one must be present. */
    private static String prefix(Safetensors st, BertConfig config) {
        List<String> prefixes = new ArrayList<>();
        for (String p : List.of(HfTensorNames.familyPrefix(config), "")) {
            if (st.tensors().containsKey(p + HfTensorNames.wordEmbeddings())) prefixes.add(p);
        }
        if (prefixes.size() != 1) {
            throw new ModelException("the Hugging Face weights " + st.file()
                    + (prefixes.isEmpty()
                            ? " hold no " + HfTensorNames.familyPrefix(config) + HfTensorNames.wordEmbeddings()
                                    + " (nor " + HfTensorNames.wordEmbeddings() + "): not a " + config.modelType
                                    + " encoder as config.json says"
                            : " hold two encoders (with and without " + HfTensorNames.familyPrefix(config) + ")"));
        }
        return prefixes.get(0);
    }

    /** A Linear weight is {@code [out, in]}: the reverse of our kernel's {@code [in, out]}. */
    private static long[] hfShape(long[] ours, boolean transposed) {
        return transposed ? new long[] {ours[1], ours[0]} : ours;
    }

    /** {@code [rows, cols]} row-major to {@code [cols, rows]}. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        }
        return t;
    }
}
