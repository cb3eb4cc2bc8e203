package dev.bertclf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The conventions a reader relies on and a compiler does not check, checked on the sources. */
class SourceConventionsTest {
    private static final Path MAIN = Path.of("src/main/java/dev/bertclf");

    private static List<String> linesMatching(Pattern p) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream()
                                    .filter(l -> p.matcher(l).find())
                                    .map(l -> f + ": " + l);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    /** Gson instances come from runtime/Json, so every file and every output is written alike. */
    @Test
    void gsonIsBuiltOnlyInJson() throws IOException {
        assertEquals(
                List.of(),
                linesMatching(Pattern.compile("new GsonBuilder|new Gson\\(")).stream()
                        .filter(l ->
                                !l.startsWith(MAIN.resolve("runtime/Json.java").toString()))
                        .toList());
    }

    /**
     * {@code private static final Logger log = LoggerFactory.getLogger(X.class);}, nothing else; or, for a logger
     * operators address by a documented name (serve's access log), {@code getLogger(LOGGER)} with that constant.
     */
    @Test
    void loggersAreNamedLog() throws IOException {
        assertEquals(
                List.of(),
                linesMatching(Pattern.compile(
                        "static final Logger (?!log = LoggerFactory\\.getLogger\\(" + "(\\w+\\.class|LOGGER)\\);)")));
    }
}
