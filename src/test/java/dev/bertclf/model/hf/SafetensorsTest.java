package dev.bertclf.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.bertclf.model.ModelException;
import dev.bertclf.testutil.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader: every float dtype read exactly, and every damaged header refused before any allocation. */
class SafetensorsTest {
    private static final float[] VALUES = {0f, -0f, 1f, -2.5f, 0.1f, 3.14159f, 1e-6f, -65504f, 6.1e-5f, 1e-7f};

    @TempDir
    Path tmp;

    private Path file() throws IOException {
        return new SafetensorsWriter()
                .metadata("format", "pt")
                .put("a", "F32", new long[] {2, 5}, VALUES)
                .put("b", "F16", new long[] {10}, VALUES)
                .put("c", "BF16", new long[] {5, 2}, VALUES)
                .put("ids", "I64", new long[] {2}, new byte[16])
                .write(tmp.resolve("ok.safetensors"));
    }

    @Test
    void floatDtypesAreReadAsTheValuesTheyStore() throws Exception {
        try (Safetensors st = Safetensors.open(file())) {
            assertEquals(List.of("a", "b", "c", "ids"), List.copyOf(st.tensors().keySet()), "__metadata__ skipped");
            assertArrayEquals(new long[] {5, 2}, st.tensors().get("c").shape());
            for (String name : List.of("a", "b", "c")) {
                String dtype = st.tensors().get(name).dtype().name();
                float[] read = st.floats(name);
                for (int i = 0; i < VALUES.length; i++) {
                    assertEquals(SafetensorsWriter.stored(dtype, VALUES[i]), read[i], 0f, name + "[" + i + "]");
                }
            }
            ModelException e = assertThrows(ModelException.class, () -> st.floats("ids"));
            assertTrue(e.getMessage().contains("tensor ids is I64; a weight must be F32, F16, BF16"), e.getMessage());
        }
    }

    /** Every half: the reader's conversion against the value the format defines, NaN, infinities and subnormals. */
    @Test
    void everyHalfConvertsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Safetensors.halfToFloat(bits);
            int e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
            if (e == 0x1f) {
                assertTrue(m == 0 ? Float.isInfinite(f) : Float.isNaN(f), Integer.toHexString(bits));
            } else {
                double v = e == 0 ? m * Math.pow(2, -24) : Math.pow(2, e - 15) * (1 + m / 1024.0);
                assertEquals((bits & 0x8000) != 0 ? -v : v, f, 0, Integer.toHexString(bits));
            }
        }
    }

    /** A large tensor is read in several chunks. */
    @Test
    void largeTensorsAreReadInChunks() throws Exception {
        float[] big = new float[700_000];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f;
        Path f = new SafetensorsWriter()
                .put("big", "F32", new long[] {700, 1000}, big)
                .write(tmp.resolve("big"));
        try (Safetensors st = Safetensors.open(f)) {
            assertArrayEquals(big, st.floats("big"));
        }
    }

    private void assertDamaged(Path file, String... parts) {
        ModelException e =
                assertThrows(ModelException.class, () -> Safetensors.open(file).close());
        assertTrue(e.getMessage().contains("the safetensors file " + file), e.getMessage());
        for (String p : parts) assertTrue(e.getMessage().contains(p), e.getMessage());
    }

    private Path withHeaderLength(long length, int bytesAfter) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + bytesAfter).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length);
        return Files.write(tmp.resolve("len-" + length), b.array());
    }

    @Test
    void aLyingOrShortHeaderLengthIsRefused() throws Exception {
        assertDamaged(Files.write(tmp.resolve("short"), new byte[5]), "is 5 bytes long, too short");
        assertDamaged(withHeaderLength(1L << 40, 10), "declares a header of 1099511627776 bytes", "not a safetensors");
        assertDamaged(withHeaderLength(-1, 10), "declares a header of 18446744073709551615 bytes");
        assertDamaged(withHeaderLength(1000, 10), "declares a header of 1000 bytes but has only 10 after it");
        assertDamaged(
                Files.write(tmp.resolve("zip"), Arrays.copyOf(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0}, 64)),
                "declares a header of");
    }

    @Test
    void aHeaderThatIsNotJsonIsRefused() throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        assertDamaged(w.write(tmp.resolve("garbage"), "{not json"), "header that is not a JSON object");
        assertDamaged(w.write(tmp.resolve("array"), "[1, 2]"), "header that is not a JSON object");
        assertDamaged(w.write(tmp.resolve("entry"), "{\"a\": 3}"), "header entry a that is not an object");
    }

    /** A header edited after writing: the data stays, one field of tensor {@code a} changes. */
    private Path edited(String name, String key, String json) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter()
                .put("a", "F32", new long[] {2, 2}, new float[4])
                .put("b", "F32", new long[] {2}, new float[2]);
        JsonObject header = w.header();
        header.getAsJsonObject("a").add(key, com.google.gson.JsonParser.parseString(json));
        return w.write(tmp.resolve(name), header.toString());
    }

    @Test
    void offsetsOutsideTheFileAreRefused() throws Exception {
        assertDamaged(edited("outside", "data_offsets", "[0, 4000]"), "tensor a has data_offsets [0, 4000] outside");
        assertDamaged(edited("reversed", "data_offsets", "[16, 0]"), "data_offsets [16, 0] outside");
        assertDamaged(edited("negative", "data_offsets", "[-8, 16]"), "not non-negative integers");
        assertDamaged(edited("fraction", "data_offsets", "[0.5, 16]"), "not non-negative integers");
        assertDamaged(edited("huge", "data_offsets", "[0, 1e30]"), "not non-negative integers");
        assertDamaged(edited("three", "data_offsets", "[0, 8, 16]"), "has more than 2 data_offsets");
        assertDamaged(edited("one", "data_offsets", "[0]"), "has 1 data_offsets instead of 2");
    }

    @Test
    void aShapeThatDoesNotMatchTheBytesIsRefused() throws Exception {
        assertDamaged(edited("bigger", "shape", "[2, 3]"), "shape [2, 3] and dtype F32 needs 24 bytes", "span 16");
        assertDamaged(edited("overflow", "shape", "[4294967296, 4294967296, 4294967296]"), "the impossible shape");
        assertDamaged(edited("negative-dim", "shape", "[-2, -2]"), "not non-negative integers");
        assertDamaged(
                edited("dtype-size", "dtype", "\"F64\""), "dtype F64 needs 32 bytes but its data_offsets span 16");
    }

    @Test
    void anUnknownDtypeIsRefused() throws Exception {
        assertDamaged(edited("unknown", "dtype", "\"Q4_K\""), "tensor a has the unknown dtype 'Q4_K'");
        assertDamaged(edited("missing", "dtype", "null"), "tensor a has no dtype");
    }

    @Test
    void overlappingTensorsAreRefused() throws Exception {
        assertDamaged(edited("overlap", "data_offsets", "[8, 24]"), "tensors a and b overlap");
    }

    /**
     * A header that is valid but lies at scale (a tensor of a million zero-sized dimensions, a million empty tensors,
     * once parsed into a tree of gigabytes) is refused while it is read; so are a name given twice and text after it.
     */
    @Test
    void aHeaderThatLiesAtScaleIsRefusedAsItIsRead() throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        StringBuilder dims = new StringBuilder("[0");
        for (int i = 0; i < 1_000_000; i++) dims.append(",0");
        assertDamaged(
                w.write(
                        tmp.resolve("dims"),
                        "{\"a\": {\"dtype\": \"F32\", \"shape\": " + dims + "], \"data_offsets\": [0, 0]}}"),
                "tensor a has more than 8 shape");
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= Safetensors.MAX_TENSORS; i++) {
            many.append(i == 0 ? "" : ",")
                    .append("\"t")
                    .append(i)
                    .append("\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}");
        }
        assertDamaged(w.write(tmp.resolve("many"), many + "}"), "declares more than 100000 tensors");
        String entry = "{\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}";
        assertDamaged(
                w.write(tmp.resolve("twice"), "{\"a\": " + entry + ", \"a\": " + entry + "}"),
                "names the tensor a twice");
        assertDamaged(w.write(tmp.resolve("trailing"), "{\"a\": " + entry + "} {}"), "not a JSON object");
        try (Safetensors padded = Safetensors.open(w.write(tmp.resolve("padded"), "{\"a\": " + entry + "}      "))) {
            assertEquals(1, padded.tensors().size(), "padded with spaces, as the format allows");
        }
    }
}
