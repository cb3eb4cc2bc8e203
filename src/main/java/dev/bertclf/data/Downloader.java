package dev.bertclf.data;

import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one large file so that a flaky connection costs only a rerun: data goes to {@code <target>.part},
 * an interrupted download keeps it and the next run resumes with an HTTP {@code Range} request, and the target
 * name appears only once the file is complete and matches the expected size and SHA-256.
 *
 * <p>Redirects are followed by hand (at most {@value #MAX_REDIRECTS}) so that an HTTPS download can never be
 * silently downgraded to plain HTTP; plain HTTP is used only when the user's own URL says so. A connection that
 * cannot be opened, headers that do not come, or a body that stops flowing all fail after a timeout instead of
 * hanging.
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    static final int MAX_REDIRECTS = 5;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(?:(\\d+)-\\d+|\\*)/(\\d+|\\*)");
    private static final int BUFFER = 64 * 1024;

    /**
     * What the finished file must be: {@code size} in bytes or -1 if unknown, {@code sha256} as hex or null.
     */
    public record Expected(long size, String sha256) {
        public static final Expected UNKNOWN = new Expected(-1, null);

        public Expected {
            if (sha256 != null) {
                sha256 = sha256.toLowerCase(Locale.ROOT);
                if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("Not a SHA-256: " + sha256);
            }
        }
    }

    private final HttpClient client;
    private final Duration stallTimeout;

    public Downloader() {
        this(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** @param stallTimeout how long to wait for response headers, and for each further byte of the body */
    Downloader(Duration connectTimeout, Duration stallTimeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.getDefault())
                .build();
        this.stallTimeout = stallTimeout;
    }

    /**
     * Makes {@code target} hold the file at {@code url}, downloading or resuming only what is missing.
     *
     * @return {@code target}
     * @throws DataException on network failure (the partial file is kept for a rerun), on an HTTP error, on a
     *     refused redirect, or when the result does not match {@code expected} (the partial file is deleted)
     */
    public Path download(URI url, Path target, Expected expected) {
        requireHttp(url);
        String name = target.getFileName().toString();
        if (Files.isRegularFile(target)) {
            String problem = mismatch(target, expected);
            if (problem == null) {
                LOG.info("{} is already downloaded", target);
                return target;
            }
            LOG.warn("{} is not the expected file ({}); downloading it again", target, problem);
            delete(target);
        }
        Path part = target.resolveSibling(name + ".part");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw cannotWrite(target.getParent(), e);
        }
        fetch(url, part, expected, name);
        String problem = mismatch(part, expected);
        if (problem != null) {
            delete(part);
            throw new DataException("The file downloaded from " + url + " is not the expected one: " + problem
                    + ". It was deleted; rerun to download it again, and check the URL if this repeats.");
        }
        try {
            FileUtil.atomicMove(part, target);
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
        LOG.info("Downloaded {}", target);
        return target;
    }

    private void fetch(URI url, Path part, Expected expected, String name) {
        long have = sizeOrZero(part);
        if (expected.size() >= 0 && have >= expected.size()) {
            if (have == expected.size()) return; // complete already; verified by the caller
            delete(part);
            have = 0;
        }
        HttpResponse<InputStream> response = open(url, have);
        int status = response.statusCode();
        if (status == 416 && have > 0) {
            closeQuietly(response.body());
            long serverSize = contentRange(response).map(r -> r.total).orElse(expected.size());
            if (serverSize == have) return; // the part file was complete; only the rename was missing
            LOG.info("Server refused to resume {}; starting over", name);
            delete(part);
            have = 0;
            response = open(url, 0);
            status = response.statusCode();
        }
        boolean append;
        long total;
        if (status == 206) {
            ContentRange range = contentRange(response).orElse(null);
            if (range == null || range.start != have) {
                closeQuietly(response.body());
                delete(part);
                throw new DataException("The server resumed " + url + " at the wrong place; the partial file was "
                        + "deleted. Rerun to download it from the start.");
            }
            append = true;
            total = range.total >= 0 ? range.total : expected.size();
        } else if (status == 200) {
            if (have > 0) LOG.info("Server does not support resuming; downloading {} from the start", name);
            append = false;
            have = 0;
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            total = length >= 0 ? length : expected.size();
        } else {
            closeQuietly(response.body());
            throw new DataException("Download of " + url + " failed with HTTP status " + status
                    + ". Check the URL, or try again later.");
        }
        copy(response.body(), part, append, have, total, name, url);
    }

    private void copy(InputStream body, Path part, boolean append, long have, long total, String name, URI url) {
        long written = have;
        OutputStream out = openPart(part, append);
        try (InputStream in = body;
                out;
                ProgressBar bar = new ProgressBar("Downloading " + name, total, have, ProgressBar.Unit.BYTES);
                StallGuard guard = new StallGuard(stallTimeout, () -> closeQuietly(body))) {
            byte[] buf = new byte[BUFFER];
            int n;
            while (true) {
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw guard.fired() ? stalled(url, part) : interrupted(url, part, written, e);
                }
                if (n < 0) break;
                guard.progress();
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw cannotWrite(part, e);
                }
                written += n;
                bar.step(n);
            }
            if (guard.fired()) throw stalled(url, part);
        } catch (IOException e) {
            throw cannotWrite(part, e); // closing the part file failed
        }
    }

    private HttpResponse<InputStream> open(URI url, long offset) {
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .timeout(stallTimeout)
                    .header("User-Agent", "bert-clf")
                    .GET();
            if (offset > 0) request.header("Range", "bytes=" + offset + "-");
            HttpResponse<InputStream> response = send(request.build());
            if (!REDIRECTS.contains(response.statusCode())) return response;
            closeQuietly(response.body());
            if (hop >= MAX_REDIRECTS) {
                throw new DataException("Too many redirects (more than " + MAX_REDIRECTS + ") for " + url
                        + ". Check the URL.");
            }
            URI from = current;
            String location = response.headers().firstValue("Location").orElseThrow(() -> new DataException(
                    "The server redirected " + from + " without saying where to. Check the URL."));
            current = redirectTarget(url, current, location);
            LOG.debug("Redirected to {}", current);
        }
    }

    /** Where a redirect may go: HTTPS always, plain HTTP only if the user's own URL was plain HTTP. */
    static URI redirectTarget(URI original, URI current, String location) {
        URI next;
        try {
            next = current.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new DataException("The server redirected " + current + " to an invalid address: " + location, e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        boolean httpAllowed = "http".equalsIgnoreCase(original.getScheme());
        if (scheme.equals("https") || (scheme.equals("http") && httpAllowed)) return next;
        String why = scheme.equals("http") ? "it would downgrade HTTPS to unencrypted HTTP"
                : "only http and https are supported";
        throw new DataException("Refusing the redirect from " + current + " to " + next + ": " + why
                + ". Pass the final URL yourself if you trust it.");
    }

    private HttpResponse<InputStream> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new DataException("No answer from " + request.uri().getHost() + " in time (" + e.getMessage()
                    + "). Check your network connection or proxy settings, then rerun.", e);
        } catch (IOException e) {
            throw new DataException("Cannot reach " + request.uri().getHost() + ": " + describe(e)
                    + ". Check your network connection or proxy settings, then rerun.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Download of " + request.uri() + " was interrupted.", e);
        }
    }

    private static void requireHttp(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new DataException("Cannot download " + url + ": only http:// and https:// URLs are supported.");
        }
    }

    /** Why {@code file} is not {@code expected}, or null if it is (or nothing is expected). */
    static String mismatch(Path file, Expected expected) {
        long size = sizeOrZero(file);
        if (expected.size() >= 0 && size != expected.size()) {
            return "its size is " + size + " bytes, expected " + expected.size() + " bytes";
        }
        if (expected.sha256() != null) {
            String actual = sha256(file);
            if (!actual.equals(expected.sha256())) {
                return "its SHA-256 is " + actual + ", expected " + expected.sha256();
            }
        }
        return null;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) digest.update(buf, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private record ContentRange(long start, long total) {}

    private static Optional<ContentRange> contentRange(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range").map(value -> {
            Matcher m = CONTENT_RANGE.matcher(value.trim());
            if (!m.matches()) return null;
            long start = m.group(1) == null ? -1 : Long.parseLong(m.group(1));
            long total = m.group(2).equals("*") ? -1 : Long.parseLong(m.group(2));
            return new ContentRange(start, total);
        });
    }

    private static OutputStream openPart(Path part, boolean append) {
        try {
            return Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw cannotWrite(part, e);
        }
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new DataException("Cannot delete " + file + ": " + e.getMessage() + ". Delete it by hand.", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing useful to do: the stream is abandoned either way
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private DataException stalled(URI url, Path part) {
        return new DataException("Download of " + url + " stalled: no data for "
                + ProgressBar.duration(stallTimeout.toMillis() / 1000.0) + ". The partial file " + part + " was kept; rerun the same command to resume.");
    }

    private static DataException interrupted(URI url, Path part, long written, IOException e) {
        return new DataException("Download of " + url + " was interrupted after " + written + " bytes ("
                + describe(e) + "). The partial file " + part + " was kept; rerun the same command to resume.", e);
    }

    private static DataException cannotWrite(Path path, IOException e) {
        return new DataException("Cannot write " + path + ": " + describe(e)
                + ". Check free disk space and permissions.", e);
    }
}
