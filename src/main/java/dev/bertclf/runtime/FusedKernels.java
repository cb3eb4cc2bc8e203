package dev.bertclf.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.OpDef;

/**
 * bert-clf's own TensorFlow kernels for training ({@code src/main/native/bertclf_ops.c}: GELU, dropout and layer
 * normalisation with their gradients, one pass over memory each where TensorFlow's ops take several), loaded into
 * TensorFlow once per process. They are an optimisation only: where they cannot load (not Linux x86-64, a build
 * without a C compiler, the CUDA build, whose GPU they would leave, or {@code -Dbertclf.fused-kernels=off}) the
 * training graph builds the same functions from TensorFlow's ops. The library is copied into
 * {@code $BERT_CLF_HOME/natives} under its SHA-256, atomically, like TensorFlow's own natives.
 */
public final class FusedKernels {
    private static final Logger log = LoggerFactory.getLogger(FusedKernels.class);
    private static final String RESOURCE = "/dev/bertclf/native/linux-x86_64/libbertclf_ops.so";
    // The ops the library registers, all used by training graphs; dropout's gradient is dropout itself.
    public static final String GELU = "BertClfGelu";
    public static final String GELU_GRAD = "BertClfGeluGrad";
    public static final String DROPOUT = "BertClfDropout";
    public static final String LAYER_NORM = "BertClfLayerNorm";
    public static final String LAYER_NORM_GRAD = "BertClfLayerNormGrad";

    /** Set to {@code off} to train with TensorFlow's ops only (for comparisons). */
    public static final String SWITCH = "bertclf.fused-kernels";

    /** What a build that carries the kernels but cannot load them says, at WARN. */
    private static final String FALLBACK =
            "training uses TensorFlow's ops instead: the same dropout masks and results, slower";

    private static Boolean loaded;

    private FusedKernels() {}

    /**
     * Whether the fused kernels are loaded (loading them on first call) and not switched off ({@value #SWITCH}:
     * off, false, 0 or no, in any case; on, true, 1, yes or unset load them).
     */
    public static boolean available() {
        String value = System.getProperty(SWITCH);
        if (value != null) {
            switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "off", "false", "0", "no" -> {
                    return false;
                }
                case "on", "true", "1", "yes" -> {}
                default ->
                    throw new InvalidOptionException("-D" + SWITCH + "=" + ConsoleText.escape(value)
                            + " is neither on nor off (off, false, 0 or no turns the fused kernels off)");
            }
        }
        return load();
    }

    /**
     * Which of bert-clf's native libraries this build carries: the build makes them only where it finds a C
     * compiler (and the JDK's headers), and says so; {@code --version} prints this so that a build is known by it.
     */
    public static String inThisBuild() {
        boolean ops = FusedKernels.class.getResource(RESOURCE) != null;
        boolean listen = FusedKernels.class.getResource(ListenAddress.RESOURCE) != null;
        return "native libraries: fused training kernels " + (ops ? "built" : "not built (no C compiler)")
                + ", listen-address library " + (listen ? "built" : "not built (no C compiler or JDK headers)");
    }

    private static synchronized boolean load() {
        if (loaded == null) loaded = tryLoad(System.getProperty("os.name"), System.getProperty("os.arch"));
        return loaded;
    }

    /** Loads the kernels this build carries on {@code osName}/{@code arch} (this machine's, but for tests). */
    static boolean tryLoad(String osName, String arch) {
        byte[] library;
        try (InputStream in = FusedKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                log.debug("this build has no fused kernels (no C compiler when it was built)");
                return false;
            }
            library = in.readAllBytes();
        } catch (IOException e) {
            log.warn("cannot read bert-clf's fused kernels ({}); {}", e.toString(), FALLBACK);
            return false;
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            log.warn("bert-clf's fused kernels are built for Linux x86-64, not {} {}; {}", os, arch, FALLBACK);
            return false;
        }
        if (TfRuntime.hasGpuNatives()) {
            log.debug("CUDA build: training keeps TensorFlow's ops, which run on the GPU");
            return false;
        }
        try {
            TfRuntime.engine();
            Path file = unpack(library);
            var ops = TensorFlow.loadLibrary(file.toString()).getOpList().stream()
                    .map(OpDef::getName)
                    .toList();
            if (!ops.containsAll(List.of(GELU, GELU_GRAD, DROPOUT, LAYER_NORM, LAYER_NORM_GRAD))) {
                log.warn("the fused kernels in {} registered {} only; {}", file, ops, FALLBACK);
                return false;
            }
            log.debug("fused kernels loaded from {}", file);
            return true;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            log.warn("cannot load bert-clf's fused kernels ({}); {}", e.toString(), FALLBACK);
            return false;
        }
    }

    /**
     * The library in the natives folder, named by its content, copied there once (temp file, then rename); a copy
     * there whose bytes differ (damaged, or cut short by a crash) is replaced, never loaded.
     */
    static Path unpack(byte[] library) throws IOException {
        return unpack(library, "bertclf-ops", "libbertclf_ops.so");
    }

    /**
     * {@code library} as {@code $BERT_CLF_HOME/natives/<stem>-<sha256>/<file>}: reused when its bytes are the same,
     * else written to a temp file and renamed into place. Shared with {@link ListenAddress}'s library.
     */
    static Path unpack(byte[] library, String stem, String fileName) throws IOException {
        String digest;
        try {
            digest = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(library));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = BertClfHome.natives().resolve(stem + "-" + digest.substring(0, 16));
        Path file = dir.resolve(fileName);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(file), library)) {
            return file;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".unpack-", ".so");
        try {
            Files.write(tmp, library);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }
}
