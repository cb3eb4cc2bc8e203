package dev.bertclf.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What {@code GET /openapi.json} answers: the API described in OpenAPI 3.0, so that a client generator or an API
 * gateway needs no hand-written description that could drift from the server. The document is a resource beside
 * this class, readable as it is; only what depends on the running server is filled in here: the version, and the
 * bearer scheme when an API key is required. A test holds its paths and methods to those the server routes.
 */
final class OpenApiDocument {
    private static final String RESOURCE = "openapi.json";

    private OpenApiDocument() {}

    /** The document for this build, asking for {@code Authorization: Bearer KEY} when {@code bearer}. */
    static byte[] render(boolean bearer) {
        JsonObject doc;
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
            doc = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        doc.getAsJsonObject("info").addProperty("version", Version.get());
        if (bearer) {
            JsonObject scheme = new JsonObject();
            scheme.addProperty("type", "http");
            scheme.addProperty("scheme", "bearer");
            scheme.addProperty("description", "The key of serve --api-key-file");
            JsonObject schemes = new JsonObject();
            schemes.add("apiKey", scheme);
            doc.getAsJsonObject("components").add("securitySchemes", schemes);
            JsonObject requirement = new JsonObject();
            requirement.add("apiKey", new JsonArray());
            JsonArray security = new JsonArray();
            security.add(requirement);
            doc.add("security", security);
        }
        return Json.COMPACT.toJson(doc).getBytes(StandardCharsets.UTF_8);
    }
}
