package dev.bertclf.train;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * {@code --accumulate} N: a step is up to N micro-batches whose gradients are summed in variables
 * ({@link GradientAccumulator}), then one update. Each micro-batch differentiates its summed (weighted) loss over
 * the examples of the whole step (fed), so the micro-batches' gradients add up to the mean-loss gradient of one
 * large batch, an epoch's last, shorter, step included. Micro-batch i of step s draws dropout masks number
 * {@code s * N + i}, so with N = 1 they are the step's own.
 */
public final class AccumulatingStep implements TrainingStep {
    private final int microBatchSize, microBatches;
    private final StopSignal stop;
    /** Examples in the whole step, fed with each micro-batch. */
    private final Placeholder<TFloat32> stepExamples;

    private final GradientAccumulator accumulator;
    private final AdamW optimizer;
    /** The update, then the sums zeroed. */
    private final Op applyAndZero;

    AccumulatingStep(Parts parts, int microBatchSize, int microBatches, StopSignal stop) {
        this.microBatchSize = microBatchSize;
        this.microBatches = microBatches;
        this.stop = stop;
        stepExamples = parts.stepExamples();
        Operand<TFloat32> share = parts.shareOfStep(stepExamples);
        accumulator = new GradientAccumulator(
                parts.tf(), parts.variables(), parts.gradients().apply(share));
        optimizer = parts.adamW(parts.tf(), accumulator.sums());
        applyAndZero = accumulator.zeroAfter(List.of(optimizer.update));
    }

    @Override
    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public void initialize(Session session) {
        TrainingStep.super.initialize(session);
        session.runner().addTarget(accumulator.zero).run();
    }

    @Override
    public TrainingGraph.StepResult run(
            TrainingGraph graph, TokenizedDataset data, int[] order, int from, int to, double learningRate, long step) {
        double lossSum = 0, correct = 0;
        long masks = step * microBatches;
        for (int m = from; m < to; m += microBatchSize, masks++) {
            int end = Math.min(to, m + microBatchSize);
            try (TrainingGraph.Fed fed = graph.fed(data.batch(order, m, end), data.labels(order, m, end), masks);
                    TFloat32 total = TFloat32.scalarOf(to - from);
                    Result res = fed.runner()
                            .feed(stepExamples, total)
                            .addTarget(accumulator.add)
                            .fetch(graph.meanLoss())
                            .fetch(graph.correct())
                            .run()) {
                lossSum += (double) ((TFloat32) res.get(0)).getFloat() * (end - m);
                correct += ((TFloat32) res.get(1)).getFloat();
            }
        }
        try (AdamW.Scalars s = optimizer.scalars(learningRate, step);
                Result res = s.feed(graph.runner())
                        .addTarget(applyAndZero)
                        .fetch(optimizer.globalNorm)
                        .run()) {
            float norm = ((TFloat32) res.get(0)).getFloat();
            return new TrainingGraph.StepResult(
                    (float) (lossSum / (to - from)), (float) correct, norm, stop.received() != null);
        }
    }
}
