package dev.bertclf.model.checkpoint;

import static dev.bertclf.model.checkpoint.CheckpointTestSupport.GAMMA;
import static dev.bertclf.model.checkpoint.CheckpointTestSupport.QUERY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

class CheckpointErrorsTest {
    @TempDir
    Path dir;

    Path prefix;
    Path index;
    Path data;

    @BeforeEach
    void writeCheckpoint() {
        prefix = dir.resolve("bert_model.ckpt");
        index = CheckpointFiles.index(prefix);
        data = CheckpointFiles.dataShard(prefix, 0, 1);
        Map<String, TFloat32> tensors = CheckpointTestSupport.bertLikeTensors(5);
        try {
            CheckpointWriter.write(prefix, tensors);
        } finally {
            CheckpointTestSupport.closeAll(tensors);
        }
    }

    @Test
    void missingVariableIsNamedWithTheClosestNames() {
        String wanted = "module/" + QUERY;
        String message = failure(() -> CheckpointReader.read(prefix, List.of(GAMMA, wanted)));

        assertTrue(message.contains("no variable '" + wanted + "'"), message);
        assertTrue(message.contains("closest: " + QUERY), message);
        assertTrue(message.contains(prefix.toString()), message);
    }

    @Test
    void stringReadOfAFloatOrMissingVariableSaysWhatItFound() {
        String message = failure(() -> CheckpointReader.readString(prefix, GAMMA));
        assertTrue(
                message.contains("'" + GAMMA + "'")
                        && message.contains("DT_FLOAT[8]")
                        && message.contains("expected a DT_STRING scalar"),
                message);
        message = failure(() -> CheckpointReader.readString(prefix, "_CHECKPOINTABLE_OBJECT_GRAPH"));
        assertTrue(message.contains("has no variable '_CHECKPOINTABLE_OBJECT_GRAPH'"), message);
    }

    @Test
    void wrongShapeNamesTheVariableAndBothShapes() {
        Map<String, long[]> expected = new java.util.LinkedHashMap<>();
        expected.put(GAMMA, new long[] {8});
        expected.put(QUERY, new long[] {16, 16});
        String message = failure(() -> CheckpointReader.readWithShapes(prefix, expected));

        assertTrue(message.contains("'" + QUERY + "' has shape [8, 8] but the model expects [16, 16]"), message);
        assertTrue(!message.contains(GAMMA), message);
    }

    @Test
    void rightShapesRestore() {
        Map<String, long[]> expected = Map.of(GAMMA, new long[] {8});
        Map<String, TFloat32> restored = CheckpointReader.readWithShapes(prefix, expected);
        try {
            assertEquals(8, restored.get(GAMMA).shape().size());
        } finally {
            CheckpointTestSupport.closeAll(restored);
        }
    }

    @Test
    void missingCheckpointSaysWhichFileItLookedFor() {
        String message = failure(() -> CheckpointIndex.read(dir.resolve("nothing.ckpt")));
        assertTrue(message.contains("nothing.ckpt.index does not exist"), message);
    }

    @Test
    void truncatedDataFileIsReportedBeforeTensorFlowReadsIt() throws IOException {
        byte[] bytes = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(bytes, bytes.length / 2));

        String message = failure(() -> CheckpointReader.read(prefix, List.of(GAMMA, QUERY)));
        assertTrue(message.contains("truncated") && message.contains(data.toString()), message);
    }

    @Test
    void missingDataFileIsReported() throws IOException {
        Files.delete(data);
        String message = failure(() -> CheckpointReader.read(prefix, List.of(GAMMA)));
        assertTrue(message.contains(data + " is missing"), message);
    }

    @Test
    void corruptDataWithTheRightSizeBecomesACheckpointException() throws IOException {
        byte[] bytes = Files.readAllBytes(data);
        for (int i = 0; i < bytes.length; i++) bytes[i] ^= 0x5a;
        Files.write(data, bytes);

        String message = failure(() -> CheckpointReader.read(prefix, List.of(QUERY)));
        assertTrue(message.contains("damaged") && message.contains("Checksum does not match"), message);
    }

    @Test
    void garbageIndexIsNotACheckpoint() throws IOException {
        byte[] garbage = new byte[300];
        new Random(6).nextBytes(garbage);
        Files.write(index, garbage);

        String message = failure(() -> CheckpointReader.read(prefix, List.of(GAMMA)));
        assertTrue(message.contains("is not a TensorFlow checkpoint index"), message);
    }

    @Test
    void tinyIndexIsNotACheckpoint() throws IOException {
        Files.write(index, new byte[] {1, 2, 3});
        assertTrue(failure(() -> CheckpointIndex.read(prefix)).contains("less than a table footer"));
    }

    @Test
    void flippedByteInTheIndexFailsItsChecksum() throws IOException {
        byte[] bytes = Files.readAllBytes(index);
        bytes[indexBlockOffset(bytes) + 2] ^= 0x01;
        Files.write(index, bytes);

        String message = failure(() -> CheckpointIndex.read(prefix));
        assertTrue(message.contains("corrupt") && message.contains("checksum"), message);
    }

    @Test
    void compressedBlockIsRefusedClearly() throws IOException {
        byte[] bytes = Files.readAllBytes(index);
        int typeByte = bytes.length - SsTable.FOOTER_LENGTH - SsTable.BLOCK_TRAILER_LENGTH; // index block's trailer
        bytes[typeByte] = 1;
        int start = indexBlockOffset(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, start, typeByte - start + 1);
        int c = (int) crc.getValue();
        int masked = ((c >>> 15) | (c << 17)) + 0xa282ead8;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(typeByte + 1, masked);
        Files.write(index, bytes);

        String message = failure(() -> CheckpointIndex.read(prefix));
        assertTrue(message.contains("compressed") && message.contains("snappy"), message);
    }

    /** The index block's offset, from the footer (metaindex handle, then index handle, as varints). */
    private static int indexBlockOffset(byte[] file) {
        int[] pos = {file.length - SsTable.FOOTER_LENGTH};
        varint(file, pos);
        varint(file, pos);
        return (int) varint(file, pos);
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if (x < 0x80) return v;
        }
    }

    private static String failure(Executable e) {
        CheckpointException ex = assertThrows(CheckpointException.class, e);
        assertEquals(CheckpointException.class, ex.getClass());
        return ex.getMessage();
    }
}
