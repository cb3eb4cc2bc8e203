package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void specialFloatsNoHtmlEscapingAndNullsOnlyWhereAsked() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "don't <b>&");
        m.put("f1", Double.NaN);
        m.put("gone", null);
        assertEquals("{\"name\":\"don't <b>&\",\"f1\":NaN}", Json.COMPACT.toJson(m));
        assertEquals("{\"name\":\"don't <b>&\",\"f1\":NaN,\"gone\":null}", Json.COMPACT_WITH_NULLS.toJson(m));
        assertEquals("{\n  \"name\": \"don't <b>&\",\n  \"f1\": NaN\n}", Json.PRETTY.toJson(m));
        assertEquals(
                "{\n  \"name\": \"don't <b>&\",\n  \"f1\": NaN,\n  \"gone\": null\n}",
                Json.PRETTY_WITH_NULLS.toJson(m));
    }
}
