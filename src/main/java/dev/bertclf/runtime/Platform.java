package dev.bertclf.runtime;

import ai.djl.engine.Engine;
import java.util.List;
import org.tensorflow.TensorFlow;

/**
 * The machine and libraries a run trained on, as a run record keeps them: a result that cannot be reproduced months
 * later often differs in one of these (another JDK's math, a TensorFlow upgrade, a CPU without AVX-512 taking other
 * kernels), and none of them is in the model's files.
 *
 * @param cpuFlags the first processor's flags, sorted ({@link CpuFeatures#flags})
 * @param tensorflow the version of the TensorFlow natives loaded, as TensorFlow itself reports it
 */
public record Platform(
        String java,
        String javaVendor,
        String javaVm,
        String os,
        String osVersion,
        String arch,
        int processors,
        String cpu,
        List<String> cpuFlags,
        String djl,
        String tensorflow) {
    /** This process's platform; loads the TensorFlow natives if nothing has yet. */
    public static Platform current() {
        TfRuntime.engine();
        return new Platform(
                System.getProperty("java.version"),
                System.getProperty("java.vendor"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                CpuFeatures.model(),
                CpuFeatures.flags(),
                Engine.getDjlVersion(),
                TensorFlow.version());
    }
}
