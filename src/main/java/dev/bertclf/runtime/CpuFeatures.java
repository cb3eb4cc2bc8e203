package dev.bertclf.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
        if (b == null) bf16 = b = bf16(cpuinfo());
        return b;
    }

    /** The CPU's model name ({@code model name} of its first processor), or "unknown" where it is not told. */
    public static String model() {
        return model(cpuinfo());
    }

    static String model(String cpuinfo) {
        return field(cpuinfo, "model name").orElse("unknown");
    }

    /** The first processor's {@code flags}, sorted (none where they are not told): what a run record keeps. */
    public static List<String> flags() {
        return flags(cpuinfo());
    }

    static List<String> flags(String cpuinfo) {
        return field(cpuinfo, "flags")
                .map(f -> Arrays.stream(f.split("\\s+"))
                        .filter(x -> !x.isEmpty())
                        .sorted()
                        .toList())
                .orElse(List.of());
    }

    /** The value of the first line {@code key : value} of a {@code /proc/cpuinfo} text. */
    private static Optional<String> field(String cpuinfo, String key) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return Optional.of(line.substring(colon + 1).trim());
            }
        }
        return Optional.empty();
    }

    private static String cpuinfo() {
        try {
            return Files.isReadable(CPUINFO) ? Files.readString(CPUINFO) : "";
        } catch (IOException e) {
            return "";
        }
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
