package dev.bertclf.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds the small archives the tests need, so no test depends on the network or checked-in binaries. */
public final class TestArchives {
    private TestArchives() {}

    /** A miniature aclImdb: train/{neg,pos,unsup}, test/{neg,pos} and a README, with a top-level aclImdb/. */
    public static Map<String, String> imdbFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("aclImdb/README", "Large Movie Review Dataset v1.0\n");
        for (String split : new String[] {"train", "test"}) {
            for (int i = 0; i < 4; i++) {
                files.put("aclImdb/" + split + "/neg/" + i + "_2.txt", split + " bad movie " + i + " ".repeat(200));
                files.put("aclImdb/" + split + "/pos/" + i + "_9.txt", split + " good movie " + i + " ".repeat(200));
            }
        }
        for (int i = 0; i < 3; i++) files.put("aclImdb/train/unsup/" + i + "_0.txt", "unlabelled " + i);
        return files;
    }

    public static byte[] tarGz(Map<String, String> files) throws IOException {
        return tarGz(tar -> {
            files.forEach((name, text) -> addFile(tar, name, text.getBytes(StandardCharsets.UTF_8)));
        });
    }

    public static byte[] tarGz(Consumer<TarArchiveOutputStream> content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(bytes)) {
            gz.write(tar(content));
        }
        return bytes.toByteArray();
    }

    public static byte[] tar(Consumer<TarArchiveOutputStream> content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            content.accept(tar);
        }
        return bytes.toByteArray();
    }

    public static void addFile(TarArchiveOutputStream tar, String name, byte[] data) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public static void addLink(TarArchiveOutputStream tar, String name, byte linkFlag, String linkName) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, linkFlag);
            e.setLinkName(linkName);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public static void addSymlink(TarArchiveOutputStream tar, String name, String target) {
        addLink(tar, name, TarConstants.LF_SYMLINK, target);
    }

    public static byte[] zip(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }
}
