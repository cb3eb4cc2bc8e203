package dev.bertclf.model.checkpoint;

import static dev.bertclf.model.checkpoint.CheckpointTestSupport.CUBE;
import static dev.bertclf.model.checkpoint.CheckpointTestSupport.GAMMA;
import static dev.bertclf.model.checkpoint.CheckpointTestSupport.QUERY;
import static dev.bertclf.model.checkpoint.CheckpointTestSupport.STEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

class CheckpointRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void indexListsEveryVariableWithItsTypeAndShape() {
        Path prefix = dir.resolve("bert_model.ckpt");
        Map<String, TFloat32> tensors = CheckpointTestSupport.bertLikeTensors(1);
        try {
            CheckpointWriter.write(prefix, tensors);
        } finally {
            CheckpointTestSupport.closeAll(tensors);
        }

        Map<String, CheckpointIndex.Entry> index = CheckpointIndex.read(prefix);

        assertEquals(List.of(GAMMA, CUBE, QUERY, STEP), List.copyOf(index.keySet()));
        assertEquals(new CheckpointIndex.Entry(DataType.DT_FLOAT, new long[] {8, 8}), index.get(QUERY));
        assertEquals(new CheckpointIndex.Entry(DataType.DT_FLOAT, new long[] {8}), index.get(GAMMA));
        assertEquals(new CheckpointIndex.Entry(DataType.DT_FLOAT, new long[0]), index.get(STEP));
        assertEquals(new CheckpointIndex.Entry(DataType.DT_FLOAT, new long[] {2, 3, 4}), index.get(CUBE));
        assertEquals("DT_FLOAT[2, 3, 4]", index.get(CUBE).toString());
    }

    @Test
    void restoresExactlyTheSavedValuesInTheAskedOrder() {
        Path prefix = dir.resolve("bert_model.ckpt");
        Map<String, TFloat32> saved = CheckpointTestSupport.bertLikeTensors(2);
        Map<String, TFloat32> restored = Map.of();
        try {
            CheckpointWriter.write(prefix, saved);
            restored = CheckpointReader.read(prefix, List.of(STEP, QUERY, CUBE, GAMMA));

            assertEquals(List.of(STEP, QUERY, CUBE, GAMMA), List.copyOf(restored.keySet()));
            for (String name : saved.keySet()) {
                assertEquals(saved.get(name).shape(), restored.get(name).shape(), name);
                assertArrayEquals(
                        CheckpointTestSupport.values(saved.get(name)),
                        CheckpointTestSupport.values(restored.get(name)),
                        0f,
                        name);
            }
        } finally {
            CheckpointTestSupport.closeAll(saved);
            CheckpointTestSupport.closeAll(restored);
        }
    }

    @Test
    void leavesOnlyTheIndexAndOneDataShard() throws IOException {
        Path prefix = dir.resolve("bert_model.ckpt");
        Map<String, TFloat32> tensors = CheckpointTestSupport.bertLikeTensors(3);
        try {
            CheckpointWriter.write(prefix, tensors);
            CheckpointWriter.write(prefix, tensors); // overwriting an existing checkpoint works too
        } finally {
            CheckpointTestSupport.closeAll(tensors);
        }
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of("bert_model.ckpt.data-00000-of-00001", "bert_model.ckpt.index"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void readsAnIndexWithManyPrefixCompressedNames() {
        Path prefix = dir.resolve("many.ckpt");
        Random random = new Random(4);
        Map<String, TFloat32> tensors = new LinkedHashMap<>();
        String[] leaves = {
            "attention/self/query/kernel",
            "attention/self/query/bias",
            "attention/self/key/kernel",
            "attention/self/key/bias",
            "attention/output/dense/kernel",
            "attention/output/LayerNorm/gamma",
            "intermediate/dense/kernel",
            "output/dense/bias"
        };
        for (int layer = 0; layer < 24; layer++) {
            for (String leaf : leaves) {
                tensors.put(
                        "bert/encoder/layer_" + layer + "/" + leaf,
                        CheckpointTestSupport.randomTensor(random, 2, layer + 1));
            }
        }
        try {
            CheckpointWriter.write(prefix, tensors);
        } finally {
            CheckpointTestSupport.closeAll(tensors);
        }

        Map<String, CheckpointIndex.Entry> index = CheckpointIndex.read(prefix);

        assertEquals(tensors.size(), index.size());
        assertEquals(tensors.keySet().stream().sorted().toList(), List.copyOf(index.keySet()));
        assertArrayEquals(
                new long[] {2, 18},
                index.get("bert/encoder/layer_17/output/dense/bias").shape());
    }

    @Test
    void readsAnIndexSpanningSeveralTableBlocks() throws IOException {
        Path prefix = dir.resolve("wide.ckpt");
        Random random = new Random(7);
        Map<String, TFloat32> tensors = new LinkedHashMap<>();
        while (tensors.size() < 2500) { // random 150-character names defeat prefix compression: > 256 KiB of keys
            StringBuilder name = new StringBuilder("v/");
            for (int i = 0; i < 150; i++) name.append((char) ('a' + random.nextInt(26)));
            tensors.put(name.toString(), CheckpointTestSupport.randomTensor(random, 1 + random.nextInt(3)));
        }
        try {
            CheckpointWriter.write(prefix, tensors);
            // TF's tables use 256 KiB blocks at most, so this index has several data blocks
            assertTrue(Files.size(CheckpointFiles.index(prefix)) > 262_144 + 16_384);

            Map<String, CheckpointIndex.Entry> index = CheckpointIndex.read(prefix);

            assertEquals(tensors.keySet().stream().sorted().toList(), List.copyOf(index.keySet()));
            tensors.forEach((name, t) ->
                    assertArrayEquals(t.shape().asArray(), index.get(name).shape(), name));
        } finally {
            CheckpointTestSupport.closeAll(tensors);
        }
    }
}
