package dev.bertclf.data;

import dev.bertclf.io.ArchiveExtractor;
import dev.bertclf.io.ArchiveExtractor.Limits;
import dev.bertclf.io.Downloader;
import dev.bertclf.io.Downloader.Expected;
import dev.bertclf.io.OutputLock;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the Large Movie Review Dataset (IMDB, Maas et al. 2011) into the layout the tutorial trains on:
 * {@code <dataDir>/aclImdb/{train,test}/{neg,pos}}, with {@code train/unsup} removed as the tutorial does.
 *
 * <p>The folder appears complete or not at all: the archive is extracted into a staging folder, trimmed there,
 * and renamed into place last, so a later run can trust "train and test exist" to mean "done". A lock file keeps
 * two runs from writing the same folder. The published size and SHA-256 are checked only for the official URL;
 * a mirror the user chooses is trusted as given. An archive that cannot be extracted is deleted, so the next run
 * downloads it again instead of counting it as downloaded.
 */
public final class ImdbDataset {
    private static final Logger log = LoggerFactory.getLogger(ImdbDataset.class);

    public static final URI DEFAULT_URL = URI.create("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz");
    /** Size and SHA-256 as published in tensorflow/datasets' imdb_reviews checksums.tsv. */
    public static final Expected DEFAULT_EXPECTED =
            new Expected(84_125_825L, "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe");

    public static final String ARCHIVE_NAME = "aclImdb_v1.tar.gz";
    public static final String FOLDER_NAME = "aclImdb";

    private final Downloader downloader;
    private final ArchiveExtractor extractor;
    private final Limits limits;
    private final URI knownUrl;
    private final Expected knownExpected;

    public ImdbDataset() {
        this(new Downloader(), new ArchiveExtractor(), Limits.DEFAULT, DEFAULT_URL, DEFAULT_EXPECTED);
    }

    /** For tests: which URL counts as the official one, and what its file must be. */
    ImdbDataset(
            Downloader downloader, ArchiveExtractor extractor, Limits limits, URI knownUrl, Expected knownExpected) {
        this.downloader = downloader;
        this.extractor = extractor;
        this.limits = limits;
        this.knownUrl = knownUrl;
        this.knownExpected = knownExpected;
    }

    /**
     * Makes sure {@code dataDir/aclImdb} holds the dataset, downloading and extracting it if needed.
     *
     * @return the {@code aclImdb} folder
     * @throws DataException if another download into {@code dataDir} is running, or anything in downloading or
     *     extracting fails (nothing partial is left in {@code aclImdb})
     */
    public Path ensure(Path dataDir, URI url) {
        Path root = dataDir.resolve(FOLDER_NAME);
        if (alreadyPresent(root)) return root;
        createDirectories(dataDir);
        try (OutputLock lock = OutputLock.acquire(
                dataDir.resolve(".download.lock"),
                "Another download is running into " + dataDir + "; wait for it to finish, or stop it, then rerun.")) {
            if (alreadyPresent(root)) return root; // another run may have just finished it
            if (Files.exists(root)) {
                throw new DataException(root + " exists but has no train/ and test/ folders; move it away or "
                        + "delete it, then rerun.");
            }
            Expected expected = url.equals(knownUrl) ? knownExpected : Expected.UNKNOWN;
            if (expected == Expected.UNKNOWN) log.warn("not the official URL: size and checksum are not checked");
            Path archive;
            try {
                archive = downloader.download(url, dataDir.resolve(ARCHIVE_NAME), expected);
            } catch (Downloader.Unreachable offline) {
                throw new DataException(
                        offline.getMessage() + " The IMDB dataset is not in " + root + " yet; without the network, "
                                + "copy aclImdb/ (or " + ARCHIVE_NAME + ") from a machine that has it into " + dataDir
                                + ", or point --data-dir at a folder holding aclImdb/, or serve the archive yourself "
                                + "(download --url URL), or train on your own data (--train-file FILE).",
                        offline);
            }
            install(archive, dataDir, root);
            log.debug("Dataset ready in {}", root); // download says it on stdout; train goes on to "Found ..."
            return root;
        }
    }

    private void install(Path archive, Path dataDir, Path root) {
        Path staging = dataDir.resolve(".aclImdb-staging");
        deleteTree(staging); // left over from a crashed run; we hold the lock
        try {
            Path extracted = staging.resolve(FOLDER_NAME);
            try {
                extractor.extract(archive, staging, limits);
                if (!isComplete(extracted)) {
                    throw new DataException(archive + " does not contain " + FOLDER_NAME + "/train and " + FOLDER_NAME
                            + "/test; is the URL right? The archive was deleted.");
                }
            } catch (DataException e) {
                Downloader.discard(archive); // refused or corrupt: a later run must not take it as downloaded
                throw e;
            }
            deleteTree(extracted.resolve("train").resolve("unsup"));
            FileUtil.atomicMove(extracted, root);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot move the extracted dataset into " + root + ": " + FileErrors.describe(e), e);
        } finally {
            try {
                FileUtil.deleteTree(staging);
            } catch (IOException e) {
                log.warn("Could not remove {}: {}", staging, e.getMessage());
            }
        }
    }

    private static boolean alreadyPresent(Path root) {
        if (!isComplete(root)) return false;
        log.info("Dataset already present in {}, nothing to do", root);
        return true;
    }

    /** Whether {@code root} looks like a finished install; only the last step of {@link #install} creates it. */
    static boolean isComplete(Path root) {
        return Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("test"));
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot create " + dir + ": " + FileErrors.describe(e, dir) + ". Check permissions.", e);
        }
    }

    private static void deleteTree(Path path) {
        try {
            FileUtil.deleteTree(path);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot delete " + path + ": " + FileErrors.describe(e, path) + ". Delete it by hand.", e);
        }
    }
}
