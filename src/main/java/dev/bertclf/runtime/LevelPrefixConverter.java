package dev.bertclf.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The console's {@code %levelPrefix}: {@code warning: } before a warning and {@code error: } before an error, as
 * compilers and git mark theirs, nothing before the plain lines that are the tool's output. Without it a warning
 * ("the encoder starts from random weights") reads like any progress line.
 */
public class LevelPrefixConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        Level level = event.getLevel();
        if (level.isGreaterOrEqual(Level.ERROR)) return "error: ";
        return level.isGreaterOrEqual(Level.WARN) ? "warning: " : "";
    }
}
