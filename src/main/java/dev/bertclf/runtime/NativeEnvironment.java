package dev.bertclf.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process environment as native libraries read it (libc's {@code getenv}), which Java can only read: settings
 * such as TensorFlow's {@code TF_CPP_MIN_LOG_LEVEL} exist nowhere else. Through JNA, which DJL already brings.
 */
final class NativeEnvironment {
    private static final Logger log = LoggerFactory.getLogger(NativeEnvironment.class);

    /** libc's two functions, as JNA binds them. */
    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    private NativeEnvironment() {}

    private static LibC libc() {
        return Native.load("c", LibC.class);
    }

    /** Sets {@code name} for native code unless the environment already has it (the user's own value wins). */
    static void setDefault(String name, String value) {
        try {
            if (libc().setenv(name, value, 0) != 0) log.debug("setenv({}) failed", name);
        } catch (UnsatisfiedLinkError | RuntimeException e) { // no libc to bind (not Linux): the default stays
            log.debug("cannot set {} for native code: {}", name, e.toString());
        }
    }

    /** {@code name} as native code sees it, or null. */
    static String get(String name) {
        return libc().getenv(name);
    }
}
