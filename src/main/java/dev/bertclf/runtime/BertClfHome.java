package dev.bertclf.runtime;

import java.nio.file.Path;

/**
 * The one folder the tool owns on a machine: natives, cached models and the pointer to the last trained model.
 * Users move it with {@code BERT_CLF_HOME} (or the {@code bert.clf.home} system property, which tests use) so
 * that CI, shared servers and air-gapped hosts can keep it wherever they have space.
 */
public final class BertClfHome {
    private BertClfHome() {}

    public static Path root() {
        String p = System.getProperty("bert.clf.home");
        if (p == null || p.isBlank()) p = System.getenv("BERT_CLF_HOME");
        if (p == null || p.isBlank()) return Path.of(System.getProperty("user.home"), ".bert-clf");
        return Path.of(p).toAbsolutePath();
    }

    public static Path natives() {
        return root().resolve("natives");
    }

    public static Path models() {
        return root().resolve("models");
    }

    /** Text file holding the path of the model the last {@code train} wrote. */
    public static Path lastModelPointer() {
        return root().resolve("last-model");
    }

    /** Where {@code download} puts the dataset when no {@code --data-dir} is given. */
    public static Path defaultDataDir() {
        return root().resolve("data");
    }
}
