package dev.bertclf.model.checkpoint;

import java.nio.file.Path;

/**
 * File names of a TF1 name-based checkpoint. A checkpoint is addressed by its prefix ({@code bert_model.ckpt}),
 * which is not a file itself: TensorFlow adds {@code .index} and one {@code .data-NNNNN-of-MMMMM} per shard.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {}

    public static Path index(Path prefix) {
        return sibling(prefix, ".index");
    }

    public static Path dataShard(Path prefix, int shard, int numShards) {
        return sibling(prefix, String.format(".data-%05d-of-%05d", shard, numShards));
    }

    private static Path sibling(Path prefix, String suffix) {
        return prefix.resolveSibling(prefix.getFileName() + suffix);
    }
}
