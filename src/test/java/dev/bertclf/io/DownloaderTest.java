package dev.bertclf.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.Downloader.Expected;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.LoopbackServer.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    @TempDir
    Path tmp;

    private LoopbackServer server;
    private final Downloader downloader = new Downloader(Duration.ofSeconds(5), Duration.ofMillis(800));
    private final byte[] data = new byte[300_000];

    @BeforeEach
    void start() throws IOException {
        new Random(1).nextBytes(data);
        server = new LoopbackServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Path target() {
        return tmp.resolve("file.bin");
    }

    private Path part() {
        return tmp.resolve("file.bin.part");
    }

    private Expected exact() {
        return new Expected(data.length, Downloader.sha256(writeTemp(data)));
    }

    private Path writeTemp(byte[] bytes) {
        try {
            return Files.write(Files.createTempFile(tmp, "ref", ".bin"), bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        server.serve("/f", data, LoopbackServer.Fault.NONE);
        assertEquals(target(), downloader.download(server.uri("/f"), target(), exact()));
        assertArrayEquals(data, Files.readAllBytes(target()));
        assertFalse(Files.exists(part()));

        downloader.download(server.uri("/f"), target(), exact());
        assertEquals(1, server.ranges.size(), "a verified target is not downloaded again");
    }

    /**
     * A full disk, as Linux's /dev/full gives it: every write fails with ENOSPC. The device is made in place (root
     * only): a link to it is refused like any link where bert-clf writes.
     */
    @Test
    void aFullDiskIsAClearErrorAndLeavesNoTarget() throws Exception {
        server.serve("/f", data, LoopbackServer.Fault.NONE);
        Files.createSymbolicLink(part(), Path.of("/dev/full"));
        new Downloader.Source(server.uri("/f").toString(), -1, null, null).write(tmp.resolve("file.bin.source.json"));
        DataException link =
                assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), exact()));
        assertTrue(
                link.getMessage().contains("is a symbolic link; bert-clf never writes through one"), link.getMessage());
        Files.deleteIfExists(part());
        boolean made = new ProcessBuilder("mknod", part().toString(), "c", "1", "7")
                        .redirectErrorStream(true)
                        .start()
                        .waitFor()
                == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(made, "mknod needs root (and Linux)");
        new Downloader.Source(server.uri("/f").toString(), -1, null, null).write(tmp.resolve("file.bin.source.json"));
        DataException e =
                assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), exact()));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertFalse(Files.exists(target()), "nothing half-written in place");
    }

    @Test
    void resumesAfterTheConnectionDrops() throws IOException {
        server.serve("/f", data, LoopbackServer.Fault.CUT_HALFWAY);
        DataException e =
                assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), exact()));
        assertTrue(e.getMessage().contains("rerun the same command to resume"), e.getMessage());
        assertFalse(Files.exists(target()));
        long kept = Files.size(part());
        assertTrue(kept > 0 && kept < data.length, "kept " + kept);

        downloader.download(server.uri("/f"), target(), exact());
        assertEquals(List.of("none", "bytes=" + kept + "-"), server.ranges);
        assertArrayEquals(data, Files.readAllBytes(target()));
        assertFalse(Files.exists(part()));
    }

    @Test
    void startsOverWhenTheServerIgnoresRange() throws IOException {
        server.serveIgnoringRange("/f", data, Fault.CUT_HALFWAY);
        assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), exact()));
        long kept = Files.size(part());
        Files.write(part(), new byte[(int) kept]); // zeros: must be replaced, not extended, by a 200 answer
        downloader.download(server.uri("/f"), target(), exact());
        assertEquals(List.of("none", "bytes=" + kept + "-"), server.ranges);
        assertArrayEquals(data, Files.readAllBytes(target()));
    }

    @Test
    void completePartFileAnswered416IsAccepted() throws IOException {
        server.serve("/f", data, LoopbackServer.Fault.CUT_HALFWAY);
        assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), Expected.UNKNOWN));
        Files.write(part(), data); // as if the run had ended between the last byte and the rename
        downloader.download(server.uri("/f"), target(), Expected.UNKNOWN);
        assertEquals(List.of("none", "bytes=" + data.length + "-"), server.ranges);
        assertArrayEquals(data, Files.readAllBytes(target()));
    }

    /** A partial file left by one URL is never completed with the bytes of another. */
    @Test
    void aPartialFileFromAnotherUrlIsNotSpliced() throws IOException {
        byte[] other = new byte[data.length];
        new Random(2).nextBytes(other);
        server.serve("/a", data, Fault.CUT_HALFWAY);
        server.serve("/b", other, Fault.NONE);
        assertThrows(DataException.class, () -> downloader.download(server.uri("/a"), target(), Expected.UNKNOWN));
        assertTrue(Files.size(part()) > 0);
        downloader.download(server.uri("/b"), target(), Expected.UNKNOWN);
        assertArrayEquals(other, Files.readAllBytes(target()));
        assertEquals(List.of("none", "none"), server.ranges, "/b was fetched from its start");
    }

    /** A file that changed on the server since the partial download is fetched whole, not spliced. */
    @Test
    void aChangedEtagStartsOver() throws IOException {
        byte[] changed = new byte[data.length];
        new Random(3).nextBytes(changed);
        server.serve("/f", data, Fault.CUT_HALFWAY, "\"v1\"");
        assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), Expected.UNKNOWN));
        long kept = Files.size(part());
        server.serve("/f", changed, Fault.NONE, "\"v2\"");
        downloader.download(server.uri("/f"), target(), Expected.UNKNOWN);
        assertEquals(List.of("\"v1\""), server.ifRanges, "the resume names the version it continues");
        assertEquals(List.of("none", "bytes=" + kept + "-"), server.ranges);
        assertArrayEquals(changed, Files.readAllBytes(target()));

        // the same version resumes as before
        Files.delete(target());
        server.serve("/g", data, Fault.CUT_HALFWAY, "\"v1\"");
        assertThrows(DataException.class, () -> downloader.download(server.uri("/g"), target(), Expected.UNKNOWN));
        downloader.download(server.uri("/g"), target(), exact());
        assertArrayEquals(data, Files.readAllBytes(target()));
    }

    /** A finished file from one URL is not "already downloaded" for another. */
    @Test
    void aTargetFromAnotherUrlIsDownloadedAgain() throws IOException {
        byte[] other = new byte[1000];
        server.serve("/a", data, Fault.NONE);
        server.serve("/b", other, Fault.NONE);
        downloader.download(server.uri("/a"), target(), Expected.UNKNOWN);
        downloader.download(server.uri("/a"), target(), Expected.UNKNOWN);
        assertEquals(1, server.ranges.size(), "the same URL is not fetched twice");
        downloader.download(server.uri("/b"), target(), Expected.UNKNOWN);
        assertArrayEquals(other, Files.readAllBytes(target()));
        Downloader.discard(target());
        assertEquals(List.of(), listing(), "discard leaves nothing behind");
    }

    /** A Content-Length no file can have is the server's error, named as such, not a NumberFormatException. */
    @Test
    void anImpossibleContentLengthIsAClearError() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (var s = socket.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream()
                            .write(("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nabc")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the client hung up
                }
            });
            answer.start();
            URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f");
            DataException e =
                    assertThrows(DataException.class, () -> downloader.download(url, target(), Expected.UNKNOWN));
            assertTrue(
                    e.getMessage().contains("Content-Length")
                            && e.getMessage().contains(url.toString())
                            && !e.getMessage().contains("For input string"),
                    e.getMessage());
            answer.join(5000);
        }
    }

    private List<String> listing() throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("ref"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void checksumMismatchDeletesTheFile() {
        server.serve("/f", data, LoopbackServer.Fault.NONE);
        Expected wrong = new Expected(data.length, "00".repeat(32));
        DataException e =
                assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), wrong));
        assertTrue(e.getMessage().contains("expected " + "00".repeat(32)), e.getMessage());
        assertTrue(e.getMessage().contains(exact().sha256()), "names the actual hash: " + e.getMessage());
        assertFalse(Files.exists(target()));
        assertFalse(Files.exists(part()));
    }

    @Test
    void sizeMismatchDeletesTheFile() {
        server.serve("/f", data, LoopbackServer.Fault.NONE);
        DataException e = assertThrows(
                DataException.class,
                () -> downloader.download(server.uri("/f"), target(), new Expected(data.length + 1, null)));
        assertTrue(e.getMessage().contains("expected " + (data.length + 1) + " bytes"), e.getMessage());
        assertFalse(Files.exists(part()));
    }

    @Test
    void stalledBodyFailsAndKeepsThePart() {
        server.serve("/f", data, LoopbackServer.Fault.STALL);
        DataException e =
                assertThrows(DataException.class, () -> downloader.download(server.uri("/f"), target(), exact()));
        assertTrue(e.getMessage().contains("stalled"), e.getMessage());
        assertTrue(Files.exists(part()));
    }

    @Test
    void httpErrorsAndUnreachableHostsAreClear() throws IOException {
        DataException notFound = assertThrows(
                DataException.class, () -> downloader.download(server.uri("/missing"), target(), Expected.UNKNOWN));
        assertTrue(notFound.getMessage().contains("HTTP status 404"), notFound.getMessage());

        URI closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f");
        }
        DataException refused =
                assertThrows(DataException.class, () -> downloader.download(closedPort, target(), Expected.UNKNOWN));
        assertTrue(refused.getMessage().startsWith("Cannot reach 127.0.0.1"), refused.getMessage());
        assertThrows(
                DataException.class,
                () -> downloader.download(URI.create("ftp://example.com/x"), target(), Expected.UNKNOWN));
    }

    @Test
    void followsRedirectsWithinLimits() throws IOException {
        server.serve("/f", data, LoopbackServer.Fault.NONE);
        server.redirect("/r1", "/r2");
        server.redirect("/r2", server.uri("/f").toString());
        downloader.download(server.uri("/r1"), target(), exact());
        assertArrayEquals(data, Files.readAllBytes(target()));

        server.redirect("/loop", "/loop");
        DataException loop = assertThrows(
                DataException.class,
                () -> downloader.download(server.uri("/loop"), tmp.resolve("other"), Expected.UNKNOWN));
        assertTrue(loop.getMessage().contains("Too many redirects"), loop.getMessage());
    }

    @Test
    void refusesHttpsToHttpDowngrade() {
        URI https = URI.create("https://example.org/data.tgz");
        DataException e = assertThrows(
                DataException.class,
                () -> Downloader.redirectTarget(https, https, "http://mirror.example.org/data.tgz"));
        assertTrue(e.getMessage().contains("downgrade"), e.getMessage());
        assertThrows(DataException.class, () -> Downloader.redirectTarget(https, https, "file:///etc/passwd"));
        assertEquals(
                URI.create("https://cdn.example.org/d"),
                Downloader.redirectTarget(https, https, "https://cdn.example.org/d"));
        assertEquals(URI.create("https://example.org/other"), Downloader.redirectTarget(https, https, "/other"));

        URI http = URI.create("http://example.org/data.tgz");
        assertEquals(URI.create("http://example.org/b"), Downloader.redirectTarget(http, http, "/b"));
        URI upgraded = URI.create("https://example.org/a");
        assertEquals(
                URI.create("http://example.org/b"),
                Downloader.redirectTarget(http, upgraded, "http://example.org/b"),
                "a plain-http URL chosen by the user may keep using http");
    }
}
