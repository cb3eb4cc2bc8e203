package dev.bertclf.model.checkpoint;

import dev.bertclf.runtime.TfRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Loads float32 variables of a TF1 checkpoint by name (Google's BERT weights, or ours). Everything that can be
 * checked in Java is checked first (names, types, data file sizes), so that a wrong or damaged checkpoint is
 * reported in the user's terms rather than as a TensorFlow error, or worse, inside native code.
 */
public final class CheckpointReader {
    private static final int SUGGESTIONS = 3;
    private static final int MISSING_LISTED = 5;

    private CheckpointReader() {}

    /**
     * Restores the named variables, in the order given. The caller owns the returned tensors and must close them.
     *
     * @throws CheckpointException if a name is missing or not float32, or the checkpoint is damaged
     */
    public static Map<String, TFloat32> read(Path prefix, Collection<String> names) {
        return read(prefix, names, Map.of());
    }

    /**
     * Like {@link #read(Path, Collection)}, and also checks that every variable has the shape the model expects,
     * so that a checkpoint of another model size fails with both shapes named instead of deep inside the graph.
     *
     * @param expectedShapes variable name to shape, in the order the tensors are returned
     */
    public static Map<String, TFloat32> readWithShapes(Path prefix, Map<String, long[]> expectedShapes) {
        return read(prefix, expectedShapes.keySet(), expectedShapes);
    }

    /**
     * The bytes of a scalar string variable, such as the {@code _CHECKPOINTABLE_OBJECT_GRAPH} that describes a TF2
     * object-based checkpoint: restoring it through TensorFlow keeps one reader for every tensor format.
     *
     * @throws CheckpointException if the checkpoint has no such variable, or it is not a string
     */
    public static byte[] readString(Path prefix, String name) {
        CheckpointIndex.Bundle bundle = CheckpointIndex.readBundle(prefix);
        BundleEntryProto e = bundle.entries().get(name);
        if (e == null) {
            throw new CheckpointException("checkpoint " + prefix + " has no variable '" + name + "'");
        }
        if (e.getDtype() != DataType.DT_STRING || CheckpointIndex.dims(e.getShape()).length != 0) {
            throw new CheckpointException("variable '" + name + "' of checkpoint " + prefix + " is " + e.getDtype()
                    + Arrays.toString(CheckpointIndex.dims(e.getShape())) + ", expected a DT_STRING scalar");
        }
        checkDataFiles(bundle, List.of(name));
        TfRuntime.engine();
        try (TString t = (TString)
                restore(prefix.toAbsolutePath(), List.of(name), TString.class).get(name)) {
            return t.asBytes().getObject();
        } catch (TensorFlowException ex) {
            throw new CheckpointException(
                    "cannot restore '" + name + "' from the checkpoint " + prefix + " (is it damaged?): "
                            + ex.getMessage().lines().findFirst().orElse(""),
                    ex);
        }
    }

    /**
     * Checks that the data files hold every variable the index lists, without reading them: a model folder that
     * was cut short by an interrupted copy is then refused by name before TensorFlow restores it.
     *
     * @throws CheckpointException naming the short or missing file
     */
    public static void checkDataFiles(Path prefix) {
        CheckpointIndex.Bundle bundle = CheckpointIndex.readBundle(prefix);
        checkDataFiles(bundle, List.copyOf(bundle.entries().keySet()));
    }

    private static Map<String, TFloat32> read(Path prefix, Collection<String> names, Map<String, long[]> shapes) {
        CheckpointIndex.Bundle bundle = CheckpointIndex.readBundle(prefix);
        List<String> wanted = List.copyOf(new LinkedHashSet<>(names));
        if (wanted.isEmpty()) return new LinkedHashMap<>();
        checkEntries(bundle, wanted, shapes);
        checkDataFiles(bundle, wanted);
        TfRuntime.engine();
        try {
            Map<String, TFloat32> tensors = new LinkedHashMap<>();
            restore(prefix.toAbsolutePath(), wanted, TFloat32.class).forEach((n, t) -> tensors.put(n, (TFloat32) t));
            return tensors;
        } catch (TensorFlowException e) {
            throw new CheckpointException(
                    "cannot restore variables from the checkpoint " + prefix + " (is it damaged?): "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /** Names must exist and be float32; shapes are compared for the names {@code shapes} has. */
    private static void checkEntries(CheckpointIndex.Bundle bundle, List<String> wanted, Map<String, long[]> shapes) {
        List<String> problems = new ArrayList<>();
        int missing = 0;
        for (String name : wanted) {
            BundleEntryProto e = bundle.entries().get(name);
            if (e == null) {
                if (missing++ < MISSING_LISTED) {
                    problems.add("no variable '" + name + "' (closest: "
                            + String.join(
                                    ", ",
                                    ClosestNames.closest(name, bundle.entries().keySet(), SUGGESTIONS)) + ")");
                }
            } else if (e.getDtype() != DataType.DT_FLOAT) {
                problems.add("variable '" + name + "' is " + e.getDtype() + ", expected DT_FLOAT");
            } else if (shapes.containsKey(name)) {
                long[] shape = CheckpointIndex.dims(e.getShape());
                if (!Arrays.equals(shape, shapes.get(name))) {
                    problems.add("variable '" + name + "' has shape " + Arrays.toString(shape)
                            + " but the model expects " + Arrays.toString(shapes.get(name)));
                }
            }
        }
        if (missing > MISSING_LISTED) problems.add("and " + (missing - MISSING_LISTED) + " more missing variables");
        if (!problems.isEmpty()) {
            throw new CheckpointException(
                    "checkpoint " + bundle.prefix() + " (" + bundle.entries().size()
                            + " variables) cannot provide what is asked: " + String.join("; ", problems));
        }
    }

    /** A data file shorter than the index says is the usual sign of an interrupted copy or download. */
    private static void checkDataFiles(CheckpointIndex.Bundle bundle, List<String> wanted) {
        int shards = bundle.header().getNumShards();
        Map<Integer, Long> sizes = new HashMap<>();
        for (String name : wanted) {
            BundleEntryProto e = bundle.entries().get(name);
            if (e.getSlicesCount() > 0) continue; // partitioned: its slices are checked by TensorFlow
            Path data = CheckpointFiles.dataShard(bundle.prefix(), e.getShardId(), shards);
            long size = sizes.computeIfAbsent(e.getShardId(), shard -> sizeOf(data));
            long needed = e.getOffset() + e.getSize();
            if (size < needed) {
                throw new CheckpointException(data + " is truncated: it has " + size + " bytes but variable '" + name
                        + "' ends at byte " + needed + ". Copy or download the checkpoint again");
            }
        }
    }

    private static long sizeOf(Path data) {
        try {
            return Files.size(data);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(
                    "the checkpoint data file " + data + " is missing; it must sit next to " + "the .index file", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read the checkpoint data file " + data + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, TType> restore(Path prefix, List<String> names, Class<? extends TType> type) {
        String[] wholeTensors = new String[names.size()];
        Arrays.fill(wholeTensors, "");
        List<Class<? extends TType>> types = Collections.nCopies(names.size(), type);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Restore restore = tf.train.restore(
                    tf.constant(prefix.toString()),
                    tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
                    tf.constant(StandardCharsets.UTF_8, wholeTensors),
                    types);
            try (Session session = new Session(graph)) {
                Session.Runner runner = session.runner();
                for (Output<?> out : restore.tensors()) runner.fetch(out);
                // Not closed: closing a Result closes its tensors, which we hand to the caller.
                Result result = runner.run();
                Map<String, TType> tensors = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) tensors.put(names.get(i), (TType) result.get(i));
                return tensors;
            }
        }
    }
}
