package dev.bertclf.serve;

import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.Json;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on its own logger, {@value #LOGGER}, so that an operator can route, silence or keep it apart
 * from the server's other messages in the logging configuration. The texts are the users' data: they are written
 * only when asked ({@link Mode#texts}), as JSON strings with every control character escaped, so that a text cannot
 * start a line of its own that looks like another request. Headers are never written, so neither is the API key.
 * The line is written once the answer is sent, on the handler thread: it never delays an answer, nor the batcher.
 */
public final class AccessLog {
    /** The logger's name: {@code <logger name="bertclf.access" level="OFF"/>} silences it. */
    static final String LOGGER = "bertclf.access";

    /** Whether requests are logged, and with their texts or without. */
    public enum Mode {
        off,
        on,
        texts
    }

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private final Mode mode;

    AccessLog(Mode mode) {
        this.mode = mode;
    }

    /**
     * Logs a request: {@code 127.0.0.1 "POST /predict" 200 183 B 4.2 ms 2 texts}, then the texts when asked.
     * {@code status} is -1, shown as {@code -}, when the client went away before an answer; {@code texts} is null
     * for a request without any.
     */
    void request(String remote, String method, String path, int status, long bytes, long nanos, List<String> texts) {
        if (mode == Mode.off || !log.isInfoEnabled()) return;
        StringBuilder line = new StringBuilder(96)
                .append(remote)
                .append(" \"")
                .append(ConsoleText.escape(method))
                .append(' ')
                .append(ConsoleText.escape(path))
                .append("\" ")
                .append(status < 0 ? "-" : String.valueOf(status))
                .append(' ')
                .append(bytes)
                .append(" B ")
                .append(String.format(Locale.ROOT, "%.1f", nanos / 1e6))
                .append(" ms");
        if (texts != null) {
            line.append(' ').append(texts.size()).append(texts.size() == 1 ? " text" : " texts");
            if (mode == Mode.texts) line.append(' ').append(ConsoleText.escapeJson(Json.COMPACT.toJson(texts)));
        }
        log.info("{}", line);
    }
}
