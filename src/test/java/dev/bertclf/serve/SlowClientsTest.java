package dev.bertclf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that open connections and send too slowly, against a server in a JVM of its own (the JDK reads its limits
 * once per JVM, and another test's server may have come first in this one): at most 8 connections and 8 handler
 * threads, and 2 seconds for a request.
 */
class SlowClientsTest {
    static final int CONNECTIONS = 8;
    static final int TIMEOUT_S = 2;
    /** How long after its timeout a slow client may still be connected: the JDK looks once a second. */
    static final int CUT_WITHIN_MS = (TIMEOUT_S + 3) * 1000;

    static final String SLOW_BODY = "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 1000\r\n\r\n{\"text\": \"";

    static Process server;
    static PrintWriter toServer;
    static final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    static URI uri;

    @BeforeAll
    static void startServer() throws Exception {
        server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FakeModel.class.getName(),
                        String.valueOf(CONNECTIONS),
                        String.valueOf(TIMEOUT_S))
                .redirectErrorStream(true)
                .start();
        toServer = new PrintWriter(new OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException ignored) {
                // the server ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        uri = URI.create(line("listening "));
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        toServer.close();
        if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
    }

    /** The rest of the server's next output line that starts with {@code prefix}. */
    static String line(String prefix) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        while (true) {
            String line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null) throw new AssertionError("no line '" + prefix + "...' from the server: " + seen);
            if (line.startsWith(prefix)) return line.substring(prefix.length());
            seen.add(line);
        }
    }

    static int serverThreads() throws InterruptedException {
        toServer.println("threads");
        return Integer.parseInt(line("threads "));
    }

    static Socket open(String bytes) throws IOException {
        Socket s = new Socket(uri.getHost(), uri.getPort());
        s.getOutputStream().write(bytes.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return s;
    }

    /** A whole request on a fresh connection: the status, -1 when the server closed it without an answer. */
    static int request(String body) throws IOException {
        String request = "POST /predict HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        try (Socket s = open(request)) {
            s.setSoTimeout(10_000);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a whole request hung", e);
        } catch (IOException e) {
            return -1; // refused: reset by the server
        }
    }

    /** Milliseconds until the server closes {@code s}; fails if it is still open after {@code limitMs}. */
    static long closedWithin(Socket s, long startNanos, long limitMs) throws IOException {
        s.setSoTimeout((int) Math.max(1, limitMs - (System.nanoTime() - startNanos) / 1_000_000));
        InputStream in = s.getInputStream();
        try {
            while (in.read() != -1) {
                // an answer (408) would do as well as a close
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a slow client is still connected after " + limitMs + " ms");
        } catch (IOException e) {
            // reset: closed
        }
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Test
    void clientsThatTrickleTheirBodyAreCutOffAndHoldABoundedNumberOfThreads() throws Exception {
        int before = serverThreads();
        assertEquals(200, request("{\"text\": \"a normal request\"}"));
        List<Socket> slow = new ArrayList<>();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < CONNECTIONS - 1; i++) slow.add(open(SLOW_BODY + "ten bytes"));
            Thread.sleep(300);
            assertEquals(200, request("{\"text\": \"while seven hang\"}"), "a connection is left: it is answered");
            for (int i = 0; i < 30; i++) slow.add(open(SLOW_BODY + "ten bytes"));
            Thread.sleep(300);
            int during = serverThreads();
            assertTrue(during <= before + CONNECTIONS + 2, "37 slow clients, threads " + before + " -> " + during);
            int busy = request("{\"text\": \"at the limit\"}");
            assertTrue(busy == -1 || busy == 200, "refused at once (or answered if the slow ones are gone): " + busy);
            for (Socket s : slow) closedWithin(s, start, CUT_WITHIN_MS);
        } finally {
            for (Socket s : slow) s.close();
        }
        assertEquals(200, request("{\"text\": \"after they are gone\"}"));
        assertTrue(serverThreads() <= before + CONNECTIONS + 2);
    }

    @Test
    void clientsThatTrickleTheirHeadersOrSendNothingAreCutOff() throws Exception {
        long start = System.nanoTime();
        try (Socket headers = open("POST /predict HTTP/1.1\r\nHost: localhost\r\n");
                Socket silent = new Socket(uri.getHost(), uri.getPort())) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(400);
                headers.getOutputStream().write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            closedWithin(headers, start, CUT_WITHIN_MS);
            closedWithin(silent, start, CUT_WITHIN_MS);
        }
        assertEquals(200, request("{\"text\": \"still serving\"}"));
    }
}
