package dev.bertclf.train;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import dev.bertclf.io.OutputLock;
import dev.bertclf.model.checkpoint.CheckpointException;
import dev.bertclf.model.checkpoint.CheckpointFiles;
import dev.bertclf.model.checkpoint.CheckpointReader;
import dev.bertclf.model.checkpoint.CheckpointWriter;
import dev.bertclf.runtime.BoundedFiles;
import dev.bertclf.runtime.DataException;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.OwnedFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A run's checkpoints, in {@code <output>.checkpoints/} beside the model folder: the exported SavedModel stays a
 * clean SavedModel, and its folder can be swapped atomically after each epoch without touching them. Each
 * checkpoint is a folder ({@code step-000000120-e01}) holding a TF1 checkpoint of the weights and AdamW's slots
 * under Google's names ({@code model.ckpt.*}) and the run's state ({@code state.json}); it is written under a
 * temporary name and renamed into place, so a checkpoint that is visible is complete. The last two are kept. The
 * folder also holds the lock that keeps two runs from writing the same output, the {@link OwnedFolder} marker and
 * the run's {@code train.log} until the run succeeds; it is removed when a run finishes, and only if it holds
 * nothing but what bert-clf wrote.
 */
public final class TrainingCheckpoints {
    public static final String SUFFIX = ".checkpoints";
    static final String STATE = "state.json", PREFIX = "model.ckpt", LOCK = "train.lock", LOG = "train.log";
    /** Prefixes of a checkpoint being written and of one being deleted; {@link #removeLeftovers} clears both. */
    private static final String TEMP = ".tmp-", ASIDE = ".old-";
    /** What the folder's marker calls it ({@link OwnedFolder}). */
    static final String OWNED_AS = "checkpoints";

    private static final int KEEP = 2, FORMAT = 1;
    private static final Pattern NAME = Pattern.compile("step-\\d{9}-e\\d{2,}");
    static final Gson GSON = Json.PRETTY;

    /**
     * What {@code state.json} holds; {@code numClasses} sizes the head whose weights the checkpoint holds (0 in
     * checkpoints written before multi-class models existed: those are binary); {@code graphRevision} is the
     * {@link TrainingGraph#REVISION} that wrote it (0 before it was recorded); {@code data} is what the run trains
     * on (null in checkpoints written before it was recorded), which a resumed run must train on too;
     * {@code fusedKernels} whether the run trained on bert-clf's fused kernels (the same masks as TensorFlow's ops
     * since graph revision 5, other roundings: a resume must use the same, or it is not bit for bit the same run;
     * null before it was recorded).
     */
    public record State(
            int format,
            RunSettings run,
            TrainingProgress progress,
            int trainExamples,
            int validationExamples,
            long totalSteps,
            int numClasses,
            int graphRevision,
            DataIdentity data,
            Boolean fusedKernels) {
        /** The number of classes of the checkpoint's model. */
        public int classes() {
            return numClasses == 0 ? 2 : numClasses;
        }
    }

    /**
     * The class names and the {@link TokenizedDataset#fingerprint fingerprints} of the training and validation sets.
     */
    public record DataIdentity(List<String> classNames, String training, String validation) {}

    /** A checkpoint on disk. */
    public record Saved(Path folder, State state) {
        public Path prefix() {
            return folder.resolve(PREFIX);
        }
    }

    private final Path dir;
    private volatile boolean started;
    private volatile boolean kernelChangeAllowed;

    public TrainingCheckpoints(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The checkpoint folder of a model folder: its sibling {@code <output>.checkpoints}. */
    public static TrainingCheckpoints besideOutput(Path output) {
        Path out = output.toAbsolutePath().normalize();
        return new TrainingCheckpoints(out.resolveSibling(out.getFileName() + SUFFIX));
    }

    public Path dir() {
        return dir;
    }

    /** The run's log while it runs (the cli's {@code TrainLog} writes it). */
    public Path log() {
        return dir.resolve(LOG);
    }

    /** Lets a resume train on other element-wise kernels than the checkpoint's ({@code --allow-kernel-change}). */
    public void allowKernelChange() {
        kernelChangeAllowed = true;
    }

    boolean kernelChangeAllowed() {
        return kernelChangeAllowed;
    }

    /** Marks that the run has begun training: from here on its log is kept if it fails. */
    void trainingStarted() {
        started = true;
    }

    /** Whether a failed run's log is kept: it began training (a run refused or failed before that leaves none). */
    public boolean keepsLog() {
        return started;
    }

    /**
     * Refuses a checkpoint folder that is not bert-clf's: one holding anything bert-clf does not write there (its
     * marker, the lock, checkpoints, hidden leftovers of interrupted writes) is someone else's folder that
     * happens to have the name, and finishing a run, which removes the folder, would delete it.
     */
    public void checkOwned() {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        String why = !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? "is not a folder"
                : foreignEntry()
                        .map(p -> "holds " + p.getFileName() + ", which bert-clf did not write")
                        .orElse(null);
        if (why != null) {
            throw new InvalidOptionException(dir + " " + why + ": bert-clf keeps a run's checkpoints there and "
                    + "removes the folder when the run ends; move it away or choose another --output");
        }
    }

    /**
     * Locks the run's output; a second run into the same output fails here with a message naming it. Call
     * {@link #checkOwned} first: the folder is created, and marked, here.
     */
    public OutputLock lock(Path output) {
        return lock("another 'bert-clf train' is writing to " + output + " (it holds " + dir.resolve(LOCK)
                + "); wait for it to finish or choose another --output");
    }

    /** As {@link #lock(Path)}, refused with {@code busyMessage} while another process holds the lock. */
    public OutputLock lock(String busyMessage) {
        try {
            Files.createDirectories(dir);
            if (!OwnedFolder.isMarked(dir, OWNED_AS)) OwnedFolder.mark(dir, OWNED_AS);
        } catch (IOException e) {
            throw new DataException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return OutputLock.acquire(dir.resolve(LOCK), busyMessage);
    }

    /** The model folder that {@code path} names: itself, or the model folder of a checkpoint folder. */
    public static Path outputOf(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (p.getFileName() == null) {
            throw new InvalidOptionException(path + " is the root folder, not a run's model or checkpoint folder; "
                    + "name the stopped run's --output");
        }
        String name = p.getFileName().toString();
        return name.endsWith(SUFFIX) && name.length() > SUFFIX.length()
                ? p.resolveSibling(name.substring(0, name.length() - SUFFIX.length()))
                : p;
    }

    /** Removes what interrupted writes and deletions left (hidden folders); only with the lock held. */
    public void removeLeftovers() throws IOException {
        try (Stream<Path> s = list()) {
            for (Path p : s.filter(TrainingCheckpoints::isLeftover).toList()) FileUtil.deleteTree(p);
        }
    }

    private static boolean isLeftover(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(TEMP) || name.startsWith(ASIDE);
    }

    /** The first entry that is none of what bert-clf writes into the folder, if any. */
    private Optional<Path> foreignEntry() {
        try (Stream<Path> s = list()) {
            return s.filter(p -> !isLeftover(p)
                            && !NAME.matcher(p.getFileName().toString()).matches()
                            && !ownFiles().contains(p.getFileName().toString()))
                    .findFirst();
        }
    }

    /** The names of bert-clf's own files here: a log only in a folder bert-clf marked, or it could be anyone's. */
    private List<String> ownFiles() {
        return OwnedFolder.isMarked(dir, OWNED_AS)
                ? List.of(LOCK, OwnedFolder.MARKER, LOG)
                : List.of(LOCK, OwnedFolder.MARKER);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Saved> latest() {
        List<Path> all = checkpoints();
        if (all.isEmpty()) return Optional.empty();
        Path newest = all.get(all.size() - 1);
        try {
            State state =
                    GSON.fromJson(BoundedFiles.readString(newest.resolve(STATE), BoundedFiles.SMALL * 64), State.class);
            if (state == null || state.format() != FORMAT || state.run() == null || state.progress() == null) {
                throw new JsonParseException("not a bert-clf checkpoint state of format " + FORMAT);
            }
            if (state.totalSteps() < 1
                    || state.trainExamples() < 1
                    || state.progress().step() < 0
                    || state.progress().step() > state.totalSteps()) {
                throw new JsonParseException(
                        "impossible progress: step " + state.progress().step() + " of " + state.totalSteps() + ", "
                                + state.trainExamples() + " training examples");
            }
            return Optional.of(new Saved(newest, state));
        } catch (IOException | JsonParseException e) {
            throw unreadable(newest, e.getMessage(), e);
        } catch (RuntimeException e) { // Gson passes on what RunSettings' own checks throw (a state edited to epochs 0)
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof InvalidOptionException)) cause = cause.getCause();
            if (!(cause instanceof InvalidOptionException o)) throw e; // not the file's fault
            throw unreadable(newest, "impossible settings: " + o.getMessage().replaceFirst("^--", ""), e);
        }
    }

    private CheckpointException unreadable(Path checkpoint, String why, Exception e) {
        return new CheckpointException(
                "cannot read " + checkpoint.resolve(STATE) + ": " + why + "; delete " + checkpoint
                        + " to resume from the checkpoint before it",
                e);
    }

    /** Writes a checkpoint of {@code weights} and {@code slots} (not closed) and keeps only the newest two. */
    public Saved save(State state, Map<String, TFloat32> weights, Map<String, TFloat32> slots) {
        TrainingProgress p = state.progress();
        Path target = dir.resolve(String.format(
                Locale.ROOT, "step-%09d-e%02d", p.step(), p.history().size()));
        Path temp = dir.resolve(TEMP + target.getFileName() + "-" + UUID.randomUUID());
        Map<String, TFloat32> tensors = new LinkedHashMap<>(weights);
        tensors.putAll(slots);
        try {
            Files.createDirectories(temp);
            CheckpointWriter.write(temp.resolve(PREFIX), tensors);
            FileUtil.writeStringAtomic(temp.resolve(STATE), GSON.toJson(state));
            if (Files.exists(target)) discard(target);
            Files.move(temp, target);
            List<Path> all = checkpoints();
            for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) discard(old);
            return new Saved(target, state);
        } catch (IOException e) {
            throw new CheckpointException("cannot write the checkpoint " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                FileUtil.deleteTree(temp);
            } catch (IOException ignored) {
                // a hidden leftover is removed by the next run's removeLeftovers()
            }
        }
    }

    /** Reads a checkpoint's tensors with the shapes the graph expects; the caller closes them. */
    public Map<String, TFloat32> read(Saved saved, Map<String, Shape> shapes) {
        Map<String, long[]> dims = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> dims.put(name, shape.asArray()));
        return CheckpointReader.readWithShapes(saved.prefix(), dims);
    }

    /** Removes one checkpoint: renamed to a hidden name first, so a crash mid-delete never leaves half of one. */
    public void discard(Saved saved) {
        try {
            discard(saved.folder());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes every checkpoint and then the folder, lock file included; for a run that finished. Only what bert-clf
     * wrote is deleted: anything else keeps the folder in place.
     */
    public void deleteAll() throws IOException {
        for (Path p : checkpoints()) discard(p);
        deleteIfEmpty();
    }

    /**
     * Removes the folder if it holds no checkpoint (only the lock): a run that failed before saving one. The log of a
     * run that began training keeps the folder, its marker and its lock file, for the user to read; a run that never
     * started leaves nothing.
     */
    public void deleteIfEmpty() throws IOException {
        if (!checkpoints().isEmpty()) return;
        removeLeftovers();
        if (started && Files.exists(log(), LinkOption.NOFOLLOW_LINKS)) return; // the folder stays, its lock file too
        Files.deleteIfExists(log());
        Files.deleteIfExists(dir.resolve(OwnedFolder.MARKER));
        // The lock file last, while still held: once it is gone, another run may lock a new one and start writing
        // here, and nothing of its own may then be deleted by name (its train.log, its marker), only the folder, if
        // still empty.
        Files.deleteIfExists(dir.resolve(LOCK));
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // something that is not ours appeared in it: it stays
        }
    }

    private void discard(Path folder) throws IOException {
        Path aside = dir.resolve(ASIDE + folder.getFileName() + "-" + UUID.randomUUID());
        Files.move(folder, aside);
        FileUtil.deleteTree(aside);
    }

    /** Complete checkpoints, oldest first (the names sort by step, then by finished epochs). */
    private List<Path> checkpoints() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = list()) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE))
                            && Files.isRegularFile(CheckpointFiles.index(p.resolve(PREFIX))))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    private Stream<Path> list() {
        try {
            return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
