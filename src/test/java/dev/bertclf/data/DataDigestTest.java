package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digests run.json records are the ones its README says to recompute: a file's is {@code sha256sum}'s, a folder's
 * is the documented shell pipeline's, computed here by the shell itself.
 */
class DataDigestTest {
    @TempDir
    Path tmp;

    @Test
    void aFilesDigestIsItsBytesSha256() throws Exception {
        Path f = Files.writeString(tmp.resolve("abc.csv"), "abc");
        DataDigest.Entry e = DataDigest.file("training", f);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", e.sha256()); // FIPS 180-2
        assertEquals(3, e.bytes());
        assertEquals("file", e.kind());
    }

    @Test
    void aFoldersDigestIsTheDocumentedPipelines() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(dir.resolve("train/pos"));
        Files.createDirectories(dir.resolve("train/neg"));
        Files.writeString(dir.resolve("train/pos/1_10.txt"), "a fine film");
        Files.writeString(dir.resolve("train/pos/10_9.txt"), "great");
        Files.writeString(dir.resolve("train/neg/ä é.txt"), "dull", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("train/neg/B.txt"), "bad");
        Files.writeString(dir.resolve("train/.hidden"), "counts too");
        Files.write(dir.resolve("train/empty.txt"), new byte[0]);
        Files.createSymbolicLink(dir.resolve("train/link.txt"), dir.resolve("train/neg/B.txt")); // followed
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("3_8.txt"), "linked");
        Files.createSymbolicLink(dir.resolve("train/unsup"), elsewhere); // a class folder the reader follows
        DataDigest.Entry e = DataDigest.folder("training", dir);
        assertEquals(8, e.files());
        assertEquals(11 + 5 + 4 + 3 + 10 + 3 + 6, e.bytes());
        assertEquals(pipeline(dir), e.sha256());
        Files.writeString(dir.resolve("train/neg/B.txt"), "Bad");
        DataDigest.Entry edited = DataDigest.folder("training", dir);
        assertNotEquals(e.sha256(), edited.sha256(), "one byte changes it");
        Files.writeString(elsewhere.resolve("3_8.txt"), "Linked");
        assertNotEquals(edited.sha256(), DataDigest.folder("training", dir).sha256(), "behind a link too");
    }

    /** README's recipe, run by the shell (skipped where GNU find or sha256sum is missing). */
    private static String pipeline(Path dir) throws Exception {
        String script =
                "cd \"$1\" && find -L . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum";
        Process p = new ProcessBuilder(List.of("sh", "-c", script, "sh", dir.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "no GNU find and sha256sum: " + out);
        return out.substring(0, 64);
    }
}
