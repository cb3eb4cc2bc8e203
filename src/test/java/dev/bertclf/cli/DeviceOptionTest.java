package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.bertclf.runtime.ComputeDevice;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.SessionOptions;
import dev.bertclf.runtime.TfRuntime;
import dev.bertclf.testutil.Cli;
import org.junit.jupiter.api.Test;

/** The default build carries CPU natives: a GPU asked for must fail at once, with what to do about it. */
class DeviceOptionTest {
    @Test
    void gpuOnACpuBuildFailsWithTheFix() {
        assumeFalse(TfRuntime.hasGpuNatives(), "built with -Pgpu");
        for (String[] args : new String[][] {
            {"bench", "--device", "gpu", "--model", "L-2_H-32_A-2"},
            {"predict", "--device", "gpu", "--model-dir", "no-such-model", "great movie"},
            {"evaluate", "--device", "GPU", "--model-dir", "no-such-model"},
            {"train", "--device", "gpu", "--model", "no-such-model", "--output", "no-such-output"}
        }) {
            Cli.Run r = Cli.run(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(
                    r.err().contains("--device gpu: this build has TensorFlow's CPU natives")
                            && r.err().contains("mvn -Pgpu package")
                            && r.err().contains("CUDA 12.3"),
                    r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
        assertFalse(
                java.nio.file.Files.exists(java.nio.file.Path.of("no-such-output.train.log")),
                "a bad option stops train before it starts a log");
    }

    @Test
    void autoFallsBackToTheCpuAndUnknownDevicesAreUsageErrors() {
        assumeFalse(TfRuntime.hasGpuNatives(), "built with -Pgpu");
        assertFalse(ComputeDevice.AUTO.useGpu());
        assertFalse(ComputeDevice.CPU.useGpu());
        assertEquals(2, Cli.run("bench", "--device", "tpu").code());
    }

    @Test
    void sessionsHideTheGpuOnTheCpuAndRefuseBf16OnTheGpu() {
        assertEquals(0, new SessionOptions(0, 0, false, false).toConfigProto().getDeviceCountOrThrow("GPU"));
        assertTrue(new SessionOptions(0, 0, false, true)
                .toConfigProto()
                .getGpuOptions()
                .getAllowGrowth());
        assertThrows(InvalidOptionException.class, () -> new SessionOptions(0, 0, true, true));
    }
}
