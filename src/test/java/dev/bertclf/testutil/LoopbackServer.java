package dev.bertclf.testutil;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file server on 127.0.0.1 that understands {@code Range: bytes=N-} and can misbehave on purpose: cut the first
 * response halfway, stall, or redirect. Records the Range and If-Range headers of every request. A path can be
 * served again with other content (a file that changed on the server); a version's ETag, when given, is sent and
 * an {@code If-Range} naming another one gets the whole file, as RFC 9110 asks.
 */
public final class LoopbackServer implements AutoCloseable {
    /** How the first request to a path misbehaves; later requests are served normally. */
    public enum Fault {
        NONE,
        CUT_HALFWAY,
        STALL
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    public final List<String> ranges = new CopyOnWriteArrayList<>();
    public final List<String> ifRanges = new CopyOnWriteArrayList<>();

    public LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.start();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public void serve(String path, byte[] data, Fault fault) {
        serve(path, data, fault, true, null);
    }

    /** One version of a file, with its ETag; {@code If-Range} is honoured. */
    public void serve(String path, byte[] data, Fault fault, String etag) {
        serve(path, data, fault, true, etag);
    }

    /** Like servers that do not support resuming: always the whole file with 200. */
    public void serveIgnoringRange(String path, byte[] data) {
        serveIgnoringRange(path, data, Fault.NONE);
    }

    public void serveIgnoringRange(String path, byte[] data, Fault fault) {
        serve(path, data, fault, false, null);
    }

    private void serve(String path, byte[] data, Fault fault, boolean honourRange, String etag) {
        AtomicInteger calls = new AtomicInteger();
        replaceContext(path, exchange -> {
            try (exchange) {
                String range = exchange.getRequestHeaders().getFirst("Range");
                String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
                ranges.add(range == null ? "none" : range);
                if (ifRange != null) ifRanges.add(ifRange);
                if (etag != null) exchange.getResponseHeaders().add("ETag", etag);
                boolean sameVersion = ifRange == null || ifRange.equals(etag);
                boolean first = calls.getAndIncrement() == 0;
                respond(exchange, data, honourRange && sameVersion ? range : null, first ? fault : Fault.NONE);
            } catch (IOException | InterruptedException e) {
                // the fault closed the connection on purpose
            }
        });
    }

    private void replaceContext(String path, com.sun.net.httpserver.HttpHandler handler) {
        try {
            server.removeContext(path);
        } catch (IllegalArgumentException none) {
            // first content for this path
        }
        server.createContext(path, handler);
    }

    public void redirect(String path, String location) {
        replaceContext(path, exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("Location", location);
                exchange.sendResponseHeaders(302, -1);
            }
        });
    }

    private static void respond(HttpExchange exchange, byte[] data, String range, Fault fault)
            throws IOException, InterruptedException {
        int start = 0;
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Integer.parseInt(range.substring(6, range.length() - 1));
            if (start >= data.length) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + data.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            exchange.getResponseHeaders()
                    .add("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
            exchange.sendResponseHeaders(206, data.length - start);
        } else {
            exchange.sendResponseHeaders(200, data.length);
        }
        OutputStream out = exchange.getResponseBody();
        int length = data.length - start;
        if (fault == Fault.NONE) {
            out.write(data, start, length);
            return;
        }
        out.write(data, start, length / 2);
        out.flush();
        Thread.sleep(fault == Fault.STALL ? 3000 : 300);
        // closing with bytes missing makes the server drop the connection
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
