package dev.bertclf.serve;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP(S) server set up so that slow or numerous clients cannot exhaust it. The JDK reads a request on a
 * handler thread that blocks until the bytes arrive, so without limits every client that promises a body and
 * trickles it holds a thread forever. The limits are the JDK's own, and JVM-wide system properties that it reads
 * once, when the JVM's first server is created: {@code serve} runs one server per JVM and sets them just before.
 */
final class HttpListener {
    /**
     * How long the answer may take once the request is read, the wait for the model included, before the connection
     * is closed: long enough for any batch queue, short enough that a client that never reads a large answer frees
     * its thread and its connection.
     */
    static final Duration ANSWER_TIME = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    /** The limits this JVM's first server asked for: the ones the JDK took. */
    private static String taken;

    private HttpListener() {}

    /**
     * A server on {@code address}, not started, HTTPS when {@code tls} is given. At most {@code maxConnections}
     * connections are open (more are closed as soon as they are accepted) and as many handler threads run, so a
     * connection never waits for a thread and the threads are as bounded as the connections. A request must arrive
     * whole, headers and body, within {@code requestTimeout} of its first byte, and a connection that sends nothing
     * is closed after as long.
     */
    static synchronized HttpServer create(
            InetSocketAddress address, int maxConnections, Duration requestTimeout, SSLContext tls) throws IOException {
        String seconds = String.valueOf(Math.max(1, requestTimeout.toSeconds()));
        String limits = maxConnections + " connections, requests in " + seconds + " s";
        if (taken == null) {
            taken = limits;
        } else if (!taken.equals(limits)) {
            log.warn("The JDK keeps the HTTP limits of this JVM's first server ({}), not {}", taken, limits);
        }
        System.setProperty("jdk.httpserver.maxConnections", String.valueOf(maxConnections));
        System.setProperty("sun.net.httpserver.maxReqTime", seconds);
        System.setProperty("sun.net.httpserver.idleInterval", seconds);
        System.setProperty("sun.net.httpserver.maxRspTime", String.valueOf(ANSWER_TIME.toSeconds()));
        System.setProperty("sun.net.httpserver.clockTick", "1000"); // idle connections are looked at every second
        // Answers go out as headers then body: without TCP_NODELAY the body waits for the client's delayed ACK (40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        AtomicInteger count = new AtomicInteger();
        server.setExecutor(Executors.newFixedThreadPool(maxConnections, r -> {
            Thread t = new Thread(r, "bert-clf-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
        return server;
    }

    static ExecutorService threads(HttpServer server) {
        return (ExecutorService) server.getExecutor();
    }

    /** The server side of TLS from a PKCS12 key store holding the certificate and its private key. */
    static SSLContext tls(Path keystore, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            if (Collections.list(store.aliases()).stream().noneMatch(a -> isKey(store, a))) {
                throw new IOException("it holds no private key (make one with keytool -genkeypair)");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (NoSuchFileException e) {
            throw new IOException("--tls-keystore " + keystore + ": no such file", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException(
                    "--tls-keystore " + keystore + ": not a usable PKCS12 key store (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
