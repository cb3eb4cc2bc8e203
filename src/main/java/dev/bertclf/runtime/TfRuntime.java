package dev.bertclf.runtime;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes DJL's TensorFlow engine start without its download host. DJL 0.36 fetches TF natives from its own
 * server on first use; that server is out of reach on most company networks. The official TensorFlow Java
 * natives on Maven Central are binary-compatible, so we unpack them from our classpath into
 * {@code $BERT_CLF_HOME/natives} once and point the engine at that folder.
 */
public final class TfRuntime {
    private static final Logger log = LoggerFactory.getLogger(TfRuntime.class);
    private static final String PLATFORM = "linux-x86_64";
    /** Where the natives jar keeps its libraries; the CUDA jar uses its own folder name. */
    private static final String CPU_DIR = "org/tensorflow/internal/c_api/" + PLATFORM + "/";

    private static final String GPU_DIR = "org/tensorflow/internal/c_api/" + PLATFORM + "-gpu/";
    private static final List<String> LIBS =
            List.of("libtensorflow_framework.so.2", "libtensorflow_cc.so.2", "libjnitensorflow.so");
    private static volatile Engine engine;

    private TfRuntime() {}

    /** Returns the TensorFlow engine, unpacking the natives on first call. */
    public static synchronized Engine engine() {
        if (engine == null) {
            // TensorFlow's C++ log reads its level from the environment only: a program that uses bert-clf as a
            // library (no launcher to set it) gets errors only, unless it set the variable itself.
            NativeEnvironment.setDefault("TF_CPP_MIN_LOG_LEVEL", "2");
            if (System.getProperty("TENSORFLOW_LIBRARY_PATH") == null
                    && System.getenv("TENSORFLOW_LIBRARY_PATH") == null) {
                System.setProperty("TENSORFLOW_LIBRARY_PATH", unpackNatives().toString());
            }
            engine = Engine.getEngine("TensorFlow");
            log.debug("TensorFlow engine {} ready", engine.getVersion());
        }
        return engine;
    }

    /** True when the TensorFlow natives on the classpath are the CUDA build (Maven profile {@code gpu}). */
    public static boolean hasGpuNatives() {
        return TfRuntime.class.getClassLoader().getResource(GPU_DIR + "libjnitensorflow.so") != null;
    }

    /** Copies the native libraries once into a folder keyed by the natives jar, atomically. */
    static Path unpackNatives() {
        ClassLoader cl = TfRuntime.class.getClassLoader();
        boolean gpu = hasGpuNatives();
        String resourceDir = gpu ? GPU_DIR : CPU_DIR;
        if (cl.getResource(resourceDir + "libjnitensorflow.so") == null) {
            throw new IllegalStateException("TensorFlow natives for " + PLATFORM + " are not on the classpath "
                    + "(org.tensorflow:tensorflow-core-native:1.0.0:" + PLATFORM + "); only " + PLATFORM
                    + " is supported in this build");
        }
        Path target = BertClfHome.natives().resolve("tf-2.16.2-" + PLATFORM + "-" + (gpu ? "gpu" : "cpu"));
        if (Files.isRegularFile(target.resolve("libjnitensorflow.so"))) return target;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), ".unpack-");
            log.info("Unpacking TensorFlow natives into {} (once)", target);
            for (String lib : LIBS) {
                try (InputStream in = cl.getResourceAsStream(resourceDir + lib)) {
                    if (in == null) throw new IllegalStateException("missing native library " + lib);
                    Files.copy(in, tmp.resolve(lib));
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another process unpacked the same natives first; theirs are as good as ours.
                FileUtil.deleteTree(tmp);
                if (!Files.isRegularFile(target.resolve("libjnitensorflow.so"))) throw raced;
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack TensorFlow natives into " + target, e);
        }
    }
}
