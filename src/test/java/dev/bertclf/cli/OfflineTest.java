package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bertclf.io.Downloader;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.TemporaryHome;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first run without the network (air-gapped, behind a proxy Java was not told of, or {@code --offline}) says what it
 * needed and every way to give it without one, in the message itself, not only in the README.
 */
class OfflineTest {
    @TempDir
    Path tmp;

    @Test
    void offlineFailsAtOnceWithTheWaysToDoWithoutTheNetwork() throws Exception {
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Path data = tmp.resolve("data");
            Cli.Run dataset = Cli.run("download", "--offline", "--data-dir", data.toString());
            assertEquals(1, dataset.code(), dataset.err());
            assertTrue(dataset.err().contains("--offline: not downloading https://"), dataset.err());
            assertTrue(
                    dataset.err().contains("The IMDB dataset is not in " + data.resolve("aclImdb") + " yet")
                            && dataset.err().contains("--data-dir")
                            && dataset.err().contains("download --url URL")
                            && dataset.err().contains("--train-file FILE"),
                    dataset.err());
            assertFalse(dataset.err().contains("\tat "), dataset.err());

            Path csv = Files.writeString(tmp.resolve("t.csv"), "text,label\na,pos\nb,neg\nc,pos\nd,neg\ne,pos\n");
            Cli.Run model = Cli.run(
                    "train",
                    "--offline",
                    "--model",
                    "small_bert/L-2_H-128_A-2",
                    "--train-file",
                    csv.toString(),
                    "--output",
                    tmp.resolve("out").toString());
            assertEquals(1, model.code(), model.err());
            String needs = "This run needs: model small_bert/bert_en_uncased_L-2_H-128_A-2 (to download from "
                    + "storage.googleapis.com";
            assertTrue(model.err().contains(needs) && model.err().contains("; data file " + csv), model.err());
            assertTrue(model.err().contains("--offline: not downloading https://"), model.err());
            assertTrue(
                    model.err().contains("The model small_bert/bert_en_uncased_L-2_H-128_A-2 is not in the cache")
                            && model.err().contains("--model-mirror URL")
                            && model.err().contains("--model DIR"),
                    model.err());
            assertFalse(Boolean.getBoolean(Downloader.OFFLINE), "--offline is for one command only");
        }
    }

    @Test
    void anUnreachableHostSaysHowToGiveTheProxyOrDoWithout() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (TemporaryHome home = TemporaryHome.at(tmp.resolve("home"))) {
            Cli.Run r = Cli.run(
                    "download",
                    "--url",
                    "http://127.0.0.1:" + closed + "/aclImdb_v1.tar.gz",
                    "--data-dir",
                    tmp.resolve("data").toString());
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("Cannot reach 127.0.0.1"), r.err());
            assertTrue(r.err().contains("-Dhttps.proxyHost=HOST -Dhttps.proxyPort=PORT"), r.err());
            assertTrue(r.err().contains("point --data-dir at a folder holding aclImdb/"), r.err());
        }
    }
}
