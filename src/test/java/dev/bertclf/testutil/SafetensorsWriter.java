package dev.bertclf.testutil;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code .safetensors} files as the format's specification lays them out (8-byte little-endian header
 * length, JSON header, raw little-endian data), independently of the reader under test, with float data encoded as
 * F32, F16 (round to nearest even, by searching a table of every half's value) or BF16 (the top 16 bits).
 */
public final class SafetensorsWriter {
    /** One tensor to write: dtype name, shape and raw little-endian bytes. */
    public record Entry(String dtype, long[] shape, byte[] data) {}

    private static float[] halves; // every finite non-negative half's value, ascending

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter put(String name, String dtype, long[] shape, byte[] data) {
        entries.put(name, new Entry(dtype, shape, data));
        return this;
    }

    /** {@code values} under {@code dtype} F32, F16 or BF16. */
    public SafetensorsWriter put(String name, String dtype, long[] shape, float[] values) {
        return put(name, dtype, shape, encode(dtype, values));
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The header as the format writes it, with offsets in insertion order. */
    public JsonObject header() {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (var e : entries.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.getValue().dtype());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += e.getValue().data().length;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        return header;
    }

    public Path write(Path file) throws IOException {
        return write(file, header().toString());
    }

    /** Writes {@code headerJson} (possibly a damaged one) before the entries' data. */
    public Path write(Path file, String headerJson) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            out.write(header);
            for (Entry e : entries.values()) out.write(e.data());
        }
        return file;
    }

    public static byte[] encode(String dtype, float[] values) {
        int size = dtype.equals("F32") ? 4 : 2;
        ByteBuffer b = ByteBuffer.allocate(values.length * size).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case "F32" -> b.putFloat(v);
                case "BF16" -> b.putShort((short) (Float.floatToIntBits(v) >>> 16));
                case "F16" -> b.putShort(toHalf(v));
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        return b.array();
    }

    /** What {@code v} becomes once stored as {@code dtype}: what a reader must hand back. */
    public static float stored(String dtype, float v) {
        return switch (dtype) {
            case "F32" -> v;
            case "BF16" -> Float.intBitsToFloat(Float.floatToIntBits(v) & 0xffff0000);
            case "F16" -> halfValue(toHalf(v) & 0xffff);
            default -> throw new IllegalArgumentException(dtype);
        };
    }

    /** The half nearest {@code v} (finite, within the half range), ties to the even one. */
    static short toHalf(float v) {
        float[] table = halves();
        float a = Math.abs(v);
        int i = Arrays.binarySearch(table, a);
        int bits;
        if (i >= 0) {
            bits = i;
        } else {
            int hi = -i - 1, lo = hi - 1;
            if (hi >= table.length) throw new IllegalArgumentException(v + " is beyond the half range");
            double dl = a - table[lo], dh = table[hi] - a;
            bits = dl < dh ? lo : dh < dl ? hi : (lo % 2 == 0 ? lo : hi);
        }
        return (short) (bits | (v < 0 || (v == 0 && 1 / v < 0) ? 0x8000 : 0));
    }

    /** A half's value from its definition: {@code (-1)^s 2^(e-15) (1 + m/1024)}, or {@code m 2^-24} below. */
    static float halfValue(int bits) {
        int e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
        double v = e == 0 ? m * Math.pow(2, -24) : Math.pow(2, e - 15) * (1 + m / 1024.0);
        return (float) ((bits & 0x8000) != 0 ? -v : v);
    }

    private static synchronized float[] halves() {
        if (halves == null) {
            float[] t = new float[0x7c00]; // exponent 31 (inf, NaN) left out
            for (int b = 0; b < t.length; b++) t[b] = halfValue(b);
            halves = t;
        }
        return halves;
    }
}
