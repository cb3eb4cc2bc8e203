package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TestArchives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches the terminal when names are hostile and files fail: one readable line, nothing that acts on it. */
class TerminalOutputTest {
    @TempDir
    static Path tmp;

    static TemporaryHome home;
    static LoopbackServer server;

    @BeforeAll
    static void setUp() throws IOException {
        home = TemporaryHome.at(tmp.resolve("home"));
        server = new LoopbackServer();
    }

    @AfterAll
    static void tearDown() {
        server.close();
        home.close();
    }

    /**
     * A tar entry whose name erases the line, moves to its start and prints a green "Dataset ready" is refused,
     * and the refusal shows the name escaped, on one line, with -v's stack trace escaped too.
     */
    @Test
    void aCraftedEntryNameCannotRewriteTheErrorLine() throws IOException {
        String name = "../\u001b[2K\r\u001b[32mDataset ready in /data/aclImdb\u001b[0m\u0007\u202e";
        server.serve(
                "/evil.tar.gz",
                TestArchives.tarGz(t -> TestArchives.addFile(t, name, new byte[1])),
                LoopbackServer.Fault.NONE);
        for (String verbose : new String[] {"-q", "-v"}) {
            Cli.Run r = Cli.run(
                    "download",
                    verbose,
                    "--url",
                    server.uri("/evil.tar.gz").toString(),
                    "--data-dir",
                    tmp.resolve("data").toString());
            assertEquals(1, r.code(), r.err());
            PredictInputTest.assertNoRawControls(r.out() + r.err().replace("\t", ""));
            String error = r.err()
                    .lines()
                    .filter(l -> l.startsWith("error: "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(error.contains("\\e[2K\\r\\e[32mDataset ready in /data/aclImdb\\e[0m\\x07\\u202e"), error);
            assertFalse(r.out().contains("Dataset ready"), r.out());
        }
    }

    /** A path-only message of java.nio gets its cause: a regular file as --data-dir "already exists". */
    @Test
    void aDataDirThatIsAFileNamesTheFileAndTheCause() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Cli.Run r = Cli.run("download", "--url", server.uri("/none.tar.gz").toString(), "--data-dir", file.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("error: Cannot create " + file + ": file already exists. "), r.err());
    }

    @Test
    void errorLinesNameTheFileAndTheCauseAndNeverABareNameOrNull() {
        assertEquals("/m/x: permission denied", ErrorHandler.message(new AccessDeniedException("/m/x")));
        assertEquals(
                "Cannot write /m/x: permission denied. Check permissions.",
                ErrorHandler.message(new DataException(
                        "Cannot write /m/x: /m/x. Check permissions.", new AccessDeniedException("/m/x"))));
        assertEquals(
                "cannot save /m: /m/x: no such file or folder",
                ErrorHandler.message(new UncheckedIOException("cannot save /m", new NoSuchFileException("/m/x"))));
        assertEquals(
                "/m/x: not a folder",
                ErrorHandler.message(new UncheckedIOException(new NotDirectoryException("/m/x"))));
        assertEquals(
                "/m/x -> /m/y: Read-only file system",
                ErrorHandler.message(new FileSystemException("/m/x", "/m/y", "Read-only file system")));
        assertEquals("eof error", ErrorHandler.message(new java.io.EOFException()));
        String npe = ErrorHandler.message(new NullPointerException());
        assertTrue(npe.contains("unexpected java.lang.NullPointerException"), npe);
        assertEquals("the cause", ErrorHandler.message(new IllegalStateException(null, new IOException("the cause"))));
    }

    /** The message of a usage error quotes what was typed, escaped. */
    /** A full disk once read as an out-of-memory: TensorFlow ends its errors with advice for its programmers. */
    @Test
    void tensorFlowsAdviceForProgrammersIsLeftOut() {
        String tf = "/m/x/variables/variables_temp/part-00000-of-00001.data-00000-of-00001.tempstate1; No space left on"
                + " device\n\t [[{{node SaveV2}}]]\nHint: If you want to see a list of allocated tensors when OOM "
                + "happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info.";
        String shown = ErrorHandler.message(new IllegalStateException(tf));
        assertTrue(shown.endsWith("No space left on device"), shown);
        assertFalse(shown.contains("OOM") || shown.contains("{{"), shown);
    }

    @Test
    void usageErrorsShowTypedControlCharactersEscaped() {
        Cli.Run r = Cli.run("download", "--ur\u001b[2K\rl", "x");
        assertEquals(2, r.code(), r.err());
        PredictInputTest.assertNoRawControls(r.out() + r.err());
        assertTrue(r.err().contains("--ur\\e[2K\\rl"), r.err());
        assertEquals(r.err().getBytes(StandardCharsets.UTF_8).length, r.err().length(), "ASCII only here");
    }
}
