package dev.bertclf.io;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.ProgressBar;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks downloaded {@code .tar.gz}/{@code .tgz}/{@code .tar} and {@code .zip} archives without trusting them.
 * An archive from the network may try to write outside the target ({@code ../x}, {@code /etc/x}), plant links
 * that later writes follow, or expand into far more data than it looks; and an interrupted run must not leave a
 * half-filled folder that a later run mistakes for a complete one.
 *
 * <p>Policy: the format is detected from the magic bytes, not the name. Every entry name is normalised and
 * refused if it is absolute or escapes the destination. <b>All</b> symbolic links and hard links are refused, as
 * are device, FIFO and other special entries: datasets never need them, and refusing them all is simpler to get
 * right than resolving link targets. (A leading '/' in a pax {@code path} header is already stripped by
 * commons-compress, so such an entry lands inside the destination.) File modes are not restored. Bytes actually written
 * and entries are counted
 * against {@link Limits}. Everything is written into a temporary sibling folder ({@code .extract-*}) that is
 * renamed onto the destination only after the whole archive succeeded, and deleted on any failure.
 */
public final class ArchiveExtractor {
    private static final Logger log = LoggerFactory.getLogger(ArchiveExtractor.class);
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP_MAGIC = {'P', 'K', 5, 6};
    private static final byte[] TAR_MAGIC = "ustar".getBytes(StandardCharsets.US_ASCII);
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final int BUFFER = 64 * 1024;
    private static final int UNIX_TYPE_MASK = 0170000;
    private static final int UNIX_REGULAR = 0100000;
    private static final int UNIX_DIRECTORY = 0040000;

    /**
     * Caps on what one archive may expand to, against decompression bombs. {@code maxTotalBytes} counts bytes
     * really written, not what headers claim.
     */
    public record Limits(long maxTotalBytes, long maxEntries) {
        /** Ample for IMDB (about 100,000 files) while stopping runaway archives. */
        public static final Limits DEFAULT = new Limits(4L << 30, 500_000);
    }

    enum Format {
        TAR_GZ,
        TAR,
        ZIP
    }

    /**
     * Extracts {@code archive} so that {@code destination} appears complete or not at all.
     *
     * @throws DataException if the destination exists, the archive is corrupt, truncated or of an unknown format,
     *     an entry is unsafe, a limit is exceeded, or the disk cannot be written
     */
    public void extract(Path archive, Path destination, Limits limits) {
        Path dest = destination.toAbsolutePath().normalize();
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            throw new DataException(dest + " already exists; remove it or choose another folder to extract into.");
        }
        Format format = detect(archive);
        Path staging = createStaging(dest);
        boolean done = false;
        try {
            Budget budget = new Budget(limits, archive);
            try (ProgressBar bar =
                    new ProgressBar("Extracting " + archive.getFileName(), size(archive), 0, ProgressBar.Unit.BYTES)) {
                if (format == Format.ZIP) {
                    extractZip(archive, staging, budget, bar);
                } else {
                    extractTar(archive, format, staging, budget, bar);
                }
            }
            move(staging, dest);
            done = true;
            log.info("Extracted {} files ({} bytes) from {} into {}", budget.files, budget.bytes, archive, dest);
        } finally {
            if (!done) deleteQuietly(staging);
        }
    }

    static Format detect(Path archive) {
        byte[] head = new byte[TAR_MAGIC_OFFSET + TAR_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(archive)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new DataException("Cannot read archive " + archive + ": " + e.getMessage(), e);
        }
        if (startsWith(head, n, 0, GZIP_MAGIC)) return Format.TAR_GZ;
        if (startsWith(head, n, 0, ZIP_MAGIC) || startsWith(head, n, 0, EMPTY_ZIP_MAGIC)) return Format.ZIP;
        if (startsWith(head, n, TAR_MAGIC_OFFSET, TAR_MAGIC)) return Format.TAR;
        throw new DataException("Archive is corrupt or not a supported format (.tar.gz, .tgz, .tar or .zip): " + archive
                + ". Delete it and download it again.");
    }

    private static boolean startsWith(byte[] data, int length, int offset, byte[] magic) {
        return length >= offset + magic.length
                && Arrays.equals(data, offset, offset + magic.length, magic, 0, magic.length);
    }

    private void extractTar(Path archive, Format format, Path root, Budget budget, ProgressBar bar) {
        try (InputStream file = Files.newInputStream(archive)) {
            InputStream counted = new BufferedInputStream(new ProgressInputStream(file, bar::step), BUFFER);
            InputStream raw = format == Format.TAR_GZ ? new GzipCompressorInputStream(counted, true) : counted;
            try (TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    budget.countEntry();
                    String name = entry.getName();
                    Path target = safeTarget(root, name, archive);
                    if (entry.isSymbolicLink() || entry.isLink()) {
                        throw unsafe(
                                archive,
                                name,
                                (entry.isLink() ? "a hard link" : "a symbolic link") + " to '" + entry.getLinkName()
                                        + "'; links are never extracted");
                    }
                    if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                        throw unsafe(archive, name, "a device or FIFO");
                    }
                    if (entry.isDirectory()) {
                        createDirectories(target);
                    } else if (entry.isFile()) {
                        writeFile(tar, target, budget);
                    } else {
                        throw unsafe(archive, name, "an unsupported entry type '" + (char) entry.getLinkFlag() + "'");
                    }
                }
            }
        } catch (IOException e) {
            throw corrupt(archive, e);
        }
    }

    private void extractZip(Path archive, Path root, Budget budget, ProgressBar bar) {
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                budget.countEntry();
                String name = entry.getName();
                Path target = safeTarget(root, name, archive);
                int type = entry.getUnixMode() & UNIX_TYPE_MASK;
                if (entry.isUnixSymlink()) {
                    throw unsafe(archive, name, "a symbolic link; links are never extracted");
                }
                if (type != 0 && type != UNIX_REGULAR && type != UNIX_DIRECTORY) {
                    throw unsafe(archive, name, "a device, FIFO or other special file");
                }
                if (entry.isDirectory()) {
                    createDirectories(target);
                } else {
                    try (InputStream in = zip.getInputStream(entry)) {
                        writeFile(in, target, budget);
                    }
                }
                bar.step(Math.max(0, entry.getCompressedSize()));
            }
            bar.step(Math.max(0, size(archive) - bar.count())); // headers and the central directory
        } catch (IOException e) {
            throw corrupt(archive, e);
        }
    }

    /** Resolves an entry name inside {@code root}, refusing absolute names and names that climb out of it. */
    static Path safeTarget(Path root, String name, Path archive) {
        String n = name.replace('\\', '/');
        if (n.isEmpty() || n.indexOf('\0') >= 0) throw unsafe(archive, name, "an empty or invalid name");
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*")) throw unsafe(archive, name, "an absolute path");
        Path target = root.resolve(n).normalize();
        if (!target.startsWith(root)) throw unsafe(archive, name, "a path that escapes the destination folder");
        return target;
    }

    /**
     * Copies one entry. Read errors surface as {@link IOException} (the archive is at fault); write errors are
     * turned into a {@link DataException} here so they are not mistaken for a corrupt archive.
     */
    private static void writeFile(InputStream in, Path target, Budget budget) throws IOException {
        createDirectories(target.getParent());
        byte[] buf = new byte[BUFFER];
        OutputStream out = openForWrite(target);
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                budget.countBytes(n);
                write(out, buf, n, target);
            }
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                throw DataException.cannotWrite(target, e);
            }
        }
        budget.files++;
    }

    private static void write(OutputStream out, byte[] buf, int n, Path target) {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            throw DataException.cannotWrite(target, e);
        }
    }

    private static OutputStream openForWrite(Path target) {
        try {
            return FileUtil.openTruncate(target);
        } catch (IOException e) {
            throw DataException.cannotWrite(target, e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw DataException.cannotWrite(dir, e);
        }
    }

    private static Path createStaging(Path dest) {
        Path parent = dest.getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, ".extract-");
        } catch (IOException e) {
            throw DataException.cannotWrite(parent, e);
        }
    }

    private static void move(Path staging, Path dest) {
        try {
            FileUtil.atomicMove(staging, dest);
        } catch (IOException e) {
            throw new DataException("Cannot move extracted files into " + dest + ": " + e.getMessage(), e);
        }
    }

    private static long size(Path archive) {
        try {
            return Files.size(archive);
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileUtil.deleteTree(dir);
        } catch (IOException e) {
            log.warn("Could not remove temporary folder {}: {}", dir, e.getMessage());
        }
    }

    private static DataException unsafe(Path archive, String entry, String what) {
        return new DataException("Refusing to extract " + archive + ": entry '" + entry + "' is " + what + ".");
    }

    private static DataException corrupt(Path archive, IOException e) {
        return new DataException(
                "Archive is corrupt or truncated: " + archive + " (" + e.getMessage()
                        + "). Delete it and download it again.",
                e);
    }

    /** Running totals checked against {@link Limits} as data is written. */
    private static final class Budget {
        private final Limits limits;
        private final Path archive;
        private long entries;
        private long bytes;
        private long files;

        Budget(Limits limits, Path archive) {
            this.limits = limits;
            this.archive = archive;
        }

        void countEntry() {
            if (++entries > limits.maxEntries()) {
                throw new DataException("Refusing to extract " + archive + ": it has more than " + limits.maxEntries()
                        + " entries (possible decompression bomb).");
            }
        }

        void countBytes(long n) {
            bytes += n;
            if (bytes > limits.maxTotalBytes()) {
                throw new DataException("Refusing to extract " + archive + ": it expands to more than "
                        + limits.maxTotalBytes() + " bytes (possible decompression bomb).");
            }
        }
    }
}
