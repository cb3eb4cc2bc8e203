package dev.bertclf.serve;

import dev.bertclf.runtime.BoundedFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret a client must send as {@code Authorization: Bearer KEY} when the server is reachable beyond
 * this machine. The key lives in a file rather than on the command line, where every user of the machine could read
 * it in the process list. Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, whose time does
 * not depend on where they differ nor, through the digest, on the key's length.
 */
public final class ApiKey {
    private final byte[] digest;

    private ApiKey(String key) {
        this.digest = sha256(key);
    }

    /** The key in {@code file}. */
    public static ApiKey read(Path file) throws IOException {
        return new ApiKey(secret(file, "--api-key-file"));
    }

    /** A key file is a line; a larger one is a mistake, or a device that never ends. */
    static final long MAX_BYTES = 64 * 1024;

    /**
     * A secret kept in a file, named by {@code option}: the file's UTF-8 text without surrounding whitespace (the
     * usual final line break); an empty file is refused rather than taken for an empty secret.
     */
    public static String secret(Path file, String option) throws IOException {
        String secret;
        try {
            secret = BoundedFiles.readString(file, MAX_BYTES).strip();
        } catch (NoSuchFileException e) {
            throw new IOException(option + " " + file + ": no such file", e);
        } catch (CharacterCodingException e) {
            throw new IOException(option + " " + file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new IOException(option + " " + file + ": cannot read it (" + e + ")", e);
        }
        if (secret.isEmpty()) throw new IOException(option + " " + file + ": the file is empty or only whitespace");
        if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) { // what a client can send in a header
            throw new IOException(option + " " + file + ": the key must be one line of printable ASCII without "
                    + "spaces (a client sends it in an Authorization header)");
        }
        return secret;
    }

    /** Whether {@code authorization} (the header's value, null when absent) is {@code Bearer} and this key. */
    boolean admits(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
