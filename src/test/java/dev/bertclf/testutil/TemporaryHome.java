package dev.bertclf.testutil;

import dev.bertclf.runtime.TfRuntime;
import java.nio.file.Path;

/**
 * Points {@code BERT_CLF_HOME} (the {@code bert.clf.home} property) at a test's own folder, so the last-model
 * pointer it writes or misses is its own, and back on close. The TensorFlow engine is started first, from the
 * suite's shared home, so the natives are not unpacked again.
 */
public final class TemporaryHome implements AutoCloseable {
    private static final String KEY = "bert.clf.home";
    private final String previous;

    private TemporaryHome(Path home) {
        TfRuntime.engine();
        previous = System.getProperty(KEY);
        System.setProperty(KEY, home.toString());
    }

    public static TemporaryHome at(Path home) {
        return new TemporaryHome(home);
    }

    @Override
    public void close() {
        if (previous == null) System.clearProperty(KEY);
        else System.setProperty(KEY, previous);
    }
}
