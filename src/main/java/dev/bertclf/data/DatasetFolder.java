package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Finds the {@code train/} or {@code test/} folder in a {@code --data-dir}, which may hold either the IMDB download
 * ({@code aclImdb/}) or the user's own data in the same layout ({@code train/<class>/*.txt},
 * {@code test/<class>/*.txt}), as Keras' {@code text_dataset_from_directory} reads it. The user's own data is used
 * as it is and never downloaded into; IMDB is downloaded only into a folder that is missing, empty or holds no
 * more than an earlier download's leftovers, so a mistyped folder gets a message rather than 80 MB of reviews.
 */
public final class DatasetFolder {
    private DatasetFolder() {}

    /**
     * The folder of {@code part} ("train" or "test") under {@code dataDir}, downloading IMDB from {@code url} when
     * that is what the folder is for.
     *
     * @throws DataException if the folder has neither layout, or the part is missing
     */
    public static Path resolve(Path dataDir, URI url, String part) {
        Path imdb = dataDir.resolve(ImdbDataset.FOLDER_NAME);
        // the part a command needs is enough (evaluate on a copied aclImdb/test/): downloads are never half-installed
        if (Files.isDirectory(imdb.resolve(part))) return imdb.resolve(part);
        if (Files.isDirectory(imdb) || onlyDownloadLeftovers(dataDir)) {
            return new ImdbDataset().ensure(dataDir, url).resolve(part);
        }
        if (Files.isDirectory(dataDir.resolve("train")) || Files.isDirectory(dataDir.resolve("test"))) {
            Path folder = dataDir.resolve(part);
            if (!Files.isDirectory(folder)) {
                throw new DataException(dataDir + " has no " + part + "/ folder; " + expected(dataDir));
            }
            return folder;
        }
        throw new DataException(dataDir + " holds neither aclImdb/ nor train/ and test/; " + expected(dataDir));
    }

    /**
     * What {@link #resolve} will use or fetch for {@code dataDir}, in words, before anything is fetched: the same
     * rules, in the same order.
     */
    static String need(Path dataDir, URI url) {
        Path imdb = dataDir.resolve(ImdbDataset.FOLDER_NAME);
        if (Files.isDirectory(imdb)) return "data in " + imdb;
        if (Files.isDirectory(dataDir.resolve("train")) || Files.isDirectory(dataDir.resolve("test"))) {
            return "data in " + dataDir;
        }
        URI from = url != null ? url : ImdbDataset.DEFAULT_URL;
        long bytes = ImdbDataset.DEFAULT_URL.equals(from) ? ImdbDataset.DEFAULT_EXPECTED.size() : -1;
        return "the IMDB dataset (to download from " + from.getHost()
                + (bytes > 0 ? String.format(", %.1f MB", bytes / 1e6) : "") + ", into " + imdb + ")";
    }

    private static String expected(Path dataDir) {
        Path d = dataDir.normalize();
        return "expected " + d.resolve("train") + "/<class>/*.txt and " + d.resolve("test")
                + "/<class>/*.txt (one folder per class), " + d.resolve(ImdbDataset.FOLDER_NAME)
                + "/ (IMDB, downloaded into a missing or empty folder), or a file with --train-file/--test-file";
    }

    /** Missing, empty, or only what an IMDB download leaves (the archive, its .part, the lock, a staging folder). */
    private static boolean onlyDownloadLeftovers(Path dataDir) {
        if (!Files.exists(dataDir)) return true;
        if (!Files.isDirectory(dataDir)) throw new DataException(dataDir + " is not a folder");
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString())
                    .allMatch(n -> n.startsWith(".") || n.startsWith(ImdbDataset.FOLDER_NAME));
        } catch (IOException e) {
            throw new DataException("Cannot list " + dataDir + ": " + e.getMessage(), e);
        }
    }
}
