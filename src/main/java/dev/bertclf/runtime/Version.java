package dev.bertclf.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The build's version, from a resource Maven fills in at build time: the same in the jar and when run from
 * classes (tests, IDEs), where a manifest entry would be missing. The git commit comes the same way, from the
 * {@code git.properties} that {@code scripts/build-info} writes at build time: a run record must name the exact
 * sources of a SNAPSHOT build, which the version alone does not.
 */
public final class Version {
    /** Where the commit is not known: a build outside a git checkout. */
    public static final String UNKNOWN = "unknown";

    private Version() {}

    public static String get() {
        return read("version.properties").getProperty("version", UNKNOWN);
    }

    /**
     * What a run record says of the build: its version, the git commit it was built from ({@link #UNKNOWN} outside a
     * git checkout), and whether tracked files differed from that commit (null where the commit is unknown).
     */
    public record Build(String version, String commit, Boolean dirty) {}

    public static Build build() {
        Properties git = read("git.properties");
        String commit = git.getProperty("commit", UNKNOWN);
        Boolean dirty = git.getProperty("dirty") == null ? null : Boolean.valueOf(git.getProperty("dirty"));
        return new Build(get(), commit, dirty);
    }

    private static Properties read(String resource) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in != null) p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
