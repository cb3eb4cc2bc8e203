package dev.bertclf.model.hf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import dev.bertclf.model.ModelException;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Json;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tensors from a Hugging Face {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * naming each tensor's {@code dtype}, {@code shape} and {@code data_offsets} (plus an optional {@code __metadata__}),
 * then the raw little-endian data. Written here rather than taken from DJL ({@code NDList.decode} reads the format,
 * but only through an engine's {@code NDManager}, from a stream read whole, and trusting the header's sizes): a
 * model file is user input, so every size the header claims is checked against the file before anything is
 * allocated. The header is at most 100 MB (the format's own limit), every tensor lies inside the data, its byte
 * length is its shape's element count times its dtype's size, no two tensors overlap, and one tensor is read at a
 * time, in bounded chunks, through a {@link FileChannel}. Floating-point tensors (F32, F16, BF16, F64) are handed out
 * as float32, the only type the graph's variables have.
 */
public final class Safetensors implements AutoCloseable {
    /** The format's own bound on the header (safetensors' {@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    /** The largest tensor handed out: a Java float array's length. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final String METADATA = "__metadata__";
    private static final int CHUNK = 1 << 20;

    /** The format's dtypes and their byte sizes; only the floating-point ones can be read as float32. */
    public enum DType {
        F64(8),
        F32(4),
        F16(2),
        BF16(2),
        I64(8),
        I32(4),
        I16(2),
        I8(1),
        U64(8),
        U32(4),
        U16(2),
        U8(1),
        BOOL(1),
        F8_E4M3(1),
        F8_E5M2(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        boolean isReadable() {
            return this == F64 || this == F32 || this == F16 || this == BF16;
        }
    }

    /** One tensor's header entry; {@code begin} and {@code end} are absolute file positions. */
    public record Tensor(String name, DType dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Tensor> tensors;

    private Safetensors(Path file, FileChannel channel, Map<String, Tensor> tensors) {
        this.file = file;
        this.channel = channel;
        this.tensors = tensors;
    }

    /**
     * Opens {@code file} and checks its header against its size.
     *
     * @throws ModelException naming the file and what is wrong with it
     */
    public static Safetensors open(Path file) {
        FileChannel channel = null;
        try {
            long size = BoundedFiles.checkRegular(file, Long.MAX_VALUE);
            channel = FileChannel.open(file, StandardOpenOption.READ);
            Map<String, Tensor> tensors = readHeader(file, channel, size);
            return new Safetensors(file, channel, tensors);
        } catch (IOException e) {
            close(channel);
            throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Every tensor by name, in the header's order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * The named tensor's values as float32, row-major as stored.
     *
     * @throws ModelException if there is no such tensor, its dtype is not floating-point, or the file cannot be read
     */
    public float[] floats(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw bad("has no tensor " + name);
        if (!t.dtype().isReadable()) {
            throw bad("tensor " + name + " is " + t.dtype() + "; a weight must be F32, F16, BF16 or F64");
        }
        long n = t.elements();
        if (n > MAX_ELEMENTS) throw bad("tensor " + name + " has " + n + " elements, more than one array can hold");
        float[] out = new float[(int) n];
        ByteBuffer buf =
                ByteBuffer.allocate((int) Math.min(CHUNK, t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN);
        long pos = t.begin();
        int i = 0;
        try {
            while (pos < t.end()) {
                buf.clear().limit((int) Math.min(buf.capacity(), t.end() - pos));
                readFully(channel, buf, pos);
                pos += buf.limit();
                buf.flip();
                i = decode(t.dtype(), buf, out, i);
            }
        } catch (IOException e) {
            throw new ModelException("cannot read tensor " + name + " from " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        close(channel);
    }

    private static int decode(DType dtype, ByteBuffer buf, float[] out, int i) {
        switch (dtype) {
            case F32 -> {
                while (buf.remaining() >= 4) out[i++] = buf.getFloat();
            }
            case F64 -> {
                while (buf.remaining() >= 8) out[i++] = (float) buf.getDouble();
            }
            case BF16 -> {
                while (buf.remaining() >= 2) out[i++] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
            }
            case F16 -> {
                while (buf.remaining() >= 2) out[i++] = halfToFloat(buf.getShort() & 0xffff);
            }
            default -> throw new IllegalStateException(dtype + " is not readable");
        }
        return i;
    }

    /** IEEE 754 binary16 to float32, exactly (every half is a float): Java 17 has no {@code Float.float16ToFloat}. */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf, NaN
        if (exponent == 0) { // zero and subnormals: mantissa * 2^-24
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    private static Map<String, Tensor> readHeader(Path file, FileChannel channel, long size) throws IOException {
        if (size < 8) throw bad(file, "is " + size + " bytes long, too short for a safetensors header");
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw bad(
                    file,
                    "declares a header of " + Long.toUnsignedString(headerLength) + " bytes (at most "
                            + MAX_HEADER_BYTES + "): not a safetensors file");
        }
        if (8 + headerLength > size) {
            throw bad(file, "declares a header of " + headerLength + " bytes but has only " + (size - 8) + " after it");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes.flip())
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "has a header that is not UTF-8 text: not a safetensors file");
        }
        JsonObject header;
        try {
            header = Json.COMPACT.fromJson(json, JsonObject.class);
        } catch (JsonParseException e) {
            throw bad(file, "has a header that is not a JSON object (" + Json.whyMalformed(e) + ")");
        }
        if (header == null) throw bad(file, "has an empty header");
        long dataStart = 8 + headerLength, dataSize = size - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) continue;
            tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), dataStart, dataSize));
        }
        checkNoOverlap(file, tensors.values());
        return Collections.unmodifiableMap(tensors);
    }

    private static Tensor tensor(Path file, String name, JsonElement value, long dataStart, long dataSize) {
        if (!value.isJsonObject()) throw bad(file, "has a header entry " + name + " that is not an object");
        JsonObject o = value.getAsJsonObject();
        JsonElement d = o.get("dtype");
        if (d == null || !d.isJsonPrimitive() || !d.getAsJsonPrimitive().isString()) {
            throw bad(file, "tensor " + name + " has no dtype");
        }
        DType dtype = Arrays.stream(DType.values())
                .filter(t -> t.name().equals(d.getAsString()))
                .findFirst()
                .orElseThrow(() -> bad(
                        file,
                        "tensor " + name + " has the unknown dtype '" + d.getAsString() + "' (known: "
                                + Arrays.toString(DType.values()) + ")"));
        long[] shape = longs(file, name, o.get("shape"), "shape", -1);
        long[] offsets = longs(file, name, o.get("data_offsets"), "data_offsets", 2);
        long elements = 1;
        for (long dim : shape) {
            try {
                elements = Math.multiplyExact(elements, dim);
            } catch (ArithmeticException overflow) {
                throw bad(file, "tensor " + name + " has the impossible shape " + Arrays.toString(shape));
            }
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataSize) {
            throw bad(
                    file,
                    "tensor " + name + " has data_offsets [" + begin + ", " + end + "] outside the file's " + dataSize
                            + " bytes of data (truncated or damaged)");
        }
        if (elements > Long.MAX_VALUE / dtype.bytes || elements * dtype.bytes != end - begin) {
            throw bad(
                    file,
                    "tensor " + name + " of shape " + Arrays.toString(shape) + " and dtype " + dtype + " needs "
                            + (elements > Long.MAX_VALUE / dtype.bytes
                                    ? "more"
                                    : String.valueOf(elements * dtype.bytes))
                            + " bytes but its data_offsets span " + (end - begin));
        }
        return new Tensor(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    /** A JSON array of non-negative integers ({@code length} of them unless it is -1). */
    private static long[] longs(Path file, String name, JsonElement value, String key, int length) {
        if (value == null || !value.isJsonArray()) throw bad(file, "tensor " + name + " has no " + key + " array");
        JsonArray a = value.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw bad(file, "tensor " + name + " has " + a.size() + " " + key + " instead of " + length);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            try {
                if (!(v instanceof JsonPrimitive p) || !p.isNumber()) throw new ArithmeticException();
                out[i] = p.getAsBigDecimal().longValueExact();
                if (out[i] < 0) throw new ArithmeticException();
            } catch (ArithmeticException | NumberFormatException e) {
                throw bad(file, "tensor " + name + " has " + key + " " + a + ": not non-negative integers");
            }
        }
        return out;
    }

    private static void checkNoOverlap(Path file, Iterable<Tensor> all) {
        List<Tensor> sorted = new ArrayList<>();
        all.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        for (int i = 1; i < sorted.size(); i++) {
            Tensor a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw bad(file, "tensors " + a.name() + " and " + b.name() + " overlap in the file (damaged)");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) throw new EOFException("the file ended early (it changed while read?)");
            pos += n;
        }
    }

    private ModelException bad(String why) {
        return bad(file, why);
    }

    private static ModelException bad(Path file, String why) {
        return new ModelException("the safetensors file " + file + (why.startsWith("tensor") ? ": " : " ") + why);
    }

    private static void close(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }
}
