package dev.bertclf.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.ArchiveExtractor.Limits;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.TestArchives;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveExtractorTest {
    @TempDir
    Path tmp;

    private final ArchiveExtractor extractor = new ArchiveExtractor();

    private Path work() {
        return tmp.resolve("work");
    }

    private Path dest() {
        return work().resolve("out");
    }

    /** Only the archive may be left in the work folder: no destination, no temp folder, nothing escaped. */
    private void assertNothingLeft() throws IOException {
        try (Stream<Path> s = Files.list(work())) {
            assertEquals(
                    List.of("archive"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(tmp.resolve("evil")));
    }

    private DataException refuse(byte[] archive, Limits limits) throws IOException {
        Path a = TestArchives.write(work().resolve("archive"), archive);
        DataException e = assertThrows(DataException.class, () -> extractor.extract(a, dest(), limits));
        assertNothingLeft();
        return e;
    }

    private DataException refuseTar(Consumer<TarArchiveOutputStream> content) throws IOException {
        return refuse(
                TestArchives.tarGz(tar -> {
                    TestArchives.addFile(tar, "ok/first.txt", "fine".getBytes(StandardCharsets.UTF_8));
                    content.accept(tar);
                }),
                Limits.DEFAULT);
    }

    @Test
    void extractsTarGzTarAndZipByContentNotName() throws IOException {
        Map<String, String> files = Map.of("a/b.txt", "hello", "c.txt", "world");
        byte[][] archives = {
            TestArchives.tarGz(files),
            TestArchives.tar(t -> files.forEach((n, v) -> TestArchives.addFile(t, n, v.getBytes()))),
            TestArchives.zip(files)
        };
        for (int i = 0; i < archives.length; i++) {
            Path a = TestArchives.write(tmp.resolve("archive" + i + ".bin"), archives[i]);
            Path out = tmp.resolve("out" + i);
            extractor.extract(a, out, Limits.DEFAULT);
            assertEquals("hello", Files.readString(out.resolve("a/b.txt")));
            assertEquals("world", Files.readString(out.resolve("c.txt")));
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".extract-")));
        }
    }

    @Test
    void refusesExistingDestination() throws IOException {
        Path a = TestArchives.write(tmp.resolve("a.tgz"), TestArchives.tarGz(Map.of("x", "y")));
        Files.createDirectories(tmp.resolve("out"));
        DataException e =
                assertThrows(DataException.class, () -> extractor.extract(a, tmp.resolve("out"), Limits.DEFAULT));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void refusesParentTraversal() throws IOException {
        DataException e = refuseTar(t -> TestArchives.addFile(t, "../evil", new byte[] {1}));
        assertTrue(e.getMessage().contains("'../evil'") && e.getMessage().contains("escapes"), e.getMessage());
        refuseTar(t -> TestArchives.addFile(t, "ok/../../evil", new byte[] {1}));
    }

    @Test
    void refusesAbsolutePath() throws IOException {
        DataException e = refuse(
                TestArchives.tarGz(t -> {
                    try {
                        TarArchiveEntry entry = new TarArchiveEntry("/evil", true); // true: keep the leading '/'
                        entry.setSize(1);
                        t.putArchiveEntry(entry);
                        t.write(1);
                        t.closeArchiveEntry();
                    } catch (IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                }),
                Limits.DEFAULT);
        assertTrue(e.getMessage().contains("/evil"), e.getMessage());
        for (String name : List.of("/evil", "C:\\evil", "\\evil", "a/../../evil", "")) {
            assertThrows(DataException.class, () -> ArchiveExtractor.safeTarget(tmp, name, Path.of("a.tar")), name);
        }
        assertEquals(tmp.resolve("b"), ArchiveExtractor.safeTarget(tmp, "a/../b", Path.of("a.tar")));
    }

    @Test
    void refusesEveryLink() throws IOException {
        DataException sym = refuseTar(t -> TestArchives.addSymlink(t, "passwd", "/etc/passwd"));
        assertTrue(
                sym.getMessage().contains("symbolic link") && sym.getMessage().contains("/etc/passwd"),
                sym.getMessage());
        DataException hard = refuseTar(t -> TestArchives.addLink(t, "copy.txt", TarConstants.LF_LINK, "ok/first.txt"));
        assertTrue(hard.getMessage().contains("hard link"), hard.getMessage());
        refuseTar(t -> TestArchives.addLink(t, "fifo", TarConstants.LF_FIFO, ""));
        refuseTar(t -> TestArchives.addLink(t, "dev", TarConstants.LF_CHR, ""));
    }

    @Test
    void refusesZipTraversal() throws IOException {
        DataException e = refuse(TestArchives.zip(Map.of("ok.txt", "fine", "../evil", "bad")), Limits.DEFAULT);
        assertTrue(e.getMessage().contains("../evil"), e.getMessage());
    }

    @Test
    void refusesZipSymlink() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry link = new ZipArchiveEntry("passwd");
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        DataException e = refuse(bytes.toByteArray(), Limits.DEFAULT);
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void stopsDecompressionBombs() throws IOException {
        byte[] zeros = new byte[1 << 20];
        DataException bytes =
                refuse(TestArchives.tarGz(t -> TestArchives.addFile(t, "zeros", zeros)), new Limits(100_000, 10));
        assertTrue(bytes.getMessage().contains("more than 100000 bytes"), bytes.getMessage());

        DataException entries = refuse(
                TestArchives.tarGz(t -> {
                    for (int i = 0; i < 5; i++) TestArchives.addFile(t, "f" + i, new byte[] {1});
                }),
                new Limits(1 << 20, 3));
        assertTrue(entries.getMessage().contains("more than 3 entries"), entries.getMessage());
    }

    @Test
    void reportsCorruptAndTruncatedArchives() throws IOException {
        DataException notAnArchive = refuse("<html>Not found</html>".getBytes(StandardCharsets.UTF_8), Limits.DEFAULT);
        assertTrue(notAnArchive.getMessage().startsWith("Archive is corrupt"), notAnArchive.getMessage());

        byte[] full = TestArchives.tarGz(TestArchives.imdbFiles());
        DataException truncated = refuse(Arrays.copyOf(full, full.length / 2), Limits.DEFAULT);
        assertTrue(truncated.getMessage().startsWith("Archive is corrupt or truncated"), truncated.getMessage());

        byte[] garbage = full.clone();
        Arrays.fill(garbage, 10, garbage.length, (byte) 0x55);
        refuse(garbage, Limits.DEFAULT);
    }
}
