package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuFeaturesTest {
    private static String cpu(String flags) {
        return "processor\t: 0\nmodel name\t: X\nflags\t\t: " + flags + "\nbugs\t\t: \n\n";
    }

    @Test
    void bf16NeedsAvx512Bf16OrAmxOnEveryProcessor() {
        assertTrue(CpuFeatures.bf16(cpu("fpu avx2 avx512f avx512_bf16 avx512_vnni")));
        assertTrue(CpuFeatures.bf16(cpu("fpu avx512f amx_bf16 amx_tile") + cpu("fpu avx512f amx_bf16")));
        assertFalse(CpuFeatures.bf16(cpu("fpu avx2 avx512f avx512_vnni")), "AVX512 alone emulates bf16");
        assertFalse(CpuFeatures.bf16(cpu("fpu avx512_bf16") + cpu("fpu avx2")), "one processor without it");
        assertFalse(CpuFeatures.bf16(""), "no /proc/cpuinfo: nothing assumed");
        assertFalse(CpuFeatures.bf16(cpu("avx512_bf16x")), "whole flags only");
    }

    /** What run.json records: the first processor's model name and its flags, sorted; nothing invented. */
    @Test
    void theRunRecordsModelAndFlagsAreTheFirstProcessors() {
        String info = cpu("sse2 avx2  fpu") + cpu("other");
        assertEquals(java.util.List.of("avx2", "fpu", "sse2"), CpuFeatures.flags(info));
        assertEquals(java.util.List.of(), CpuFeatures.flags(""));
        assertEquals("X", CpuFeatures.model(info));
        assertEquals("unknown", CpuFeatures.model(""));
    }
}
