package dev.bertclf.runtime;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

/**
 * Logback's {@code %msg} with every control character made visible (see {@link ConsoleText}), so that no log line
 * can move the cursor, erase a line or fake another message, whatever names it carries. The arguments are escaped
 * whole, line feeds included, since they are where untrusted names come from; the message's own text keeps its line
 * feeds and tabs. {@code logback.xml} registers it for {@code %msg}, {@code %m} and {@code %message}, which covers
 * every appender of the context (the console, and {@code train.log}).
 */
public class SafeMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        if (args == null || args.length == 0) return ConsoleText.escapeKeepingLines(event.getFormattedMessage());
        Object[] shown = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            shown[i] = a == null || a.getClass().isArray() ? a : ConsoleText.escape(String.valueOf(a));
        }
        return ConsoleText.escapeKeepingLines(
                MessageFormatter.arrayFormat(event.getMessage(), shown).getMessage());
    }
}
