package dev.bertclf.train;

import dev.bertclf.model.GraphSession;
import dev.bertclf.model.NamedVariables;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * How one optimizer step turns its examples into an AdamW update, one class per way: {@link SingleStep} (one
 * batch, one run: the tutorial's), {@link AccumulatingStep} ({@code --accumulate}: micro-batches whose gradients
 * are summed) and {@link ReplicatedStep} (a worker of a data-parallel run: the workers' gradients summed over the
 * network). {@link TrainingGraph} builds the model and the {@link Loss}, then hands its parts to the step, which adds
 * the gradients and the update; {@link Trainer}'s loop asks the step to run each range of examples and knows no
 * more of how.
 */
public sealed interface TrainingStep permits SingleStep, AccumulatingStep, ReplicatedStep {
    /**
     * What a step builds on: the graph's ops, the batch's mean (weighted) loss, its summed objective (for parts of a
     * step, which divide it by the step's example count), its correct count, how to differentiate a loss with
     * respect to every weight, and AdamW's weight decay.
     */
    record Parts(
            Ops tf,
            NamedVariables variables,
            Operand<TFloat32> meanLoss,
            Operand<TFloat32> objectiveSum,
            Operand<TFloat32> correct,
            Function<Operand<TFloat32>, Map<String, Gradient>> gradients,
            double weightDecay) {
        /** These parts, with AdamW decaying the weights by {@code decay}. */
        Parts withWeightDecay(double decay) {
            return new Parts(tf, variables, meanLoss, objectiveSum, correct, gradients, decay);
        }

        /** AdamW over these parts' variables and {@code gradients}, with their weight decay. */
        AdamW adamW(Ops ops, Map<String, Gradient> gradients) {
            return new AdamW(ops, variables, gradients, weightDecay);
        }

        /** The placeholder for a step's example count, fed with each part of a step. */
        Placeholder<TFloat32> stepExamples() {
            return tf.withName("step_examples").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        }

        /**
         * What a part of a step (a micro-batch, a worker's share) differentiates: its summed objective over the whole
         * step's examples, so that the parts' gradients add up to the step's mean-loss gradient.
         */
        Operand<TFloat32> shareOfStep(Placeholder<TFloat32> stepExamples) {
            return tf.withName("step_loss_share").math.div(objectiveSum, stepExamples);
        }
    }

    /** How a graph builds its step: a choice made before the graph exists. */
    interface Kind {
        TrainingStep build(Parts parts);

        /** This kind of step, with AdamW decaying the weights by {@code weightDecay} ({@code --weight-decay}). */
        default Kind withWeightDecay(double weightDecay) {
            return parts -> build(parts.withWeightDecay(weightDecay));
        }
    }

    /** One batch a step; {@code stop} is asked after each step whether to end the run. */
    static Kind single(StopSignal stop) {
        return parts -> new SingleStep(parts, stop);
    }

    /** Up to {@code microBatches} micro-batches of {@code microBatchSize} examples a step, their gradients summed. */
    static Kind accumulating(int microBatchSize, int microBatches, StopSignal stop) {
        return parts -> new AccumulatingStep(parts, microBatchSize, microBatches, stop);
    }

    /** This worker's share of every step, the gradients summed over {@code replicas}; the chief heeds {@code stop}. */
    static Kind replicated(AllReduce replicas, StopSignal stop) {
        return parts -> new ReplicatedStep(parts, replicas, stop);
    }

    AdamW optimizer();

    /** Starts the graph's session once the step is built. */
    default Session start(GraphSession graph, ConfigProto config) {
        return graph.start(config);
    }

    /** Sets the step's state to a fresh run's, after the variables are initialised. */
    default void initialize(Session session) {
        session.runner().addTarget(optimizer().resetSlots).run();
    }

    /**
     * Optimizer step {@code step} (0-based) on the examples {@code order[from..to)} of {@code data}: the range's mean
     * loss and correct count, the gradients' global norm before clipping, and whether the run was asked to stop
     * after this step.
     */
    TrainingGraph.StepResult run(
            TrainingGraph graph, TokenizedDataset data, int[] order, int from, int to, double learningRate, long step);

    /**
     * Whether this process may end the run on its own between steps (at an epoch's end, during validation): not a
     * worker of a data-parallel run, whose stop travels with a step so that every worker stops after the same one.
     */
    default boolean stopsAlone() {
        return true;
    }

    /** The run's decision where this process decided {@code mine}: a worker takes the chief's. */
    default boolean decide(boolean mine) {
        return mine;
    }

    /** This process's part {@code [lo, hi)} of the examples {@code [from, to)}: all of them unless workers share. */
    default int[] share(int from, int to) {
        return new int[] {from, to};
    }
}
