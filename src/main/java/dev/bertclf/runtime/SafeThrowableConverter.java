package dev.bertclf.runtime;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %ex} with control characters made visible: an exception's message often quotes untrusted
 * names (see {@link SafeMessageConverter}). Line feeds and tabs stay, so a stack trace keeps its shape.
 */
public class SafeThrowableConverter extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return ConsoleText.escapeKeepingLines(super.convert(event));
    }
}
