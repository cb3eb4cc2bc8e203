package dev.bertclf.testutil;

import dev.bertclf.cli.Main;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a {@code bert-clf} child JVM with this suite's class path, natives and home: for tests that
 * kill it.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** {@code java -Xmx<heap> ... dev.bertclf.cli.Main args...}. */
    public static List<String> command(String heap, List<String> args) {
        return command(heap, List.of(), args);
    }

    /** As {@link #command(String, List)} with more JVM options ({@code -Dname=value}). */
    public static List<String> command(String heap, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dbert.clf.home=" + System.getProperty("bert.clf.home"),
                "-DTENSORFLOW_LIBRARY_PATH=" + System.getProperty("TENSORFLOW_LIBRARY_PATH")));
        if (System.getProperty("DJL_CACHE_DIR") != null) {
            cmd.add("-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR"));
        }
        cmd.addAll(jvmOptions);
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return cmd;
    }
}
