package dev.bertclf.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where TensorFlow's gRPC server may listen. TensorFlow binds every server to the wildcard address, whatever host
 * the cluster names (its {@code GrpcServer::Init} hard-codes {@code 0.0.0.0}), and its distributed runtime has no
 * authentication: a worker's port open on every interface let a process on another machine read and write files
 * inside the trainer. bert-clf's small native library ({@code src/main/native/bertclf_listen.c}, JNI) turns that
 * wildcard into the one address the cluster names for this task, for this task's port only. {@link #listening}
 * reads back from the kernel what the server got, so a narrowing that did not take is seen rather than assumed.
 * Linux x86-64 builds made with a C compiler carry the library; elsewhere {@link #available} is false and several
 * workers need {@code --open-worker-ports}.
 */
public final class ListenAddress {
    private static final Logger log = LoggerFactory.getLogger(ListenAddress.class);
    static final String RESOURCE = "/dev/bertclf/native/linux-x86_64/libbertclf_listen.so";

    private static Boolean loaded;

    private ListenAddress() {}

    /** Whether this build and platform can narrow TensorFlow's servers (loading the library on first call). */
    public static synchronized boolean available() {
        if (loaded == null) loaded = tryLoad();
        return loaded;
    }

    /**
     * Makes the TensorFlow server started next on {@code port} listen on {@code address} only. Call after the
     * TensorFlow libraries are loaded ({@link TfRuntime#engine}) and before the server starts.
     *
     * @return false where it cannot (no library, or TensorFlow's calls not found)
     */
    public static boolean restrict(int port, InetAddress address) {
        if (!available()) return false;
        byte[] a16 = new byte[16];
        if (address instanceof Inet4Address) { // as an IPv4-mapped IPv6 address: gRPC's socket is dual-stack
            a16[10] = (byte) 0xff;
            a16[11] = (byte) 0xff;
            System.arraycopy(address.getAddress(), 0, a16, 12, 4);
        } else {
            System.arraycopy(address.getAddress(), 0, a16, 0, 16);
        }
        int patched = restrict(port, a16);
        if (patched <= 0) log.warn("could not narrow TensorFlow's server on port {} to {}", port, address);
        return patched > 0;
    }

    private static native int restrict(int port, byte[] address16);

    /**
     * The addresses listening on TCP {@code port} on this machine, as the kernel lists them
     * ({@code /proc/net/tcp}, {@code tcp6}): hexadecimal, all zeros for the wildcard. Empty where there is no such
     * list.
     */
    public static List<String> listening(int port) {
        List<String> found = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[3].equals("0A") && f[1].endsWith(":" + hexPort)) {
                        found.add(f[1].substring(0, f[1].indexOf(':')));
                    }
                }
            } catch (IOException e) {
                // not Linux: nothing to read back
            }
        }
        return found;
    }

    /** Whether an address from {@link #listening} is the wildcard (every interface). */
    public static boolean isWildcard(String hexAddress) {
        return hexAddress.chars().allMatch(c -> c == '0');
    }

    private static boolean tryLoad() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) return false;
        try (InputStream in = ListenAddress.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                log.debug("this build has no listen-address library (no C compiler when it was built)");
                return false;
            }
            Path file = FusedKernels.unpack(in.readAllBytes(), "bertclf-listen", "libbertclf_listen.so");
            System.load(file.toString());
            return true;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            log.warn("cannot load bert-clf's listen-address library ({})", e.toString());
            return false;
        }
    }
}
