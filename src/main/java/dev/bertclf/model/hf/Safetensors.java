package dev.bertclf.model.hf;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.bertclf.model.ModelException;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.Json;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
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
 * allocated. The header is at most 100 MB (the format's own limit) and is read as a stream, never as a tree (a lying
 * header of zero-sized tensors once took gigabytes of heap): at most {@link #MAX_TENSORS} tensors of at most
 * {@link #MAX_DIMENSIONS} dimensions, every tensor lies inside the data, its byte
 * length is its shape's element count times its dtype's size, no two tensors overlap, and one tensor is read at a
 * time, in bounded chunks, through a {@link FileChannel}. Floating-point tensors (F32, F16, BF16, F64) are handed out
 * as float32, the only type the graph's variables have.
 */
public final class Safetensors implements AutoCloseable {
    /** The format's own bound on the header (safetensors' {@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    /** The largest tensor handed out: a Java float array's length. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** More dimensions than any model's tensor has; a header claiming more is refused before it is read. */
    static final int MAX_DIMENSIONS = 8;
    /** Far more tensors than any BERT-family model has (BERT-large: under 400). */
    static final int MAX_TENSORS = 100_000;

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
        long dataStart = 8 + headerLength, dataSize = size - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        // Streamed, not parsed into a tree: a lying header of 100 MB must cost no more than its own bytes.
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (JsonReader in = new JsonReader(
                new InputStreamReader(new ByteArrayInputStream(headerBytes.array(), 0, headerBytes.limit()), utf8))) {
            if (in.peek() != JsonToken.BEGIN_OBJECT) throw bad(file, "has a header that is not a JSON object");
            in.beginObject();
            while (in.hasNext()) {
                String name = in.nextName();
                if (name.equals(METADATA)) {
                    in.skipValue();
                    continue;
                }
                if (tensors.size() == MAX_TENSORS) {
                    throw bad(file, "declares more than " + MAX_TENSORS + " tensors: not a model's weights");
                }
                if (tensors.put(name, tensor(file, name, in, dataStart, dataSize)) != null) {
                    throw bad(file, "names the tensor " + name + " twice (damaged)");
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) throw bad(file, "has more after its header's JSON object");
        } catch (CharacterCodingException e) {
            throw bad(file, "has a header that is not UTF-8 text: not a safetensors file");
        } catch (IOException | IllegalStateException e) {
            throw bad(file, "has a header that is not a JSON object (" + Json.whyMalformed(e) + ")");
        }
        checkNoOverlap(file, tensors.values());
        return Collections.unmodifiableMap(tensors);
    }

    /** The header entry of tensor {@code name}, read from {@code in} and checked against the file. */
    private static Tensor tensor(Path file, String name, JsonReader in, long dataStart, long dataSize)
            throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT)
            throw bad(file, "has a header entry " + name + " that is not an object");
        String dtypeName = null;
        long[] shape = null, offsets = null;
        in.beginObject();
        while (in.hasNext()) {
            switch (in.nextName()) {
                case "dtype" -> {
                    if (in.peek() != JsonToken.STRING) throw bad(file, "tensor " + name + " has no dtype");
                    dtypeName = in.nextString();
                }
                case "shape" -> shape = longs(file, name, in, "shape", MAX_DIMENSIONS, false);
                case "data_offsets" -> offsets = longs(file, name, in, "data_offsets", 2, true);
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (dtypeName == null) throw bad(file, "tensor " + name + " has no dtype");
        if (shape == null) throw bad(file, "tensor " + name + " has no shape array");
        if (offsets == null) throw bad(file, "tensor " + name + " has no data_offsets array");
        String d = dtypeName;
        DType dtype = Arrays.stream(DType.values())
                .filter(t -> t.name().equals(d))
                .findFirst()
                .orElseThrow(() -> bad(
                        file,
                        "tensor " + name + " has the unknown dtype '" + d + "' (known: "
                                + Arrays.toString(DType.values()) + ")"));
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

    /**
     * A JSON array of non-negative integers: exactly {@code count} of them if {@code exact}, else at most that many;
     * read one by one, so that a million-element array is refused, not allocated.
     */
    private static long[] longs(Path file, String name, JsonReader in, String key, int count, boolean exact)
            throws IOException {
        if (in.peek() != JsonToken.BEGIN_ARRAY) throw bad(file, "tensor " + name + " has no " + key + " array");
        long[] out = new long[count];
        int n = 0;
        in.beginArray();
        while (in.hasNext()) {
            if (n == count) {
                throw bad(
                        file,
                        "tensor " + name + " has more than " + count + " " + key
                                + (exact ? "" : " (a model's tensors have at most " + count + " dimensions)"));
            }
            try {
                if (in.peek() != JsonToken.NUMBER) throw new ArithmeticException();
                out[n] = new BigDecimal(in.nextString()).longValueExact();
                if (out[n++] < 0) throw new ArithmeticException();
            } catch (ArithmeticException | NumberFormatException e) {
                throw bad(file, "tensor " + name + " has a " + key + " that is not non-negative integers");
            }
        }
        in.endArray();
        if (exact && n != count) throw bad(file, "tensor " + name + " has " + n + " " + key + " instead of " + count);
        return Arrays.copyOf(out, n);
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
