package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bertclf.runtime.BertClfHome;
import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.Fifo;
import dev.bertclf.testutil.TemporaryHome;
import dev.bertclf.testutil.TinyClassifier;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a shared machine and a careless shell can do to a run: another user's (or a world-writable) home that would
 * have bert-clf load their library, a config value that would write escape sequences into {@code --help}, and a
 * standard output that cannot take the results, which once ended with exit 0.
 */
class SharedMachineTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingHomeIsCreatedForTheUserAlone() throws Exception {
        try (TemporaryHome ignored = TemporaryHome.at(tmp.resolve("new/home"))) {
            Path home = BertClfHome.root();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        }
    }

    @Test
    void aHomeOthersCanWriteOrThatIsNotAFolderIsRefused() throws Exception {
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (TemporaryHome ignored = TemporaryHome.at(open)) {
            assertRefused(BertClfHome::root, "is writable by every user (mode rwxrwxrwx)", "chmod go-w " + open);
            Cli.Run r = Cli.run("predict", "this is such an amazing movie!");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().startsWith("error: bert-clf's home " + open), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
        Path group = Files.createDirectories(tmp.resolve("group"));
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rwxrwxr-x"));
        try (TemporaryHome ignored = TemporaryHome.at(group)) {
            assertRefused(BertClfHome::root, "is writable by its group");
        }
        Path file = Files.writeString(tmp.resolve("file"), "x");
        try (TemporaryHome ignored = TemporaryHome.at(file)) {
            assertRefused(BertClfHome::root, "is not a folder");
        }
    }

    /** Run as root (as CI is), the test gives the home to another user. */
    @Test
    void aHomeOfAnotherUserIsRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a folder away");
        Path theirs = Files.createDirectories(tmp.resolve("theirs"));
        var users = theirs.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(theirs, users.lookupPrincipalByName("nobody"));
        try (TemporaryHome ignored = TemporaryHome.at(theirs)) {
            assertRefused(BertClfHome::root, "belongs to nobody, not to root");
        }
    }

    @Test
    void aConfigValueWithControlCharactersIsRefused() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.properties"), "train.epochs=3\u001b[2J\u001b]0;owned\u0007\n");
        Cli.Run r = Cli.run("--config", config.toString(), "train", "--help");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("holds control characters"), r.err());
        assertFalse((r.out() + r.err()).contains("\u001b"), "nothing raw reaches the terminal");
    }

    /** Once {@code output=} in a config file became every command's {@code --output}. */
    @Test
    void aBareKeyThatMeansAnotherThingPerCommandIsRefused() throws Exception {
        for (String key : java.util.List.of("output", "input", "threshold")) {
            Path config = Files.writeString(tmp.resolve(key + ".properties"), key + "=x\n");
            Cli.Run r = Cli.run("--config", config.toString(), "models");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(key + " means another thing for each command"), r.err());
        }
        Path qualified = Files.writeString(tmp.resolve("q.properties"), "train.output=runs/model\n");
        assertEquals(0, Cli.run("--config", qualified.toString(), "models").code());
    }

    /** {@code models --json > /dev/full}: every command's output goes through the one check in Main. */
    @Test
    void anOutputThatCannotBeWrittenIsExitOne() {
        PrintStream out = System.out, err = System.err;
        var errors = new java.io.ByteArrayOutputStream();
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        }));
        System.setErr(new PrintStream(errors, true));
        int code;
        try {
            code = Main.run("models", "--json");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals(1, code);
        assertTrue(errors.toString().contains("error: cannot write to standard output"), errors.toString());
    }

    /**
     * Files read whole are regular files of a bounded size, looked at before they are opened: a FIFO as a model's
     * {@code metadata.json} once blocked {@code predict} for ever, {@code /dev/zero} as the API key file grew the
     * heap by 150 MB/s, and a key of two lines was one no client could send.
     */
    @Test
    void fifosDevicesAndKeysNoClientCanSendAreRefusedAtOnce() throws Exception {
        Path model = TinyClassifier.export(tmp.resolve("model"));
        Files.delete(model.resolve("metadata.json"));
        Fifo.create(model.resolve("metadata.json"));
        Path keys = Files.writeString(tmp.resolve("two-lines"), "first\nsecond\n");
        Path fifoKey = Fifo.create(tmp.resolve("key-fifo"));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            Cli.Run predict = Cli.run("predict", "--model-dir", model.toString(), "a fine film");
            assertEquals(1, predict.code(), predict.err());
            assertTrue(predict.err().contains("not a regular file"), predict.err());
            for (String key : new String[] {"/dev/zero", fifoKey.toString()}) {
                Cli.Run serve = Cli.run("serve", "--model-dir", model.toString(), "--api-key-file", key);
                assertEquals(1, serve.code(), serve.err());
                assertTrue(serve.err().contains("not a regular file"), serve.err());
            }
            Cli.Run serve = Cli.run("serve", "--model-dir", model.toString(), "--api-key-file", keys.toString());
            assertEquals(1, serve.code(), serve.err());
            assertTrue(serve.err().contains("one line of printable ASCII"), serve.err());
        });
    }

    private static void assertRefused(Executable call, String... expected) {
        DataException e = org.junit.jupiter.api.Assertions.assertThrows(DataException.class, call);
        for (String s : expected) assertTrue(e.getMessage().contains(s), e.getMessage());
    }
}
