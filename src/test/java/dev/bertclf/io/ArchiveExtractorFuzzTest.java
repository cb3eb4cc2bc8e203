package dev.bertclf.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bertclf.io.ArchiveExtractor.Limits;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.testutil.TestArchives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * A downloaded archive is untrusted bytes: whatever they are, extracting either gives a complete folder or a
 * {@link DataException} with a message, in bounded time, and never writes outside the destination (nor leaves
 * its staging folder behind).
 */
class ArchiveExtractorFuzzTest {
    private static final Limits SMALL = new Limits(1 << 20, 1000);
    private static final List<byte[]> VALID = valid();

    private static List<byte[]> valid() {
        try {
            Map<String, String> files = TestArchives.imdbFiles();
            byte[] tar = TestArchives.tar(
                    t -> files.forEach((n, text) -> TestArchives.addFile(t, n, text.getBytes(StandardCharsets.UTF_8))));
            return List.of(TestArchives.tarGz(files), TestArchives.zip(files), tar);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 150)
    void randomBytesAreExtractedOrRefused(@ForAll("magic") byte[] head, @ForAll @Size(max = 1500) byte[] body)
            throws IOException {
        byte[] archive = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, archive, head.length, body.length);
        extractsOrRefuses(archive);
    }

    @Provide
    Arbitrary<byte[]> magic() {
        byte[] tarHead = new byte[262];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tarHead, 257, 5);
        return Arbitraries.of(
                new byte[0],
                new byte[] {0x1f, (byte) 0x8b},
                new byte[] {'P', 'K', 3, 4},
                new byte[] {'P', 'K', 5, 6},
                tarHead);
    }

    /** A valid archive with some bytes changed and perhaps cut short: corruption deep inside the format. */
    @Property(tries = 250)
    void mutatedArchivesAreExtractedOrRefused(@ForAll("mutated") byte[] archive) throws IOException {
        extractsOrRefuses(archive);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> base = Arbitraries.of(VALID);
        return base.flatMap(b -> Combinators.combine(
                        Arbitraries.integers().between(0, b.length - 1).list().ofMaxSize(8),
                        Arbitraries.bytes().list().ofSize(8),
                        Arbitraries.integers().between(1, b.length))
                .as((positions, values, length) -> {
                    byte[] m = Arrays.copyOf(b, length);
                    for (int i = 0; i < positions.size(); i++) {
                        if (positions.get(i) < length) m[positions.get(i)] = values.get(i);
                    }
                    return m;
                }));
    }

    private static void extractsOrRefuses(byte[] archive) throws IOException {
        Path root = Files.createTempDirectory("archive-fuzz-");
        try {
            Path file = Files.write(root.resolve("in.bin"), archive);
            Path dest = root.resolve("out").resolve("data");
            boolean extracted = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    new ArchiveExtractor().extract(file, dest, SMALL);
                    return true;
                } catch (DataException e) {
                    assertFalse(e.getMessage() == null || e.getMessage().isBlank());
                    return false;
                }
            });
            try (Stream<Path> all = Files.walk(root)) {
                List<Path> outside = all.filter(p -> !p.equals(root)
                                && !p.equals(file)
                                && !p.equals(dest.getParent())
                                && !p.startsWith(dest))
                        .toList();
                assertEquals(List.of(), outside, "written outside the destination or left behind");
            }
            assertEquals(extracted, Files.isDirectory(dest), "the destination is complete or absent");
        } finally {
            FileUtil.deleteTree(root);
        }
    }
}
