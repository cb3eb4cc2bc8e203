package dev.bertclf.runtime;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The one folder the tool owns on a machine: natives, cached models and the pointer to the last trained model.
 * Users move it with {@code BERT_CLF_HOME} (or the {@code bert.clf.home} system property, which tests use) so
 * that CI, shared servers and air-gapped hosts can keep it wherever they have space.
 *
 * <p>The tool loads native code (TensorFlow's, the tokenizer's, its own kernels) and models from this folder, so
 * whoever can write into it can run code as the user: {@link #root} creates it {@code 0700} and refuses one that is
 * not a folder, belongs to another user, or is writable by group or others (a shared {@code /tmp/bert-clf} once
 * ran another user's planted library), with the command that fixes it. {@link #location} is the bare path, for
 * comparing and naming it without those checks.
 */
public final class BertClfHome {
    private static final Set<PosixFilePermission> OPEN =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private BertClfHome() {}

    /** The home's path as configured, unchecked: for naming and comparing it. */
    public static Path location() {
        String p = System.getProperty("bert.clf.home");
        if (p == null || p.isBlank()) p = System.getenv("BERT_CLF_HOME");
        if (p == null || p.isBlank()) return Path.of(System.getProperty("user.home"), ".bert-clf");
        return Path.of(p).toAbsolutePath();
    }

    /**
     * The home, created {@code 0700} if missing, and checked to be the user's own.
     *
     * @throws DataException when it is not a folder, not the user's, writable by others, or cannot be created
     */
    public static Path root() {
        Path home = location();
        try {
            if (!Files.exists(home)) {
                Files.createDirectories(home.getParent());
                try {
                    Files.createDirectory(
                            home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // made a moment ago by another run: checked below like any other
                } catch (UnsupportedOperationException notPosix) {
                    Files.createDirectories(home);
                }
            }
            check(home);
        } catch (IOException e) {
            throw new DataException(
                    "Cannot use bert-clf's home " + home + " (BERT_CLF_HOME): " + FileErrors.describe(e, home)
                            + "; set BERT_CLF_HOME to a folder of your own",
                    e);
        }
        return home;
    }

    private static void check(Path home) throws IOException {
        if (!Files.isDirectory(home)) {
            throw new DataException("bert-clf's home " + home + " (BERT_CLF_HOME) is not a folder; set BERT_CLF_HOME "
                    + "to a folder of your own, or move the file away");
        }
        Path real = home.toRealPath();
        if (!Files.getFileStore(real).supportsFileAttributeView("posix")) return;
        String owner = Files.getOwner(real, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new DataException("bert-clf's home " + home + " (BERT_CLF_HOME) belongs to " + owner + ", not to "
                    + System.getProperty("user.name") + ": bert-clf loads native code and models from it, so it must "
                    + "be yours; set BERT_CLF_HOME to a folder of your own");
        }
        if (!Files.isWritable(real)) {
            throw new DataException("bert-clf's home " + home + " (BERT_CLF_HOME) is read-only: bert-clf unpacks "
                    + "TensorFlow's natives and caches models there; set BERT_CLF_HOME to a writable folder of your "
                    + "own");
        }
        Set<PosixFilePermission> modes = Files.getPosixFilePermissions(real, LinkOption.NOFOLLOW_LINKS);
        if (modes.stream().anyMatch(OPEN::contains)) {
            throw new DataException("bert-clf's home " + home + " (BERT_CLF_HOME) is writable by "
                    + (modes.contains(PosixFilePermission.OTHERS_WRITE) ? "every user" : "its group") + " (mode "
                    + PosixFilePermissions.toString(modes) + "): bert-clf loads native code from it, so others must "
                    + "not write there; run 'chmod go-w " + real + "' or set BERT_CLF_HOME to a folder of your own");
        }
    }

    public static Path natives() {
        return root().resolve("natives");
    }

    public static Path models() {
        return root().resolve("models");
    }

    /** Text file holding the path of the model the last {@code train} wrote. */
    public static Path lastModelPointer() {
        return root().resolve("last-model");
    }

    /** Where {@code download} puts the dataset when no {@code --data-dir} is given. */
    public static Path defaultDataDir() {
        return root().resolve("data");
    }

    /** Checks the home when DJL's cache ({@code DJL_CACHE_DIR}, where it loads the tokenizer's library) is in it. */
    public static void checkDjlCache() {
        String cache = System.getProperty("DJL_CACHE_DIR");
        if (cache != null && Path.of(cache).toAbsolutePath().startsWith(location())) root();
    }
}
