package dev.bertclf.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Reads TensorBoard event files as TensorBoard does, independently of the code that wrote them: TFRecord records
 * (length, masked CRC32C of the length, data, masked CRC32C of the data; both checksums checked) whose payloads are
 * {@link Event} protos. Tests see the scalars as {@link Scalar}s, from {@code simple_value} or a scalar tensor.
 */
public final class EventFiles {
    /** One scalar of one event. */
    public record Scalar(String tag, long step, float value) {}

    private EventFiles() {}

    /** The event files of {@code folder} (sorted by name), each checked to start with the file-version event. */
    public static List<Path> in(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            // In the order they were written: by name, TensorFlow's file number 10 sorted before number 8 of the
            // same second, and the file-version event's time is whole seconds; the first summary's time decides.
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .sorted(java.util.Comparator.comparingDouble(EventFiles::created)
                            .thenComparing(Path::toString))
                    .toList();
        }
    }

    private static double created(Path file) {
        try {
            List<Event> events = events(file);
            return events.get(events.size() > 1 ? 1 : 0).getWallTime();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every scalar of every event file in {@code folder}, file by file, in order. */
    public static List<Scalar> scalars(Path folder) throws IOException {
        List<Scalar> out = new ArrayList<>();
        for (Path file : in(folder)) {
            List<Event> events = events(file);
            assertTrue(events.get(0).getFileVersion().startsWith("brain.Event:"), file + ": " + events.get(0));
            for (Event e : events) {
                for (Summary.Value v : e.getSummary().getValueList()) out.add(scalar(e.getStep(), v));
            }
        }
        return out;
    }

    private static Scalar scalar(long step, Summary.Value v) {
        float value = v.getValueCase() == Summary.Value.ValueCase.SIMPLE_VALUE
                ? v.getSimpleValue()
                : v.getTensor().getFloatVal(0);
        return new Scalar(v.getTag(), step, value);
    }

    /** The records of one TFRecord file as events, both checksums of each record checked. */
    public static List<Event> events(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] header = new byte[8];
            b.get(header);
            long length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(maskedCrc(header), b.getInt(), file + ": the CRC of a record's length");
            byte[] data = new byte[Math.toIntExact(length)];
            b.get(data);
            assertEquals(maskedCrc(data), b.getInt(), file + ": the CRC of a record's data");
            events.add(Event.parseFrom(data));
        }
        return events;
    }

    /** TFRecord's masked CRC32C: rotated right by 15 bits, plus a constant. */
    static int maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }
}
