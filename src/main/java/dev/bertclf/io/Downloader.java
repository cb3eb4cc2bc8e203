package dev.bertclf.io;

import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Bytes are only ever joined to bytes of the same resource: a sidecar {@code <target>.source.json} records the
 * URL, length and validators (ETag, Last-Modified) of what {@code .part} or the target holds. A partial file from
 * another URL is started over, a resume sends {@code If-Range} so a resource that changed is sent whole, and a
 * target is reused only if it came from the same URL (or matches the expected SHA-256).
 *
 * <p>Redirects are followed by hand (at most {@value #MAX_REDIRECTS}) so that an HTTPS download can never be
 * silently downgraded to plain HTTP; plain HTTP is used only when the user's own URL says so. A connection that
 * cannot be opened, headers that do not come, or a body that stops flowing all fail after a timeout instead of
 * hanging.
 */
public final class Downloader {
    /**
     * {@code true} (set by {@code --offline} for one command, or the environment's {@code BERT_CLF_OFFLINE=1}): no
     * connection is opened; a download fails at once as an unreachable host does, with the caller's ways round it.
     */
    public static final String OFFLINE = "bertclf.offline";

    /**
     * The network could not be used: a host that cannot be reached or does not answer, or {@link #OFFLINE}. Callers
     * add what their download was for and how to do without it (a mirror, a local folder, a file of one's own).
     */
    public static final class Unreachable extends DataException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What to check when the network fails; a proxy is given to Java as system properties. */
    private static final String NETWORK_FIX = "Check your network connection, or give your proxy to Java "
            + "(BERT_CLF_JAVA_OPTS='-Dhttps.proxyHost=HOST -Dhttps.proxyPort=PORT'), then rerun.";

    /** Whether this command may not use the network ({@link #OFFLINE}). */
    public static boolean offline() {
        return Boolean.getBoolean(OFFLINE) || "1".equals(System.getenv("BERT_CLF_OFFLINE"));
    }

    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
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
    public Downloader(Duration connectTimeout, Duration stallTimeout) {
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
        Path part = target.resolveSibling(name + ".part");
        Path sidecar = sourceFile(target);
        Source known = Source.read(sidecar);
        boolean sameUrl = known != null && known.url().equals(url.toString());
        if (Files.isRegularFile(target)) {
            String problem = sameUrl || expected.sha256() != null
                    ? mismatch(target, expected)
                    : known == null ? "where it came from is unknown" : "it came from " + known.url();
            if (problem == null) {
                log.info("{} is already downloaded", target);
                return target;
            }
            log.warn("{} is not the expected file ({}); downloading it again", target, problem);
            delete(target);
        }
        if (!sameUrl && Files.exists(part)) {
            log.info("{} is not from {}; starting the download over", part, url);
            delete(part);
        }
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw DataException.cannotWrite(target.getParent(), e);
        }
        fetch(url, part, expected, name, sameUrl ? known : null, sidecar);
        String problem = mismatch(part, expected);
        if (problem != null) {
            delete(part);
            delete(sidecar);
            throw new DataException("The file downloaded from " + url + " is not the expected one: " + problem
                    + ". It was deleted; rerun to download it again, and check the URL if this repeats.");
        }
        try {
            FileUtil.atomicMove(part, target);
        } catch (IOException e) {
            throw DataException.cannotWrite(target, e);
        }
        log.info("Downloaded {}", target);
        return target;
    }

    /** Deletes a downloaded file that turned out unusable (a refused archive), so no later run reuses it. */
    public static void discard(Path target) {
        delete(target);
        delete(sourceFile(target));
    }

    private static Path sourceFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".source.json");
    }

    /** @param known what {@code part} holds, or null if it holds nothing to resume */
    private void fetch(URI url, Path part, Expected expected, String name, Source known, Path sidecar) {
        long have = known == null ? 0 : sizeOrZero(part);
        if (expected.size() >= 0 && have >= expected.size()) {
            if (have == expected.size()) return; // complete already; verified by the caller
            delete(part);
            have = 0;
        }
        HttpResponse<InputStream> response = open(url, have, known);
        int status = response.statusCode();
        if (status == 416 && have > 0) {
            closeQuietly(response.body());
            long serverSize = contentRange(response, url).map(r -> r.total).orElse(expected.size());
            if (serverSize == have) return; // the part file was complete; only the rename was missing
            log.info("Server refused to resume {}; starting over", name);
            delete(part);
            have = 0;
            response = open(url, 0, null);
            status = response.statusCode();
        }
        if (status == 206) {
            ContentRange range = contentRange(response, url).orElse(null);
            if (range == null || range.start != have) {
                closeQuietly(response.body());
                delete(part);
                throw new DataException("The server resumed " + url + " at the wrong place; the partial file was "
                        + "deleted. Rerun to download it from the start.");
            }
            if (known != null && known.changedIn(response, range.total)) {
                closeQuietly(response.body());
                log.info("{} changed on the server since the partial download; starting over", url);
                delete(part);
                have = 0;
                response = open(url, 0, null);
                status = response.statusCode();
            }
        }
        boolean append;
        long total;
        if (status == 206) {
            ContentRange range = contentRange(response, url).orElseThrow();
            if (known == null) Source.of(url, response, range.total).write(sidecar);
            append = true;
            total = range.total >= 0 ? range.total : expected.size();
        } else if (status == 200) {
            if (have > 0) log.info("Server sent all of {}; downloading it from the start", name);
            append = false;
            have = 0;
            long length = contentLength(response, url);
            total = length >= 0 ? length : expected.size();
            Source.of(url, response, length).write(sidecar);
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
                    throw DataException.cannotWrite(part, e);
                }
                written += n;
                bar.step(n);
            }
            if (guard.fired()) throw stalled(url, part);
        } catch (IOException e) {
            throw DataException.cannotWrite(part, e); // closing the part file failed
        }
    }

    /** A GET of {@code url}, from {@code offset} on if that is the same resource as {@code known}'s. */
    private HttpResponse<InputStream> open(URI url, long offset, Source known) {
        URI current = url;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .timeout(stallTimeout)
                    .header("User-Agent", "bert-clf")
                    .GET();
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
                String validator = known.validator();
                if (validator != null) request.header("If-Range", validator);
            }
            HttpResponse<InputStream> response = send(request.build());
            if (!REDIRECTS.contains(response.statusCode())) return response;
            closeQuietly(response.body());
            if (hop >= MAX_REDIRECTS) {
                throw new DataException(
                        "Too many redirects (more than " + MAX_REDIRECTS + ") for " + url + ". Check the URL.");
            }
            URI from = current;
            String location = response.headers()
                    .firstValue("Location")
                    .orElseThrow(() -> new DataException(
                            "The server redirected " + from + " without saying where to. Check the URL."));
            current = redirectTarget(url, current, location);
            log.debug("Redirected to {}", current);
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
        String why = scheme.equals("http")
                ? "it would downgrade HTTPS to unencrypted HTTP"
                : "only http and https are supported";
        throw new DataException("Refusing the redirect from " + current + " to " + next + ": " + why
                + ". Pass the final URL yourself if you trust it.");
    }

    private HttpResponse<InputStream> send(HttpRequest request) {
        if (offline()) {
            throw new Unreachable("--offline: not downloading " + request.uri() + ".", null);
        }
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new Unreachable(
                    "No answer from " + request.uri().getHost() + " in time (" + e.getMessage() + "). " + NETWORK_FIX,
                    e);
        } catch (IOException e) {
            throw new Unreachable(
                    "Cannot reach " + request.uri().getHost() + ": " + describe(e) + ". " + NETWORK_FIX, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Download of " + request.uri() + " was interrupted.", e);
        } catch (IllegalArgumentException e) {
            // the client reads Content-Length itself, and fails on one no long can hold
            Throwable cause = e instanceof NumberFormatException ? e : e.getCause();
            if (!(cause instanceof NumberFormatException)) throw e;
            Matcher quoted = Pattern.compile("\"(.*)\"").matcher(String.valueOf(cause.getMessage()));
            throw badHeader("Content-Length", quoted.find() ? quoted.group(1) : "?", request.uri());
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

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) digest.update(buf, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + FileErrors.describe(e, file), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    private record ContentRange(long start, long total) {}

    private static Optional<ContentRange> contentRange(HttpResponse<?> response, URI url) {
        return response.headers().firstValue("Content-Range").map(value -> {
            Matcher m = CONTENT_RANGE.matcher(value.trim());
            if (!m.matches()) return null;
            long start = m.group(1) == null ? -1 : bytes(m.group(1), "Content-Range", value, url);
            long total = m.group(2).equals("*") ? -1 : bytes(m.group(2), "Content-Range", value, url);
            return new ContentRange(start, total);
        });
    }

    /** The Content-Length header, or -1 if there is none. */
    private static long contentLength(HttpResponse<?> response, URI url) {
        return response.headers()
                .firstValue("Content-Length")
                .map(v -> bytes(v.trim(), "Content-Length", v, url))
                .orElse(-1L);
    }

    /** A byte count from a header; one that is not a number, or too large for one, is the server's error. */
    private static long bytes(String digits, String header, String value, URI url) {
        try {
            long n = Long.parseLong(digits);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw badHeader(header, value, url);
    }

    private static DataException badHeader(String header, String value, URI url) {
        return new DataException("The server sent an invalid " + header + " header for " + url + ": '" + value
                + "' is not a valid byte count. Try again later, or check the URL.");
    }

    /** Where the bytes of {@code .part} or the target came from: the sidecar file's content. */
    record Source(String url, long length, String etag, String lastModified) {
        static Source of(URI url, HttpResponse<?> response, long length) {
            HttpHeaders h = response.headers();
            return new Source(
                    url.toString(),
                    length,
                    h.firstValue("ETag").orElse(null),
                    h.firstValue("Last-Modified").orElse(null));
        }

        /** The sidecar's record, or null if there is none or it cannot be read (then nothing is resumed). */
        static Source read(Path sidecar) {
            try {
                if (!Files.isRegularFile(sidecar)) return null;
                Source s = Json.PRETTY.fromJson(BoundedFiles.readString(sidecar, BoundedFiles.SMALL), Source.class);
                return s == null || s.url() == null ? null : s;
            } catch (IOException | RuntimeException e) {
                log.debug("Ignoring unreadable {}: {}", sidecar, e.toString());
                return null;
            }
        }

        void write(Path sidecar) {
            try {
                FileUtil.writeStringAtomic(sidecar, Json.PRETTY.toJson(this));
            } catch (IOException e) {
                throw DataException.cannotWrite(sidecar, e);
            }
        }

        /** For {@code If-Range}: a strong ETag, else Last-Modified (RFC 9110 allows no weak ETag there). */
        String validator() {
            if (etag != null && !etag.startsWith("W/")) return etag;
            return lastModified;
        }

        /** Whether a 206 answer is of another version of the resource than the one the partial file holds. */
        boolean changedIn(HttpResponse<?> response, long total) {
            HttpHeaders h = response.headers();
            return differs(etag, h.firstValue("ETag").orElse(null))
                    || differs(lastModified, h.firstValue("Last-Modified").orElse(null))
                    || (length >= 0 && total >= 0 && length != total);
        }

        private static boolean differs(String recorded, String now) {
            return recorded != null && now != null && !recorded.equals(now);
        }
    }

    private static OutputStream openPart(Path part, boolean append) {
        try {
            return append ? FileUtil.openAppend(part) : FileUtil.openTruncate(part);
        } catch (IOException e) {
            throw DataException.cannotWrite(part, e);
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
            throw new DataException(
                    "Cannot delete " + file + ": " + FileErrors.describe(e, file) + ". Delete it by hand.", e);
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
        return FileErrors.reason(e);
    }

    private DataException stalled(URI url, Path part) {
        return new DataException(
                "Download of " + url + " stalled: no data for " + ProgressBar.duration(stallTimeout.toMillis() / 1000.0)
                        + ". The partial file " + part + " was kept; rerun the same command to resume.");
    }

    private static DataException interrupted(URI url, Path part, long written, IOException e) {
        return new DataException(
                "Download of " + url + " was interrupted after " + written + " bytes (" + describe(e)
                        + "). The partial file " + part + " was kept; rerun the same command to resume.",
                e);
    }
}
