package dev.bertclf.model.hub;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.model.checkpoint.CheckpointIndex;
import dev.bertclf.model.checkpoint.CheckpointReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TFloat32;

/**
 * A TF2 object-based checkpoint (the {@code variables/} of a SavedModel) read by variable name. TF2 stores each
 * tensor under the path of the Python object that owned it ({@code encoder/layer_with_weights-3/.../VARIABLE_VALUE}),
 * which depends on how the exporting program was written; the variable's own name ({@code
 * transformer/layer_0/self_attention/query/kernel}) is kept only in the object graph serialized under
 * {@code _CHECKPOINTABLE_OBJECT_GRAPH}. Reading that graph gives stable names without ever loading the
 * SavedModel's program.
 */
public final class ObjectGraphCheckpoint {
    /** The checkpoint key of the serialized {@code TrackableObjectGraph}. */
    public static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

    private final Path prefix;
    private final Map<String, String> keys;
    private final Map<String, long[]> shapes;

    private ObjectGraphCheckpoint(Path prefix, Map<String, String> keys, Map<String, long[]> shapes) {
        this.prefix = prefix;
        this.keys = keys;
        this.shapes = shapes;
    }

    /**
     * Reads the object graph of the checkpoint at {@code prefix} (e.g. {@code saved_model/variables/variables}).
     *
     * @throws CheckpointException if there is no checkpoint, or it is a TF1 checkpoint without an object graph
     */
    public static ObjectGraphCheckpoint open(Path prefix) {
        Map<String, CheckpointIndex.Entry> index = CheckpointIndex.read(prefix);
        if (!index.containsKey(OBJECT_GRAPH_KEY)) {
            throw new CheckpointException("checkpoint " + prefix + " has no " + OBJECT_GRAPH_KEY + ": it is not a TF2 "
                    + "object-based checkpoint (a TF1 checkpoint is read by its variable names directly)");
        }
        TrackableObjectGraph graph;
        try {
            graph = TrackableObjectGraph.parseFrom(CheckpointReader.readString(prefix, OBJECT_GRAPH_KEY));
        } catch (InvalidProtocolBufferException e) {
            throw new CheckpointException(
                    "the object graph of checkpoint " + prefix + " is corrupt: " + e.getMessage(), e);
        }
        Map<String, String> keys = new TreeMap<>();
        Map<String, long[]> shapes = new TreeMap<>();
        for (TrackableObjectGraph.TrackableObject node : graph.getNodesList()) {
            for (TrackableObjectGraph.TrackableObject.SerializedTensor a : node.getAttributesList()) {
                String name = variableName(a.getFullName());
                CheckpointIndex.Entry entry = index.get(a.getCheckpointKey());
                if (name.isEmpty() || entry == null || entry.dtype() != DataType.DT_FLOAT) continue;
                String previous = keys.putIfAbsent(name, a.getCheckpointKey());
                if (previous != null && !previous.equals(a.getCheckpointKey())) {
                    throw new CheckpointException("checkpoint " + prefix + " has two variables named '" + name + "' ("
                            + previous + " and " + a.getCheckpointKey() + "); cannot tell which to use");
                }
                shapes.put(name, entry.shape());
            }
        }
        if (keys.isEmpty()) {
            throw new CheckpointException("the object graph of checkpoint " + prefix + " names no float variables");
        }
        return new ObjectGraphCheckpoint(prefix, Collections.unmodifiableMap(keys), shapes);
    }

    /** {@code name:0} is how Python prints a variable; the object graph stores it without the output index. */
    static String variableName(String fullName) {
        return fullName.replaceFirst(":\\d+$", "");
    }

    public Path prefix() {
        return prefix;
    }

    /** Variable name (without {@code :0}) to checkpoint key, for every float variable, sorted by name. */
    public Map<String, String> checkpointKeys() {
        return keys;
    }

    /** Variable name to shape, sorted by name. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        shapes.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /**
     * Restores the variables by name; the caller closes the tensors.
     *
     * @throws CheckpointException if a name is not a float variable of this checkpoint
     */
    public Map<String, TFloat32> read(Collection<String> names) {
        List<String> checkpointKeys = new ArrayList<>();
        for (String name : names) {
            String key = keys.get(name);
            if (key == null) {
                throw new CheckpointException("checkpoint " + prefix + " has no float variable named '" + name + "'");
            }
            checkpointKeys.add(key);
        }
        Map<String, TFloat32> byKey = CheckpointReader.read(prefix, checkpointKeys);
        Map<String, TFloat32> byName = new LinkedHashMap<>();
        for (String name : names) byName.put(name, byKey.get(keys.get(name)));
        return byName;
    }
}
