package dev.bertclf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.runtime.DataException;
import dev.bertclf.testutil.LoopbackServer;
import dev.bertclf.testutil.TestArchives;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFolderTest {
    @TempDir
    Path tmp;

    private LoopbackServer server;
    private URI url;

    @BeforeEach
    void start() throws IOException {
        server = new LoopbackServer();
        server.serve("/aclImdb_v1.tar.gz", TestArchives.tarGz(TestArchives.imdbFiles()), LoopbackServer.Fault.NONE);
        url = server.uri("/aclImdb_v1.tar.gz");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void file(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void classes(Path part) throws IOException {
        file(part.resolve("bad/1.txt"), "awful");
        file(part.resolve("good/1.txt"), "great");
        file(part.resolve("good/2.txt"), "fine");
    }

    @Test
    void plainTrainAndTestFoldersAreUsedAsTheyAreAndNeverDownloaded() throws IOException {
        Path d = tmp.resolve("mine");
        classes(d.resolve("train"));
        classes(d.resolve("test"));
        assertEquals(d.resolve("train"), DatasetFolder.resolve(d, url, "train"));
        assertEquals(d.resolve("test"), DatasetFolder.resolve(d, url, "test"));
        LabeledTexts t = new DataSource(d, url, null).load("train");
        assertEquals(List.of("bad", "good"), t.classNames());
        assertEquals(3, t.size());
        assertEquals("great", t.examples().get(1).read(new Utf8TextReader()));
        assertTrue(server.ranges.isEmpty() && !Files.exists(d.resolve(ImdbDataset.FOLDER_NAME)), "nothing downloaded");
    }

    @Test
    void aTrainFolderWithoutTestIsEnoughForTrainingOnly() throws IOException {
        Path d = tmp.resolve("trainonly");
        classes(d.resolve("train"));
        assertEquals(d.resolve("train"), DatasetFolder.resolve(d, url, "train"));
        DataException e = assertThrows(DataException.class, () -> DatasetFolder.resolve(d, url, "test"));
        assertTrue(
                e.getMessage().contains("has no test/ folder") && e.getMessage().contains("<class>/*.txt"),
                e.getMessage());
    }

    @Test
    void anAclImdbFolderIsTheImdbLayout() throws IOException {
        Path d = tmp.resolve("imdb");
        classes(d.resolve("aclImdb/train"));
        classes(d.resolve("aclImdb/test"));
        classes(d.resolve("train")); // aclImdb/ wins, as documented
        assertEquals(d.resolve("aclImdb/test"), DatasetFolder.resolve(d, url, "test"));
    }

    /** evaluate on an aclImdb/ holding test/ alone (once: "exists but has no train/ and test/ folders"). */
    @Test
    void anAclImdbFolderWithTheNeededPartIsEnough() throws IOException {
        Path d = tmp.resolve("testonly");
        classes(d.resolve("aclImdb/test"));
        assertEquals(d.resolve("aclImdb/test"), DatasetFolder.resolve(d, url, "test"));
        assertEquals(3, new DataSource(d, url, null).load("test").size());
        DataException e = assertThrows(DataException.class, () -> DatasetFolder.resolve(d, url, "train"));
        assertTrue(e.getMessage().contains("exists but has no train/ and test/ folders"), e.getMessage());
        assertTrue(server.ranges.isEmpty(), "nothing downloaded");
    }

    @Test
    void aMissingOrEmptyFolderGetsImdbDownloaded() throws IOException {
        Path missing = tmp.resolve("fresh");
        assertEquals(missing.resolve("aclImdb/train"), DatasetFolder.resolve(missing, url, "train"));
        assertTrue(Files.isDirectory(missing.resolve("aclImdb/train/pos")));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(empty.resolve("aclImdb/test"), DatasetFolder.resolve(empty, url, "test"));
    }

    @Test
    void anyOtherFolderGetsTheExpectedLayoutAndNoDownload() throws IOException {
        Path d = tmp.resolve("wrong");
        classes(d); // classes at the top level: a common mistake
        DataException e = assertThrows(DataException.class, () -> new DataSource(d, url, null).load("train"));
        assertTrue(e.getMessage().contains("holds neither aclImdb/ nor train/ and test/"), e.getMessage());
        assertTrue(e.getMessage().contains(d.resolve("train") + "/<class>/*.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("--train-file"), e.getMessage());
        assertFalse(Files.exists(d.resolve(ImdbDataset.FOLDER_NAME)));
        assertTrue(server.ranges.isEmpty());
    }

    @Test
    void aThirdClassFolderMakesAThreeClassDataset() throws IOException {
        Path d = tmp.resolve("three");
        classes(d.resolve("train"));
        file(d.resolve("train/meh/1.txt"), "so so");
        assertEquals(
                List.of("bad", "good", "meh"),
                new DataSource(d, url, null).load("train").classNames());
    }
}
