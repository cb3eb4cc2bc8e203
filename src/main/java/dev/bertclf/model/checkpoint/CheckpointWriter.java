package dev.bertclf.model.checkpoint;

import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.TfRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Save;
import org.tensorflow.types.family.TType;

/**
 * Saves weights as a TF1 name-based checkpoint, the format of Google's BERT release, so that a fine-tuned model
 * can be read back by this tool, by Google's scripts or by any TensorFlow program. A crash mid-save must not leave
 * a checkpoint that looks complete: files are written under a temporary prefix and renamed data first, index last,
 * since the index is what makes a checkpoint visible.
 */
public final class CheckpointWriter {
    private CheckpointWriter() {}

    /**
     * Writes the tensors under their names (e.g. {@code bert/embeddings/word_embeddings}); does not close them.
     * Any tensor type is accepted: weights are float32, but a TF2 checkpoint also holds its object graph as a string.
     */
    public static void write(Path prefix, Map<String, ? extends TType> tensors) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("nothing to save to " + prefix);
        if (tensors.containsKey("")) throw new IllegalArgumentException("a variable name must not be empty");
        TfRuntime.engine();
        Path target = prefix.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(target.getParent());
            save(temp, tensors);
            publish(temp, target);
        } catch (TensorFlowException | IOException e) {
            throw new CheckpointException("cannot write the checkpoint " + prefix + ": " + e.getMessage(), e);
        } finally {
            deleteTempFiles(temp);
        }
    }

    private static void save(Path prefix, Map<String, ? extends TType> tensors) {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            List<Placeholder<?>> inputs = new ArrayList<>();
            for (TType t : tensors.values()) {
                inputs.add(tf.placeholder(t.type(), Placeholder.shape(t.shape())));
            }
            String[] names = tensors.keySet().toArray(String[]::new);
            String[] wholeTensors = new String[names.length];
            Arrays.fill(wholeTensors, "");
            Save save = tf.train.save(
                    tf.constant(prefix.toString()),
                    tf.constant(StandardCharsets.UTF_8, names),
                    tf.constant(StandardCharsets.UTF_8, wholeTensors),
                    new ArrayList<Operand<?>>(inputs));
            try (Session session = new Session(graph)) {
                Session.Runner runner = session.runner().addTarget(save);
                int i = 0;
                for (TType t : tensors.values()) runner.feed(inputs.get(i++), t);
                runner.run().close();
            }
        }
    }

    /** Moves every data shard, then the index, from the temporary prefix to the final one. */
    private static void publish(Path temp, Path target) throws IOException {
        int shards = CheckpointIndex.readBundle(temp).header().getNumShards(); // also proves the index reads back
        for (int shard = 0; shard < shards; shard++) {
            FileUtil.atomicMove(
                    CheckpointFiles.dataShard(temp, shard, shards), CheckpointFiles.dataShard(target, shard, shards));
        }
        FileUtil.atomicMove(CheckpointFiles.index(temp), CheckpointFiles.index(target));
    }

    private static void deleteTempFiles(Path temp) {
        String name = temp.getFileName().toString();
        try (var files = Files.list(temp.getParent())) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(name))
                    .toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // Leftover hidden temp files are harmless; the original error, if any, matters more.
        }
    }
}
