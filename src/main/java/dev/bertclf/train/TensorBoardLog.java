package dev.bertclf.train;

import dev.bertclf.model.GraphSession;
import dev.bertclf.runtime.SessionOptions;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Scalars as TensorBoard event files, written by TensorFlow's own summary ops ({@code CreateSummaryFileWriter},
 * {@code WriteScalarSummary}) in a small graph and session of their own, so the files are exactly what TensorFlow
 * writes and {@code tensorboard --logdir} reads. The layout is that of Keras' TensorBoard callback: one folder per
 * {@link Folder} under the given logs folder, each holding {@code events.out.tfevents.*.v2} files.
 *
 * <p>{@link #closeFiles} ends the current event files (they are complete on disk, and may be moved); the next
 * scalar starts new ones in the same folders, which TensorBoard reads together, as it reads those a resumed run
 * adds. The session runs on the CPU with one thread of its own, and leaves the process's thread pools and any GPU
 * to the training session.
 */
public final class TensorBoardLog implements AutoCloseable {
    /** The folder of a run's event files, in the model folder. */
    public static final String FOLDER = "logs";

    /** The event files' folders, as Keras names them. */
    public enum Folder {
        train,
        validation
    }

    private static final AtomicLong WRITERS = new AtomicLong();

    private final GraphSession graph = new GraphSession();
    private final Session session;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat32> value;
    private final Map<Folder, Writer> writers = new EnumMap<>(Folder.class);

    /** One folder's writer: its ops, and whether its event file is open. */
    private static final class Writer {
        Op open, write, flush, close;
        boolean isOpen;
    }

    /** Writes under {@code logs} (created with its folders at the first scalar). */
    public TensorBoardLog(Path logs) {
        Ops tf = graph.variables().scope("");
        step = tf.withName("step").placeholder(TInt64.class);
        tag = tf.withName("tag").placeholder(TString.class);
        value = tf.withName("value").placeholder(TFloat32.class);
        for (Folder f : Folder.values()) {
            Ops scope = tf.withSubScope(f.name());
            // A name of its own per writer, so two logs in one process never share TensorFlow's resource.
            SummaryWriter handle = scope.summary.summaryWriter(
                    SummaryWriter.sharedName("bert_clf_" + f.name() + "_" + WRITERS.incrementAndGet()));
            Writer w = new Writer();
            w.open = scope.summary.createSummaryFileWriter(
                    handle,
                    scope.constant(logs.resolve(f.name()).toAbsolutePath().toString()),
                    scope.constant(10), // events queued before a write to disk, as tf.summary's default
                    scope.constant(10_000), // and at most this many milliseconds
                    scope.constant(".v2")); // the suffix TF 2 and Keras give their event files
            w.write = scope.summary.writeScalarSummary(handle, step, tag, value);
            w.flush = scope.summary.flushSummaryWriter(handle);
            w.close = scope.summary.closeSummaryWriter(handle);
            writers.put(f, w);
        }
        ConfigProto config = new SessionOptions(1, 1, false)
                .toConfigProto().toBuilder().setUsePerSessionThreads(true).build();
        session = graph.start(config);
    }

    /** Adds {@code tag = value} at {@code step} to {@code folder}'s event file, opening one if none is open. */
    public void scalar(Folder folder, String tag, long step, double value) {
        Writer w = writers.get(folder);
        if (!w.isOpen) {
            session.runner().addTarget(w.open).run();
            w.isOpen = true;
        }
        try (TInt64 s = TInt64.scalarOf(step);
                TString t = TString.scalarOf(tag);
                TFloat32 v = TFloat32.scalarOf((float) value)) {
            session.runner()
                    .feed(this.step, s)
                    .feed(this.tag, t)
                    .feed(this.value, v)
                    .addTarget(w.write)
                    .run();
        }
    }

    /** Writes what is queued to disk, keeping the files open. */
    public void flush() {
        for (Writer w : writers.values()) {
            if (w.isOpen) session.runner().addTarget(w.flush).run();
        }
    }

    /** Writes what is queued and closes the event files; a later scalar starts new ones. */
    public void closeFiles() {
        for (Writer w : writers.values()) {
            if (w.isOpen) session.runner().addTarget(w.close).run();
            w.isOpen = false;
        }
    }

    @Override
    public void close() {
        try {
            closeFiles();
        } finally {
            graph.close();
        }
    }
}
