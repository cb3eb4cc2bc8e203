package dev.bertclf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * A library user's TensorFlow log is errors only unless they chose otherwise: the default reaches native code's
 * environment, and a value already there (theirs, or the launcher's {@code -v}) is kept.
 */
class NativeEnvironmentTest {
    @Test
    void aDefaultReachesNativeCodeAndNeverOverridesAValueThere() {
        String name = "BERT_CLF_TEST_" + ProcessHandle.current().pid();
        assertNull(NativeEnvironment.get(name));
        NativeEnvironment.setDefault(name, "2");
        assertEquals("2", NativeEnvironment.get(name));
        NativeEnvironment.setDefault(name, "0");
        assertEquals("2", NativeEnvironment.get(name), "a value already set is kept");
    }

    @Test
    void tensorFlowsLogLevelIsSetOnceTheEngineLoads() {
        TfRuntime.engine();
        assertEquals(
                System.getenv().getOrDefault("TF_CPP_MIN_LOG_LEVEL", "2"),
                NativeEnvironment.get("TF_CPP_MIN_LOG_LEVEL"));
    }
}
