package dev.bertclf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The door beyond loopback: an API key, TLS, and a warning when the server is open to the network. */
class PredictionServerSecurityTest {
    @TempDir
    Path tmp;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static HttpRequest.Builder request(PredictionServer s, String path) {
        return HttpRequest.newBuilder(s.uri().resolve(path)).timeout(Duration.ofSeconds(20));
    }

    static HttpRequest.Builder predict(PredictionServer s, String body) {
        return request(s, "/predict").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    HttpResponse<String> send(HttpRequest.Builder r) throws IOException, InterruptedException {
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
    }

    @Test
    void everyEndpointNeedsTheKeyAsABearerToken() throws Exception {
        Path keyFile = Files.writeString(tmp.resolve("key"), "  s3cret-key\n");
        FakeModel model = new FakeModel();
        try (PredictionServer s = FakeModel.serve(model, FakeModel.options("127.0.0.1", ApiKey.read(keyFile), null))) {
            for (HttpRequest.Builder r : List.of(
                    predict(s, "{\"text\": \"hello\"}"),
                    request(s, "/health"),
                    request(s, "/metrics"),
                    request(s, "/openapi.json"),
                    request(s, "/nothing"))) {
                HttpResponse<String> none = send(r.copy());
                assertTrue(error(none, 401).contains("Authorization: Bearer"), none.body());
                assertEquals(
                        "Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
                assertEquals("wrong API key", error(send(r.copy().header("Authorization", "Bearer s3cret")), 401));
                error(send(r.copy().header("Authorization", "Basic czNjcmV0LWtleQ==")), 401);
                error(send(r.copy().header("Authorization", "Bearer s3cret-key-and-more")), 401);
            }
            assertEquals(0, model.texts.get(), "nothing reached the model");
            assertEquals(
                    200,
                    send(predict(s, "{\"text\": \"hello\"}").header("Authorization", "Bearer s3cret-key"))
                            .statusCode());
            assertEquals(
                    200,
                    send(request(s, "/health").header("Authorization", "bearer  s3cret-key"))
                            .statusCode());
            for (String path : List.of("/metrics", "/openapi.json")) {
                assertEquals(
                        200,
                        send(request(s, path).header("Authorization", "Bearer s3cret-key"))
                                .statusCode(),
                        path);
            }
            error(send(request(s, "/nothing").header("Authorization", "Bearer s3cret-key")), 404);
        }
    }

    @Test
    void anEmptyMissingOrUnreadableKeyFileIsAClearError() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty"), " \n\t\n");
        assertTrue(assertThrows(IOException.class, () -> ApiKey.read(empty))
                .getMessage()
                .contains("--api-key-file " + empty + ": the file is empty"));
        Path missing = tmp.resolve("missing");
        assertEquals(
                "--api-key-file " + missing + ": no such file",
                assertThrows(IOException.class, () -> ApiKey.read(missing)).getMessage());
        assertTrue(assertThrows(IOException.class, () -> ApiKey.read(tmp))
                .getMessage()
                .startsWith("--api-key-file " + tmp + ": cannot read it"));
        Path binary = Files.write(tmp.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertTrue(assertThrows(IOException.class, () -> ApiKey.read(binary))
                .getMessage()
                .endsWith("not UTF-8 text"));
    }

    /** A self-signed certificate for 127.0.0.1 in a PKCS12 key store, made by the JDK's keytool. */
    static Path keystore(Path dir, String password) throws IOException, InterruptedException {
        Path file = dir.resolve("server.p12");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "serve",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        password,
                        "-keypass",
                        password)
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + output);
        return file;
    }

    @Test
    void tlsServesHttpsAndRefusesPlainHttp() throws Exception {
        Path store = keystore(tmp, "store-pass");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, "store-pass".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder()
                .sslContext(client)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        try (PredictionServer s = FakeModel.serve(
                new FakeModel(),
                FakeModel.options("127.0.0.1", null, PredictionServer.tls(store, "store-pass".toCharArray())))) {
            assertEquals("https", s.uri().getScheme());
            HttpResponse<String> r = https.send(
                    predict(s, "{\"texts\": [\"short\", \"a longer text\"]}").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "pos",
                    JsonParser.parseString(r.body())
                            .getAsJsonObject()
                            .getAsJsonArray("predictions")
                            .get(1)
                            .getAsJsonObject()
                            .get("label")
                            .getAsString());
            String plain = s.uri().toString().replace("https://", "http://");
            assertThrows(
                    IOException.class,
                    () -> http.send(
                            HttpRequest.newBuilder(URI.create(plain + "health"))
                                    .timeout(Duration.ofSeconds(20))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
            assertThrows(
                    IOException.class,
                    () -> http.send(request(s, "/health").build(), HttpResponse.BodyHandlers.ofString()),
                    "a client that does not trust the certificate");
        }
    }

    @Test
    void aBadKeyStoreOrPasswordIsAClearError() throws Exception {
        Path store = keystore(tmp, "store-pass");
        String wrong = assertThrows(IOException.class, () -> PredictionServer.tls(store, "nope".toCharArray()))
                .getMessage();
        assertTrue(wrong.startsWith("--tls-keystore " + store + ": not a usable PKCS12 key store"), wrong);
        assertTrue(wrong.contains("password"), wrong);
        Path text = Files.writeString(tmp.resolve("not-a-store"), "hello");
        assertTrue(assertThrows(IOException.class, () -> PredictionServer.tls(text, "x".toCharArray()))
                .getMessage()
                .startsWith("--tls-keystore " + text + ": not a usable PKCS12 key store"));
        assertEquals(
                "--tls-keystore " + tmp.resolve("none") + ": no such file",
                assertThrows(IOException.class, () -> PredictionServer.tls(tmp.resolve("none"), "x".toCharArray()))
                        .getMessage());
    }

    @Test
    void listeningBeyondLoopbackWarnsWhatIsOpen() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(PredictionServer.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            try (PredictionServer s = FakeModel.serve(new FakeModel(), FakeModel.options("127.0.0.1", null, null))) {
                assertTrue(warnings(log).isEmpty(), "loopback: no warning " + warnings(log));
            }
            try (PredictionServer s = FakeModel.serve(new FakeModel(), FakeModel.options("0.0.0.0", null, null))) {
                List<String> warnings = warnings(log);
                assertTrue(warnings.stream().anyMatch(w -> w.contains("without an API key")), warnings.toString());
            }
            log.list.clear();
            Path keyFile = Files.writeString(tmp.resolve("key"), "k");
            try (PredictionServer s =
                    FakeModel.serve(new FakeModel(), FakeModel.options("0.0.0.0", ApiKey.read(keyFile), null))) {
                assertTrue(
                        warnings(log).stream().anyMatch(w -> w.contains("plain HTTP")),
                        warnings(log).toString());
            }
        } finally {
            logger.detachAppender(log);
        }
    }

    static List<String> warnings(ListAppender<ILoggingEvent> log) {
        return log.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
