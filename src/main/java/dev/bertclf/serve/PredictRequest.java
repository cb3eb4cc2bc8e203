package dev.bertclf.serve;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.bertclf.runtime.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /predict}, from untrusted bytes to the texts to classify. Everything that is not a text
 * worth a model call is refused here, with a message that says what to send instead, so nothing odd reaches the
 * queue or the model.
 */
final class PredictRequest {
    private PredictRequest() {}

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the body is not UTF-8 text");
        }
    }

    /** The texts of a request body: {@code {"text": "..."}} or {@code {"texts": ["...", ...]}}. */
    static List<String> texts(byte[] body) {
        JsonElement root;
        try {
            root = JsonParser.parseString(utf8(body));
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + Json.whyMalformed(e));
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("expected a JSON object {\"text\": \"...\"} or {\"texts\": [\"...\"]}");
        }
        JsonObject o = root.getAsJsonObject();
        if (o.has("text") == o.has("texts")) {
            throw new IllegalArgumentException(
                    "give exactly one of \"text\" (a string) and \"texts\" (a list of strings)");
        }
        if (o.has("text")) return List.of(text(o.get("text"), "\"text\""));
        JsonElement list = o.get("texts");
        if (!list.isJsonArray() || list.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("\"texts\" must be a non-empty list of strings");
        }
        List<String> texts = new ArrayList<>();
        for (JsonElement e : list.getAsJsonArray()) texts.add(text(e, "\"texts\"[" + texts.size() + "]"));
        return texts;
    }

    /** A text to classify, refused as {@code predict} refuses it when it holds nothing to classify. */
    private static String text(JsonElement e, String what) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        String text = e.getAsString();
        if (text.isBlank()) {
            throw new IllegalArgumentException(
                    what + " is " + (text.isEmpty() ? "empty" : "only whitespace") + ": there is nothing to classify");
        }
        return text;
    }
}
