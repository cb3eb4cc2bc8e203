package dev.bertclf.serve;

import dev.bertclf.infer.Prediction;
import dev.bertclf.infer.TextClassifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets concurrent requests share model calls. One forward pass over 32 texts costs far less than 32 passes over
 * one, and DJL's predictor is not thread-safe, so a single worker thread owns the model: it takes the oldest
 * request, gathers what else arrives within the batch wait up to {@code maxBatch} texts, classifies them in one
 * call and answers each request. The texts accepted and not yet answered are bounded, so an overloaded server
 * refuses at once instead of growing its memory and its latency.
 */
final class BatchingPredictor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchingPredictor.class);

    /** What the worker needs of a model: a {@link TextClassifier} in service, a stub where a test needs no engine. */
    interface Model extends AutoCloseable {
        List<Prediction> predict(List<String> texts, int batchSize);

        @Override
        void close();
    }

    private record Job(List<String> texts, CompletableFuture<List<Prediction>> result) {}

    /** Queued by {@link #close}: everything before it is answered, then the worker ends. */
    private static final Job END = new Job(List.of(), null);

    private final Model classifier;
    private final int maxBatch;
    private final long batchWaitNanos;
    private final int maxQueue;
    private final CountDownLatch gate;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Semaphore slots;
    private final AtomicLong modelCalls = new AtomicLong();
    private final Thread worker;
    private volatile IntConsumer batchSizes = n -> {};
    private boolean closed, classifierClosed;

    /** Takes ownership of {@code classifier}: {@link #close} closes it. */
    BatchingPredictor(TextClassifier classifier, int maxBatch, Duration batchWait, int maxQueue) {
        this(classifier, maxBatch, batchWait, maxQueue, new CountDownLatch(0));
    }

    /** Tests hold the worker before each batch until {@code gate} opens, to fill the queue deterministically. */
    BatchingPredictor(TextClassifier classifier, int maxBatch, Duration batchWait, int maxQueue, CountDownLatch gate) {
        this(
                new Model() {
                    @Override
                    public List<Prediction> predict(List<String> texts, int batchSize) {
                        return classifier.predict(texts, batchSize);
                    }

                    @Override
                    public void close() {
                        classifier.close();
                    }
                },
                maxBatch,
                batchWait,
                maxQueue,
                gate);
    }

    BatchingPredictor(Model classifier, int maxBatch, Duration batchWait, int maxQueue, CountDownLatch gate) {
        if (maxBatch < 1 || maxQueue < 1 || batchWait.isNegative()) {
            throw new IllegalArgumentException("max batch and max queue must be at least 1, batch wait not negative");
        }
        this.classifier = classifier;
        this.maxBatch = maxBatch;
        this.batchWaitNanos = batchWait.toNanos();
        this.maxQueue = maxQueue;
        this.gate = gate;
        this.slots = new Semaphore(maxQueue);
        this.worker = new Thread(this::work, "bert-clf-batcher");
        worker.start();
    }

    /** Tells {@code sizes} the texts of every model call, on the worker thread, before the call. */
    void onBatch(IntConsumer sizes) {
        this.batchSizes = sizes;
    }

    int maxQueue() {
        return maxQueue;
    }

    /** Model calls so far: fewer than the requests answered when batching works. */
    long modelCalls() {
        return modelCalls.get();
    }

    /** Texts accepted and not answered yet (queued or being classified). */
    int pendingTexts() {
        return maxQueue - slots.availablePermits();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Queues texts for classification; the future completes with one prediction per text, in order.
     *
     * @throws RejectedExecutionException when the queue has no room for them or the predictor is closing
     */
    synchronized CompletableFuture<List<Prediction>> submit(List<String> texts) {
        if (texts.isEmpty() || texts.size() > maxQueue) {
            throw new IllegalArgumentException(texts.size() + " texts: a request needs 1 to " + maxQueue);
        }
        if (closed) throw new RejectedExecutionException("the server is shutting down");
        if (!slots.tryAcquire(texts.size())) {
            throw new RejectedExecutionException(
                    "the server is busy: " + pendingTexts() + " of " + maxQueue + " queued texts pending; retry later");
        }
        Job job = new Job(List.copyOf(texts), new CompletableFuture<>());
        queue.add(job);
        return job.result();
    }

    private void work() {
        Job carried = null;
        try {
            while (true) {
                gate.await();
                Job first = carried != null ? carried : queue.take();
                carried = null;
                if (first == END) return;
                List<Job> batch = new ArrayList<>(List.of(first));
                int size = first.texts().size();
                long deadline = System.nanoTime() + batchWaitNanos;
                while (size < maxBatch) {
                    Job next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    if (next == END || size + next.texts().size() > maxBatch) {
                        carried = next;
                        break;
                    }
                    batch.add(next);
                    size += next.texts().size();
                }
                run(batch, size);
            }
        } catch (InterruptedException e) {
            log.warn("The batching worker was interrupted; pending requests fail");
            for (Job j; (j = queue.poll()) != null; ) if (j != END) j.result().completeExceptionally(e);
            if (carried != null && carried != END) carried.result().completeExceptionally(e);
        }
    }

    /** One model call per {@code maxBatch} texts (one call unless a single request is larger). */
    private void run(List<Job> batch, int size) {
        List<String> texts = new ArrayList<>(size);
        for (Job j : batch) texts.addAll(j.texts());
        for (int left = size; left > 0; left -= maxBatch) batchSizes.accept(Math.min(left, maxBatch));
        long start = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = classifier.predict(texts, maxBatch);
        } catch (Throwable e) {
            log.error("Classifying a batch of {} texts failed: {}", size, e.toString());
            slots.release(size);
            for (Job j : batch) j.result().completeExceptionally(e);
            return;
        } finally {
            modelCalls.addAndGet((size + maxBatch - 1) / maxBatch);
        }
        log.debug(
                "Classified {} texts from {} requests in {} ms",
                size,
                batch.size(),
                (System.nanoTime() - start) / 1_000_000);
        slots.release(size);
        int from = 0;
        for (Job j : batch) {
            j.result().complete(predictions.subList(from, from + j.texts().size()));
            from += j.texts().size();
        }
    }

    /** Refuses new texts, answers every queued one, then closes the classifier. */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                queue.add(END);
            }
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        synchronized (this) {
            if (!classifierClosed) {
                classifierClosed = true;
                classifier.close();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
