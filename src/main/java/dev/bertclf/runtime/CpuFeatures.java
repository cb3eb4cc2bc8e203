package dev.bertclf.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What this CPU does natively that decides how a graph is best built. bf16 training builds its dense layers as
 * explicit bfloat16 products ({@code model.DenseLayers.BF16}), measured faster on CPUs with bf16 instructions; on
 * others oneDNN would emulate them, so those runs keep the graph of earlier builds and let the auto mixed precision
 * rewrite decide. Read from Linux's {@code /proc/cpuinfo}; elsewhere no feature is assumed.
 */
public final class CpuFeatures {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile Boolean bf16;

    private CpuFeatures() {}

    /** Whether this CPU has bf16 instructions: AVX512-BF16 or AMX-BF16. */
    public static boolean bf16() {
        Boolean b = bf16;
        if (b == null) {
            String text;
            try {
                text = Files.isReadable(CPUINFO) ? Files.readString(CPUINFO) : "";
            } catch (IOException e) {
                text = "";
            }
            bf16 = b = bf16(text);
        }
        return b;
    }

    /** {@link #bf16()} of a {@code /proc/cpuinfo} text: every processor's {@code flags} line must have it. */
    static boolean bf16(String cpuinfo) {
        boolean any = false;
        for (String line : cpuinfo.split("\n")) {
            if (!line.startsWith("flags")) continue;
            int colon = line.indexOf(':');
            Set<String> flags = Arrays.stream(line.substring(colon + 1).trim().split("\\s+"))
                    .collect(Collectors.toSet());
            if (!flags.contains("avx512_bf16") && !flags.contains("amx_bf16")) return false;
            any = true;
        }
        return any;
    }
}
