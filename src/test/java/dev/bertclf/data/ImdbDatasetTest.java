package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.ArchiveExtractor;
import dev.bertclf.io.ArchiveExtractor.Limits;
import dev.bertclf.io.Downloader;
import dev.bertclf.io.Downloader.Expected;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TestArchives;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImdbDatasetTest {
    @TempDir
    Path tmp;

    private LoopbackServer server;
    private byte[] archive;
    private URI url;

    @BeforeEach
    void start() throws IOException {
        archive = TestArchives.tarGz(TestArchives.imdbFiles());
        server = new LoopbackServer();
        url = server.uri("/aclImdb_v1.tar.gz");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Path dataDir() {
        return tmp.resolve("data");
    }

    private ImdbDataset dataset(Expected officialExpected) {
        return new ImdbDataset(
                new Downloader(Duration.ofSeconds(5), Duration.ofSeconds(5)),
                new ArchiveExtractor(),
                Limits.DEFAULT,
                url,
                officialExpected);
    }

    private Expected correct() throws IOException {
        return new Expected(archive.length, Downloader.sha256(Files.write(tmp.resolve("ref"), archive)));
    }

    private List<String> dataDirListing() throws IOException {
        try (Stream<Path> s = Files.list(dataDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadsExtractsAndDropsUnsup() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", archive, LoopbackServer.Fault.NONE);
        Path root = dataset(correct()).ensure(dataDir(), url);

        assertEquals(dataDir().resolve("aclImdb"), root);
        assertEquals(
                "train bad movie 0",
                Files.readString(root.resolve("train/neg/0_2.txt")).strip());
        assertTrue(Files.isRegularFile(root.resolve("test/pos/3_9.txt")));
        assertFalse(Files.exists(root.resolve("train/unsup")));
        assertEquals(
                List.of(".download.lock", "aclImdb", "aclImdb_v1.tar.gz", "aclImdb_v1.tar.gz.source.json"),
                dataDirListing(),
                "no staging or partial files left");

        TextDirectoryDataset train = TextDirectoryDataset.scan(root.resolve("train"));
        assertEquals(List.of("neg", "pos"), train.classNames());
        assertEquals(8, train.examples().size());
    }

    @Test
    void secondRunDoesNothing() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", archive, LoopbackServer.Fault.NONE);
        ImdbDataset imdb = dataset(correct());
        imdb.ensure(dataDir(), url);
        Files.delete(dataDir().resolve("aclImdb_v1.tar.gz")); // proves the second run needs no archive
        imdb.ensure(dataDir(), url);
        assertEquals(1, server.ranges.size());
    }

    @Test
    void resumesAnInterruptedDownload() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", archive, LoopbackServer.Fault.CUT_HALFWAY);
        ImdbDataset imdb = dataset(correct());
        DataException e = assertThrows(DataException.class, () -> imdb.ensure(dataDir(), url));
        assertTrue(e.getMessage().contains("resume"), e.getMessage());
        assertFalse(Files.exists(dataDir().resolve("aclImdb")));

        Path root = imdb.ensure(dataDir(), url);
        assertEquals(2, server.ranges.size());
        assertTrue(server.ranges.get(1).matches("bytes=\\d+-"), server.ranges.toString());
        assertArrayEquals(archive, Files.readAllBytes(dataDir().resolve("aclImdb_v1.tar.gz")));
        assertTrue(Files.isDirectory(root.resolve("test/neg")));
    }

    @Test
    void checksumMismatchExtractsNothing() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", archive, LoopbackServer.Fault.NONE);
        Expected wrongHash = new Expected(archive.length, "ab".repeat(32));
        DataException e =
                assertThrows(DataException.class, () -> dataset(wrongHash).ensure(dataDir(), url));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertEquals(List.of(".download.lock"), dataDirListing());
    }

    @Test
    void checksumIsCheckedOnlyForTheOfficialUrl() throws IOException {
        server.serve("/mirror.tar.gz", archive, LoopbackServer.Fault.NONE);
        Expected wrongHash = new Expected(archive.length, "ab".repeat(32));
        Path root = dataset(wrongHash).ensure(dataDir(), server.uri("/mirror.tar.gz"));
        assertTrue(ImdbDataset.isComplete(root));
    }

    @Test
    void corruptArchiveLeavesNoFolder() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", "<html>moved</html>".getBytes(), LoopbackServer.Fault.NONE);
        DataException e = assertThrows(
                DataException.class, () -> dataset(Expected.UNKNOWN).ensure(dataDir(), url));
        assertTrue(e.getMessage().startsWith("Archive is corrupt"), e.getMessage());
        assertEquals(List.of(".download.lock"), dataDirListing(), "the unusable archive is deleted");
    }

    @Test
    void archiveWithoutAclImdbFolderIsRejected() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", TestArchives.tarGz(Map.of("other/x.txt", "x")), LoopbackServer.Fault.NONE);
        DataException e = assertThrows(
                DataException.class, () -> dataset(Expected.UNKNOWN).ensure(dataDir(), url));
        assertTrue(e.getMessage().contains("does not contain aclImdb/train"), e.getMessage());
        assertEquals(List.of(".download.lock"), dataDirListing(), "the unusable archive is deleted");
    }

    /** An archive refused as unsafe is deleted: the next run downloads again, from whatever URL it is given. */
    @Test
    void anArchiveRefusedAsUnsafeIsNotAlreadyDownloadedNextTime() throws IOException {
        server.serve(
                "/aclImdb_v1.tar.gz",
                TestArchives.tarGz(t -> TestArchives.addFile(t, "../evil", new byte[1])),
                LoopbackServer.Fault.NONE);
        DataException e = assertThrows(
                DataException.class, () -> dataset(Expected.UNKNOWN).ensure(dataDir(), url));
        assertTrue(e.getMessage().contains("Refusing to extract"), e.getMessage());
        assertEquals(List.of(".download.lock"), dataDirListing());

        server.serve("/good.tar.gz", archive, LoopbackServer.Fault.NONE);
        Path root = dataset(Expected.UNKNOWN).ensure(dataDir(), server.uri("/good.tar.gz"));
        assertTrue(ImdbDataset.isComplete(root));
        assertEquals(List.of("none", "none"), server.ranges, "the good archive was downloaded whole");
    }

    @Test
    void secondConcurrentDownloadFailsClearly() throws IOException {
        server.serve("/aclImdb_v1.tar.gz", archive, LoopbackServer.Fault.NONE);
        Files.createDirectories(dataDir());
        try (FileChannel ch = FileChannel.open(
                        dataDir().resolve(".download.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            DataException e =
                    assertThrows(DataException.class, () -> dataset(correct()).ensure(dataDir(), url));
            assertTrue(e.getMessage().contains("Another download is running into " + dataDir()), e.getMessage());
        }
        assertTrue(server.ranges.isEmpty(), "nothing was downloaded while locked");
        assertTrue(ImdbDataset.isComplete(dataset(correct()).ensure(dataDir(), url)), "works once released");
    }

    @Test
    void officialConstantsAreThePublishedOnes() {
        assertEquals(
                "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", ImdbDataset.DEFAULT_URL.toString());
        assertEquals(84_125_825L, ImdbDataset.DEFAULT_EXPECTED.size());
    }
}
