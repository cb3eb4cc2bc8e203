package dev.bertclf.model.hub;

import dev.bertclf.model.ModelException;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.model.checkpoint.CheckpointFiles;
import dev.bertclf.model.checkpoint.ClosestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * The weights of a TF Hub TF2 SavedModel encoder (BERT, experts, talking-heads, ALBERT), handed out under the
 * Google TF1 names our graph uses and in its shapes. Only the variables are read, never {@code saved_model.pb}: a
 * SavedModel is a program, and training must not run a downloaded one, just as it never does for Google's
 * TF1 checkpoints.
 */
public final class HubEncoderWeights {
    private static final String VARIABLES = "variables/variables";

    private final Path directory;
    private final ObjectGraphCheckpoint checkpoint;
    private final Map<String, HubVariableNames.Source> sources;
    private final Map<String, long[]> shapes;
    private final HubArchitecture architecture;

    private HubEncoderWeights(Path directory, ObjectGraphCheckpoint checkpoint, HubVariableNames.Mapping mapping) {
        this.directory = directory;
        this.checkpoint = checkpoint;
        this.sources = mapping.sources();
        Map<String, long[]> hubShapes = checkpoint.shapes();
        Map<String, long[]> folded = new LinkedHashMap<>();
        sources.forEach((ours, s) -> folded.put(ours, s.fold().apply(hubShapes.get(s.hubName()), s.hubName())));
        this.shapes = Collections.unmodifiableMap(folded);
        this.architecture = architecture(mapping, hubShapes);
    }

    /**
     * Reads the variable names of the SavedModel in {@code savedModelDir} (the unpacked
     * {@code ?tf-hub-format=compressed} download: {@code saved_model.pb}, {@code variables/}, {@code assets/}).
     *
     * @throws CheckpointException if the folder has no TF2 variables, or they are not an encoder this tool knows
     */
    public static HubEncoderWeights open(Path savedModelDir) {
        Path prefix = savedModelDir.resolve(VARIABLES);
        if (!Files.isRegularFile(CheckpointFiles.index(prefix))) {
            throw new CheckpointException(
                    savedModelDir + " is not a TF2 SavedModel: " + CheckpointFiles.index(prefix) + " does not exist");
        }
        ObjectGraphCheckpoint checkpoint = ObjectGraphCheckpoint.open(prefix);
        String where = "the TF Hub model in " + savedModelDir;
        return new HubEncoderWeights(
                savedModelDir,
                checkpoint,
                HubVariableNames.map(checkpoint.checkpointKeys().keySet(), where));
    }

    public Path directory() {
        return directory;
    }

    /** The sizes the weights imply, to check a registry entry or build a config. */
    public HubArchitecture architecture() {
        return architecture;
    }

    /** Every encoder variable by our name, in the shape our graph uses (attention kernels folded to 2-D). */
    public Map<String, long[]> shapes() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /** The TF2 variable name behind one of our names, for messages; null if there is none. */
    public String hubName(String ourName) {
        HubVariableNames.Source s = sources.get(ourName);
        return s == null ? null : s.hubName();
    }

    /**
     * Restores the named variables, each checked against the shape the model expects first, and returns them
     * under our names in our shapes. The caller closes the tensors.
     *
     * @param wanted our variable name to the shape the graph needs, e.g. from {@code NamedVariables.shapes()}
     *               without the classifier head
     * @throws CheckpointException naming every missing variable (with the closest names) and every shape mismatch
     */
    public Map<String, TFloat32> read(Map<String, Shape> wanted) {
        List<String> problems = new ArrayList<>();
        List<String> hubNames = new ArrayList<>();
        for (var e : wanted.entrySet()) {
            long[] have = shapes.get(e.getKey());
            if (have == null) {
                problems.add("no variable " + e.getKey() + " (closest: "
                        + String.join(", ", ClosestNames.closest(e.getKey(), shapes.keySet(), 3)) + ")");
            } else if (!Arrays.equals(have, e.getValue().asArray())) {
                problems.add("variable " + e.getKey() + " (" + hubName(e.getKey()) + ") has shape "
                        + Arrays.toString(have) + " but the model expects "
                        + Arrays.toString(e.getValue().asArray()));
            } else {
                hubNames.add(hubName(e.getKey()));
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException("the TF Hub model in " + directory + " (" + architecture + ") does not fit: "
                    + ModelException.firstFive(problems, "; "));
        }
        Map<String, TFloat32> restored = checkpoint.read(hubNames);
        Map<String, TFloat32> out = new LinkedHashMap<>();
        for (String name : wanted.keySet()) {
            TFloat32 t = restored.get(hubName(name));
            if (Arrays.equals(t.shape().asArray(), shapes.get(name))) {
                out.put(name, t);
            } else {
                out.put(name, folded(t, shapes.get(name)));
                t.close();
            }
        }
        return out;
    }

    /** The same row-major data under the folded shape: a reshape, as the Model Garden's converter does it. */
    private static TFloat32 folded(TFloat32 t, long[] shape) {
        TFloat32 out = TFloat32.tensorOf(Shape.of(shape));
        t.asRawTensor().data().copyTo(out.asRawTensor().data(), t.numBytes());
        return out;
    }

    private static HubArchitecture architecture(HubVariableNames.Mapping m, Map<String, long[]> hubShapes) {
        Map<String, HubVariableNames.Source> s = m.sources();
        long[] word = hubShapes.get(s.get("bert/embeddings/word_embeddings").hubName());
        long[] positions =
                hubShapes.get(s.get("bert/embeddings/position_embeddings").hubName());
        long[] types =
                hubShapes.get(s.get("bert/embeddings/token_type_embeddings").hubName());
        String layer = m.shared() ? "bert/encoder/transformer/group_0/inner_group_0/" : "bert/encoder/layer_0/";
        String attention = m.shared() ? "attention_1/" : "attention/";
        long[] query =
                hubShapes.get(s.get(layer + attention + "self/query/kernel").hubName());
        long[] intermediate = hubShapes.get(s.get(layer + (m.shared() ? "ffn_1/" : "") + "intermediate/dense/kernel")
                .hubName());
        return new HubArchitecture(
                Math.toIntExact(word[0]),
                Math.toIntExact(query[0]),
                m.shared() ? 0 : m.layerScopes().size(),
                query.length == 3 ? Math.toIntExact(query[1]) : 0,
                Math.toIntExact(intermediate[1]),
                Math.toIntExact(positions[0]),
                Math.toIntExact(types[0]),
                Math.toIntExact(word[1]),
                m.shared(),
                s.containsKey(layer + "attention/self/pre_softmax_weight"),
                s.containsKey(layer + "intermediate/gate/kernel"));
    }
}
