package dev.bertclf.train;

import dev.bertclf.model.Weights;
import dev.bertclf.runtime.DataException;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.ndarray.Shape;

/**
 * Where a run starts: from the initial weights, or from a checkpoint that continues exactly where the saved run stood,
 * once it is checked against everything the continuation depends on. A resume that checks less would end as another
 * run would have, with no message.
 */
final class RunStart {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private RunStart() {}

    /**
     * Loads the initial weights, or a checkpoint's weights and AdamW slots, and returns where to start; a
     * checkpoint is first checked against the data (counts, classes, fingerprints), the kernels and the build.
     */
    static TrainingProgress restore(
            TrainingGraph graph,
            Function<Map<String, Shape>, Weights> initialWeights,
            Trainer.Checkpointing c,
            TokenizedDataset train,
            TokenizedDataset validation,
            TrainingCheckpoints.DataIdentity data,
            int epochs) {
        TrainingCheckpoints.Saved saved = c.resumeFrom();
        if (saved == null) {
            try (Weights w = initialWeights.apply(graph.variables().shapes())) {
                graph.loadWeights(w);
            }
            return TrainingProgress.start();
        }
        TrainingCheckpoints.State s = saved.state();
        if (s.trainExamples() != train.size() || s.validationExamples() != validation.size()) {
            throw new DataException("the data changed since the checkpoint " + saved.folder()
                    + " was saved ("
                    + s.trainExamples() + " training and " + s.validationExamples() + " validation examples then, "
                    + train.size() + " and " + validation.size() + " now); cannot resume it");
        }
        if (s.classes() != graph.numClasses()) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved ("
                    + s.classes() + " classes then, " + graph.numClasses() + " now); cannot resume it");
        }
        TrainingCheckpoints.DataIdentity then = s.data();
        if (then != null && then.classNames() != null && !then.classNames().equals(data.classNames())) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved "
                    + "(classes " + then.classNames() + " then, " + data.classNames() + " now); cannot resume it");
        }
        if (then != null
                && !(then.training().equals(data.training())
                        && then.validation().equals(data.validation()))) {
            throw new DataException("the data changed since the checkpoint " + saved.folder() + " was saved "
                    + "(the same number of examples, but other texts or labels: another file, other columns or "
                    + "edited rows); resume with the data the run started with, or train a new model");
        }
        try (Weights w = Weights.of(c.store().read(saved, graph.variables().shapes()));
                Weights slots =
                        Weights.of(c.store().read(saved, graph.slotVariables().shapes()))) {
            graph.loadWeights(w);
            graph.loadSlots(slots);
        }
        log.info(
                "Resuming from step {} of {} (epoch {}/{}), checkpoint {}",
                s.progress().step(),
                s.totalSteps(),
                Math.min(s.progress().epoch(), epochs),
                epochs,
                saved.folder());
        if (s.fusedKernels() != null && s.fusedKernels() != graph.kernels().fused()) {
            String was = s.fusedKernels() ? "on" : "off", is = graph.kernels().fused() ? "on" : "off";
            if (c.store() == null || !c.store().kernelChangeAllowed()) {
                throw new DataException("the checkpoint " + saved.folder() + " was trained with bert-clf's fused "
                        + "kernels " + was + ", and this run would train with them " + is + ": they round otherwise "
                        + "(and before revision 5 drew other dropout masks), so the run would not end as it would "
                        + "have without the stop. Resume where they are " + was
                        + (s.fusedKernels() ? "" : " (-Dbertclf.fused-kernels=off)")
                        + ", or accept a run that is no longer bit-exact with --allow-kernel-change");
            }
            log.warn(
                    "--allow-kernel-change: the checkpoint trained with the fused kernels {}, this run with them {}: "
                            + "it goes on, but will not end bit for bit as it would have without the stop",
                    was,
                    is);
        }
        if (s.graphRevision() != TrainingGraph.REVISION) {
            log.warn("The checkpoint was written by another bert-clf build, whose training steps compute slightly "
                    + "differently (dropout masks, rounding): the run goes on from it, but will not end bit for bit "
                    + "as it would have without the stop");
        }
        return s.progress();
    }
}
