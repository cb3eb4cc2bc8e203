package dev.bertclf.score;

import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 of what a model folder's predictions come from: {@code saved_model.pb}, {@code variables/},
 * {@code assets/}, {@code metadata.json} and {@code bert_config.json}, each file's relative name and content in
 * name order. A model trained again into the same folder has another digest; the logs, history and a user's notes
 * beside it do not count. A resumed scoring run checks it ({@link ResumeMarker}).
 */
final class ModelDigest {
    private static final List<String> PARTS =
            List.of("saved_model.pb", "variables", "assets", "metadata.json", "bert_config.json");

    private ModelDigest() {}

    static String of(Path modelDir) {
        MessageDigest md = sha256();
        try {
            for (String part : PARTS) {
                Path p = modelDir.resolve(part);
                if (!Files.exists(p)) continue;
                List<Path> files;
                try (Stream<Path> s = Files.walk(p)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    md.update(modelDir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                    try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof IOException x ? x : ((UncheckedIOException) e).getCause();
            throw new DataException("cannot read the model in " + modelDir + ": " + FileErrors.describe(io), io);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hex SHA-256 of what {@code md} has seen so far, leaving it to go on. */
    static String sofar(MessageDigest md) {
        try {
            return HexFormat.of().formatHex(((MessageDigest) md.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
