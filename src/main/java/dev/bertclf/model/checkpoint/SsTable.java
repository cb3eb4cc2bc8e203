package dev.bertclf.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the key/value pairs of a TensorFlow table file ({@code tensorflow/core/lib/io/table}, a LevelDB SSTable),
 * the container of a checkpoint's {@code .index}. Done in Java so that a checkpoint can be inspected, and a bad
 * one reported clearly, without handing a possibly corrupt file to native code.
 *
 * <p>Layout: data blocks, an index block whose values are handles of the data blocks, a meta-index block (empty
 * in checkpoints) and a 48-byte footer. Each block is followed by a compression byte and a masked CRC32C.
 */
final class SsTable {
    static final int FOOTER_LENGTH = 48;
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int BLOCK_TRAILER_LENGTH = 5;
    private static final int CRC_MASK_DELTA = 0xa282ead8;
    private static final int NO_COMPRESSION = 0;

    /** One entry of the table; keys are raw bytes because TF's slice keys are not text. */
    record KeyValue(byte[] key, byte[] value) {}

    private SsTable() {}

    /** All entries in key order; {@code source} names the file in error messages. */
    static List<KeyValue> read(byte[] file, Path source) {
        try {
            return readUnchecked(file, source);
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            throw corrupt(source, e.getMessage());
        }
    }

    private static List<KeyValue> readUnchecked(byte[] file, Path source) {
        if (file.length < FOOTER_LENGTH) {
            throw notATable(source, "it has only " + file.length + " bytes, less than a table footer");
        }
        int footer = file.length - FOOTER_LENGTH;
        if (ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(file.length - 8) != MAGIC) {
            throw notATable(source, "its last 8 bytes are not the table magic number");
        }
        Cursor handles = new Cursor(file, footer, file.length - 8);
        handles.varint64(); // meta-index offset: TF writes an empty meta-index and never reads it
        handles.varint64(); // meta-index size
        Block index = block(file, handles.varint64(), handles.varint64(), footer, source);
        List<KeyValue> entries = new ArrayList<>();
        for (KeyValue dataHandle : index.entries()) {
            Cursor h = new Cursor(dataHandle.value(), 0, dataHandle.value().length);
            entries.addAll(
                    block(file, h.varint64(), h.varint64(), footer, source).entries());
        }
        return entries;
    }

    /** Checks and returns the block at {@code offset}; blocks end before the footer. */
    private static Block block(byte[] file, long offset, long size, int limit, Path source) {
        if (offset < 0 || size < 0 || offset > limit || size > limit - offset - BLOCK_TRAILER_LENGTH) {
            throw corrupt(source, "a block handle points outside the file (offset " + offset + ", size " + size + ")");
        }
        int start = (int) offset;
        int end = (int) (offset + size);
        CRC32C crc = new CRC32C();
        crc.update(file, start, end - start + 1); // the contents and the compression byte
        int stored = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(end + 1);
        if ((int) crc.getValue() != unmask(stored)) {
            throw corrupt(source, "checksum mismatch in the block at offset " + offset);
        }
        int compression = file[end];
        if (compression != NO_COMPRESSION) {
            throw new CheckpointException(source + " has a block compressed with method " + compression
                    + (compression == 1 ? " (snappy)" : "") + "; TensorFlow's checkpoint writer never compresses, "
                    + "so this is not a checkpoint index this tool can read");
        }
        return new Block(file, start, end);
    }

    private static int unmask(int masked) {
        int rotated = masked - CRC_MASK_DELTA;
        return (rotated >>> 17) | (rotated << 15);
    }

    private static CheckpointException notATable(Path source, String why) {
        return new CheckpointException(source + " is not a TensorFlow checkpoint index: " + why
                + ". Pass the prefix of a TF1 checkpoint (e.g. bert_model.ckpt for bert_model.ckpt.index)");
    }

    private static CheckpointException corrupt(Path source, String why) {
        return new CheckpointException(source + " is corrupt (" + why + "); copy or download the checkpoint again");
    }

    /** Entries with prefix-compressed keys, then restart offsets (fixed32 each) and their count (fixed32). */
    private record Block(byte[] file, int start, int end) {
        List<KeyValue> entries() {
            if (end - start < 4) throw new IllegalStateException("a block is too short for its restart count");
            long restarts = Integer.toUnsignedLong(
                    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(end - 4));
            long entriesEnd = end - 4 - 4 * restarts;
            if (entriesEnd < start) throw new IllegalStateException("a block has more restart points than bytes");
            Cursor c = new Cursor(file, start, (int) entriesEnd);
            List<KeyValue> entries = new ArrayList<>();
            byte[] key = new byte[0];
            while (c.hasMore()) {
                int shared = c.varint32();
                int unshared = c.varint32();
                int valueLength = c.varint32();
                if (shared > key.length)
                    throw new IllegalStateException("a key shares more bytes than its predecessor has");
                byte[] next = Arrays.copyOf(key, shared + unshared);
                System.arraycopy(c.bytes(unshared), 0, next, shared, unshared);
                key = next;
                entries.add(new KeyValue(key, c.bytes(valueLength)));
            }
            return entries;
        }
    }

    /** Little-endian varints and byte runs within {@code [pos, end)}. */
    private static final class Cursor {
        private final byte[] data;
        private int pos;
        private final int end;

        Cursor(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        long varint64() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw new IllegalStateException("a varint runs past its block");
                int b = data[pos++] & 0xff;
                result |= (long) (b & 0x7f) << shift;
                if (b < 0x80) return result;
            }
            throw new IllegalStateException("a varint is longer than 10 bytes");
        }

        int varint32() {
            long v = varint64();
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalStateException("a length is out of range: " + v);
            return (int) v;
        }

        byte[] bytes(int n) {
            if (n > end - pos) throw new IllegalStateException("an entry runs past its block");
            byte[] out = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
