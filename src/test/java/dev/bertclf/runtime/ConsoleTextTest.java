package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ConsoleTextTest {
    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertEquals(
                "a\\e[2K\\rDataset ready\\x07\\x00\\n\\t\\x7f\\x9b\\u202e\\u2066b",
                ConsoleText.escape("a\u001b[2K\rDataset ready\u0007\u0000\n\t\u007f\u009b\u202e\u2066b"));
        assertEquals("line 1\n\tat x\\r\\e", ConsoleText.escapeKeepingLines("line 1\n\tat x\r\u001b"));
        assertEquals("null", ConsoleText.escape(null));
    }

    @Test
    void ordinaryTextIsLeftAsItIs() {
        String text = "C:\\data\\aclImdb – Ünïcödé 映画 \uD83C\uDFAC 100%";
        assertSame(text, ConsoleText.escape(text));
    }

    /** Whatever the input, nothing a terminal acts on survives, and nothing else is changed. */
    @Property(tries = 300)
    void escapedTextHasNoControlCharacters(@ForAll String text) {
        String shown = ConsoleText.escape(text);
        assertFalse(shown.chars().anyMatch(c -> ConsoleText.isUnsafe((char) c)), shown);
        assertEquals(
                text.chars().filter(c -> !ConsoleText.isUnsafe((char) c)).count(),
                shown.chars().count() - extra(text),
                "safe characters are all kept");
        assertTrue(ConsoleText.escapeKeepingLines(text)
                .chars()
                .noneMatch(c -> c != '\n' && c != '\t' && ConsoleText.isUnsafe((char) c)));
    }

    /** The JSON escape keeps the document's value and leaves no raw character a terminal acts on. */
    @Property(tries = 300)
    void jsonKeepsItsValue(@ForAll String text) {
        String json = ConsoleText.escapeJson(new JsonPrimitive(text).toString());
        assertEquals(text, JsonParser.parseString(json).getAsString());
        assertFalse(json.chars().anyMatch(c -> ConsoleText.isUnsafe((char) c)), json);
    }

    /** Characters the escape adds: each unsafe one becomes a visible escape of 2, 4 or 6 characters. */
    private static long extra(String text) {
        return text.chars()
                .filter(c -> ConsoleText.isUnsafe((char) c))
                .map(c -> ConsoleText.escape(String.valueOf((char) c)).length())
                .sum();
    }
}
