package dev.bertclf.cli;

import dev.bertclf.runtime.ComputeDevice;
import picocli.CommandLine.Option;

/** {@code --device} for every command that runs a model. */
final class DeviceOption {
    @Option(
            names = "--device",
            paramLabel = "auto|cpu|gpu",
            defaultValue = "auto",
            description = "Where TensorFlow runs: auto takes a usable CUDA GPU (a build with -Pgpu), else the CPU.")
    ComputeDevice device;

    boolean useGpu() {
        return device.useGpu();
    }
}
