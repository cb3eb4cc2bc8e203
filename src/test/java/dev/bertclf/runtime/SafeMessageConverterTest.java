package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.CoreConstants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeMessageConverterTest {
    private static LoggingEvent event(String format, Object... args) {
        LoggerContext ctx = new LoggerContext();
        Logger logger = ctx.getLogger("test");
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, format, null, args);
    }

    @Test
    void argumentsAreEscapedWholeAndTheMessageKeepsItsLines() {
        LoggingEvent e = event("Refusing {}:\n  entry {}", "a\u001b[2K\r", "x\ny\u202e");
        assertEquals("Refusing a\\e[2K\\r:\n  entry x\\ny\\u202e", new SafeMessageConverter().convert(e));
        assertEquals("plain \\e[32mok\\e[0m", new SafeMessageConverter().convert(event("plain \u001b[32mok\u001b[0m")));
        assertEquals("none null", new SafeMessageConverter().convert(event("none {}", (Object) null)));
    }

    @Test
    void exceptionsAreEscapedButKeepTheirShape() {
        LoggerContext ctx = new LoggerContext();
        LoggingEvent e = new LoggingEvent(
                Logger.class.getName(),
                ctx.getLogger("t"),
                Level.WARN,
                "failed",
                new IOException("bad \u001b]0;x\u0007 name"),
                null);
        SafeThrowableConverter converter = new SafeThrowableConverter();
        converter.setContext(ctx);
        converter.start();
        String trace = converter.convert(e);
        assertTrue(trace.startsWith("java.io.IOException: bad \\e]0;x\\x07 name\n\tat "), trace);
    }

    /** The shipped logback.xml puts the converters behind %msg and %ex, for every encoder of the context. */
    @Test
    void theShippedConfigurationRegistersThemForTheStandardWords() throws Exception {
        LoggerContext ctx = new LoggerContext();
        new ContextInitializer(ctx).autoConfig();
        @SuppressWarnings("unchecked")
        Map<String, ?> rules = (Map<String, ?>) ctx.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
        for (String word : new String[] {"msg", "m", "message", "ex", "exception", "throwable"}) {
            assertTrue(rules != null && rules.containsKey(word), word + " in " + rules);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%-5level %msg%n%ex");
        encoder.start();
        LoggingEvent e = new LoggingEvent(
                Logger.class.getName(), ctx.getLogger("t"), Level.INFO, "Extracted {}", null, new Object[] {
                    "\u001b[2Kfake"
                });
        assertEquals("INFO  Extracted \\e[2Kfake\n", new String(encoder.encode(e), StandardCharsets.UTF_8));
    }
}
