package dev.bertclf.train;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * The tutorial's step: the batch's mean-loss gradient computed and applied in one run, with no sums in memory.
 * Step {@code step} draws dropout masks number {@code step}, so a resumed run repeats the uninterrupted one's.
 */
public final class SingleStep implements TrainingStep {
    private final AdamW optimizer;
    private final StopSignal stop;

    SingleStep(Parts parts, StopSignal stop) {
        this.optimizer = parts.adamW(parts.tf(), parts.gradients().apply(parts.meanLoss()));
        this.stop = stop;
    }

    @Override
    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public TrainingGraph.StepResult run(
            TrainingGraph graph, TokenizedDataset data, int[] order, int from, int to, double learningRate, long step) {
        return run(graph, data.batch(order, from, to), data.labels(order, from, to), learningRate, step, null);
    }

    /** {@code trace}: null, or where TensorFlow's timing of every op the step ran goes. */
    TrainingGraph.StepResult run(
            TrainingGraph graph,
            dev.bertclf.text.EncodedBatch batch,
            float[] y,
            double learningRate,
            long step,
            RunMetadata[] trace) {
        try (TrainingGraph.Fed fed = graph.fed(batch, y, step);
                AdamW.Scalars s = optimizer.scalars(learningRate, step)) {
            Session.Runner r = s.feed(fed.runner())
                    .addTarget(optimizer.update)
                    .fetch(graph.meanLoss())
                    .fetch(graph.correct())
                    .fetch(optimizer.globalNorm);
            if (trace != null)
                r.setOptions(RunOptions.newBuilder()
                        .setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
                        .build());
            try (Result res = trace == null ? r.run() : r.runAndFetchMetadata()) {
                if (trace != null) trace[0] = res.getMetadata().orElseThrow();
                return new TrainingGraph.StepResult(
                        ((TFloat32) res.get(0)).getFloat(),
                        ((TFloat32) res.get(1)).getFloat(),
                        ((TFloat32) res.get(2)).getFloat(),
                        stop.received() != null);
            }
        }
    }
}
