package dev.bertclf.runtime;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The project's Gson set-up, the one place JSON output is configured: NaN and infinities are written (a metric of
 * an empty class is NaN, not a crash) and nothing is HTML-escaped (the JSON goes to people, files and HTTP clients,
 * never into a page, so {@code don't} stays readable). Null fields are left out unless a format lists them; paths
 * are written as strings.
 */
public final class Json {
    /** Indented: files and command output people read. */
    public static final Gson PRETTY = base().setPrettyPrinting().create();
    /** One line: machine-read files and HTTP. */
    public static final Gson COMPACT = base().create();
    /** {@link #PRETTY} writing null fields too, for a listing whose every key is present. */
    public static final Gson PRETTY_WITH_NULLS =
            base().setPrettyPrinting().serializeNulls().create();
    /** {@link #COMPACT} writing null fields too, for formats that spell out absent parts (tokenizer.json). */
    public static final Gson COMPACT_WITH_NULLS = base().serializeNulls().create();

    private Json() {}

    private static GsonBuilder base() {
        return new GsonBuilder()
                .serializeSpecialFloatingPointValues()
                .disableHtmlEscaping()
                .registerTypeHierarchyAdapter(Path.class, new PathAdapter().nullSafe());
    }

    /** A path as the string it was typed as: Gson cannot take a {@link Path} apart itself. */
    private static final class PathAdapter extends TypeAdapter<Path> {
        @Override
        public void write(JsonWriter out, Path p) throws IOException {
            out.value(p.toString());
        }

        @Override
        public Path read(JsonReader in) throws IOException {
            return Path.of(in.nextString());
        }
    }

    /**
     * Why Gson could not read some JSON, in words for the user: the cause's first line, without Gson's exception class
     * names, its advice to programmers ("Use JsonReader.setStrictness...") or its troubleshooting URL, and with the
     * position as a column of the one line read.
     */
    public static String whyMalformed(Throwable e) {
        String s = e.getCause() != null && e.getCause().getMessage() != null
                ? e.getCause().getMessage()
                : e.getMessage();
        if (s == null) return "invalid JSON";
        int nl = s.indexOf('\n');
        String first = nl < 0 ? s : s.substring(0, nl);
        return first.replaceFirst("^(com\\.google\\.gson\\.[\\w.]+|java\\.[\\w.]+): ", "")
                .replaceFirst(
                        "^Use JsonReader.setStrictness\\(Strictness.LENIENT\\) to accept malformed JSON",
                        "malformed JSON")
                .replaceFirst("\\s*See https?://\\S+", "")
                .replaceFirst(" at line 1 column (\\d+) path \\S+", " at column $1");
    }
}
