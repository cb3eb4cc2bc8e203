package dev.bertclf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random requests, well-formed or not, against a server with an API key and a stub model: every answer is a JSON
 * object with a status a client can act on, and the server goes on answering.
 */
class PredictionServerFuzzTest {
    static final Set<Integer> STATUSES = Set.of(200, 400, 401, 404, 405, 413, 503);
    static final String KEY = "fuzz-key";
    static final Gson GSON = new Gson();
    static PredictionServer server;
    static FakeModel model;
    static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeContainer
    static void start() throws IOException {
        Path keyFile = Files.createTempFile("fuzz", ".key");
        Files.writeString(keyFile, KEY);
        model = new FakeModel();
        server = FakeModel.serve(model, FakeModel.options("127.0.0.1", ApiKey.read(keyFile), null));
        Files.delete(keyFile);
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    @Property(tries = 300)
    void everyAnswerIsAJsonObjectWithAStatusAClientCanActOn(
            @ForAll("methods") String method,
            @ForAll("paths") String path,
            @ForAll("bodies") byte[] body,
            @ForAll("contentTypes") String contentType,
            @ForAll("authorizations") String authorization)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.uri() + path.substring(1)))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (!contentType.isEmpty()) r.header("Content-Type", contentType);
        if (!authorization.isEmpty()) r.header("Authorization", authorization);
        HttpResponse<String> answer = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(STATUSES.contains(answer.statusCode()), answer.statusCode() + " " + answer.body());
        if (!method.equals("HEAD")) { // a HEAD answer has no body
            JsonElement json;
            try {
                json = JsonParser.parseString(answer.body());
            } catch (RuntimeException e) {
                throw new AssertionError(answer.statusCode() + " not JSON: " + answer.body(), e);
            }
            assertTrue(json.isJsonObject(), answer.body());
            String expected =
                    answer.statusCode() != 200 ? "error" : path.startsWith("/health") ? "status" : "predictions";
            assertTrue(json.getAsJsonObject().has(expected), answer.body());
        }
        HttpResponse<String> good = http.send(
                HttpRequest.newBuilder(server.uri().resolve("/predict"))
                        .header("Authorization", "Bearer " + KEY)
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"still answering\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, good.statusCode(), good.body());
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.oneOf(
                Arbitraries.of("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        "/predict",
                        "/predict",
                        "/predict",
                        "/health",
                        "/",
                        "/predict/",
                        "/PREDICT",
                        "/predict?text=x",
                        "/health/../predict",
                        "/%00",
                        "/predict//"),
                // not "//...": the JDK reads that as an authority with no path and answers its own HTML 404
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars('/', '.', '-')
                        .ofMaxLength(20)
                        .filter(p -> !p.startsWith("/"))
                        .map(p -> "/" + p));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of(
                "application/json",
                "application/json; charset=utf-8",
                "",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json; charset=latin1");
    }

    @Provide
    Arbitrary<String> authorizations() {
        return Arbitraries.of(
                "Bearer " + KEY,
                "Bearer " + KEY,
                "Bearer " + KEY,
                "",
                "Bearer",
                "Bearer wrong",
                "Basic Zm9vOmJhcg==",
                "bearer " + KEY + "x",
                "Bearer  " + KEY + " ");
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                json().map(PredictionServerFuzzTest::utf8),
                Combinators.combine(Arbitraries.of("text", "texts"), json())
                        .as((k, v) -> utf8("{\"" + k + "\": " + v + "}")),
                Arbitraries.strings().ofMaxLength(60).map(t -> utf8("{\"text\": " + GSON.toJson(t) + "}")),
                Arbitraries.strings()
                        .ofMaxLength(20)
                        .list()
                        .ofMaxSize(5)
                        .map(l -> utf8("{\"texts\": " + GSON.toJson(l) + "}")),
                Arbitraries.integers()
                        .between(1, 5000)
                        .map(n -> utf8("{\"texts\": " + "[".repeat(n) + "]".repeat(n) + "}")),
                Arbitraries.integers().between(4000, 20000).map(n -> utf8("{\"text\": \"" + "a".repeat(n) + "\"}")),
                Arbitraries.bytes()
                        .array(byte[].class)
                        .ofMinSize(1)
                        .ofMaxSize(20)
                        .map(b -> {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            out.writeBytes(utf8("{\"text\": \""));
                            out.writeBytes(b);
                            out.writeBytes(utf8("\"}"));
                            return out.toByteArray();
                        }));
    }

    /** JSON values of every shape, with numbers no parser should turn into a text. */
    Arbitrary<String> json() {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.of(
                        "null",
                        "true",
                        "false",
                        "0",
                        "-1",
                        "1e999999",
                        "-1e999999",
                        "99999999999999999999999999",
                        "-9223372036854775809",
                        "0.5",
                        "\"\"",
                        "\" \"",
                        "\"great film\"",
                        "\"\\u0000\"",
                        "\"\\ud800\""),
                Arbitraries.strings().ofMaxLength(10).map(GSON::toJson));
        return Arbitraries.lazyOf(
                () -> leaf,
                () -> leaf,
                () -> leaf,
                () -> json().list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                () -> Combinators.combine(Arbitraries.of("text", "texts", "x", ""), json())
                        .as((k, v) -> "\"" + k + "\":" + v)
                        .list()
                        .ofMaxSize(3)
                        .map(l -> "{" + String.join(",", l) + "}"));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
