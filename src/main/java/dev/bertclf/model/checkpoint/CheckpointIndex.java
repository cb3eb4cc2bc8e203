package dev.bertclf.model.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.bertclf.runtime.BoundedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The table of contents of a TF1 checkpoint, read from its {@code .index} in plain Java. Knowing every variable's
 * type and shape before TensorFlow touches the data lets us tell the user exactly which variables are missing,
 * extra or of the wrong shape, instead of failing halfway through a restore.
 */
public final class CheckpointIndex {

    /** Type and shape of one saved variable; a scalar has an empty shape. */
    public record Entry(DataType dtype, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.dtype == dtype && Arrays.equals(e.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * dtype.hashCode() + Arrays.hashCode(shape);
        }

        /** For messages, e.g. {@code DT_FLOAT[768, 768]}. */
        @Override
        public String toString() {
            return dtype + Arrays.toString(shape);
        }
    }

    /** The parsed index: header and raw entries, which also locate each tensor in the data files. */
    record Bundle(Path prefix, BundleHeaderProto header, SortedMap<String, BundleEntryProto> entries) {}

    private CheckpointIndex() {}

    /** Every variable of the checkpoint at {@code prefix}, sorted by name. */
    public static Map<String, Entry> read(Path prefix) {
        Map<String, Entry> out = new LinkedHashMap<>();
        readBundle(prefix).entries().forEach((name, e) -> out.put(name, new Entry(e.getDtype(), dims(e.getShape()))));
        return Collections.unmodifiableMap(out);
    }

    static Bundle readBundle(Path prefix) {
        Path file = CheckpointFiles.index(prefix);
        byte[] bytes;
        try {
            bytes = BoundedFiles.readBytes(file, BoundedFiles.LARGE);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("no checkpoint at " + prefix + ": " + file + " does not exist. Pass the "
                    + "checkpoint prefix (e.g. .../bert_model.ckpt), not one of its files");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        BundleHeaderProto header = null;
        SortedMap<String, BundleEntryProto> entries = new TreeMap<>();
        try {
            for (SsTable.KeyValue kv : SsTable.read(bytes, file)) {
                if (kv.key().length == 0) {
                    header = BundleHeaderProto.parseFrom(kv.value());
                } else if (kv.key()[0] != 0) { // keys starting with a 0 byte locate slices of partitioned variables
                    entries.put(new String(kv.key(), StandardCharsets.UTF_8), BundleEntryProto.parseFrom(kv.value()));
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new CheckpointException(
                    file + " is corrupt (an entry is not a tensor description: " + e.getMessage()
                            + "); copy or download the checkpoint again",
                    e);
        }
        if (header == null) {
            throw new CheckpointException(
                    file + " has no checkpoint header; it is a table file but not a " + "TensorFlow checkpoint index");
        }
        if (header.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
            throw new CheckpointException(
                    file + " was written on a big-endian machine; only little-endian " + "checkpoints are supported");
        }
        return new Bundle(prefix, header, Collections.unmodifiableSortedMap(entries));
    }

    static long[] dims(TensorShapeProto shape) {
        return shape.getDimList().stream()
                .mapToLong(TensorShapeProto.Dim::getSize)
                .toArray();
    }
}
