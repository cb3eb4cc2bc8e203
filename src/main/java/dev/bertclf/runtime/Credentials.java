package dev.bertclf.runtime;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the credentials out of the URLs in a text, for what is written to last and to be shared (the run record, the
 * training log): the user info ({@code https://user:token@host}) and the query, where a presigned URL keeps its
 * signature and key id. The host and path stay, so the text still says where the data came from.
 */
public final class Credentials {
    /** A URL in a text: scheme, authority (user info and host), path, query, fragment. */
    private static final Pattern URL =
            Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)([^/?#\\s]*)([^?#\\s]*)(\\?[^#\\s]*)?(#\\S*)?");

    private Credentials() {}

    /** {@code text} with every URL's user info and query replaced by {@code ***}; null for null. */
    public static String redact(String text) {
        if (text == null) return null;
        return URL.matcher(text).replaceAll(m -> {
            String authority = m.group(2);
            int at = authority.lastIndexOf('@'); // the host follows the last @: a password may hold one
            return Matcher.quoteReplacement(m.group(1)
                    + (at < 0 ? authority : "***@" + authority.substring(at + 1))
                    + m.group(3)
                    + (m.group(4) == null ? "" : "?***")
                    + (m.group(5) == null ? "" : m.group(5)));
        });
    }
}
