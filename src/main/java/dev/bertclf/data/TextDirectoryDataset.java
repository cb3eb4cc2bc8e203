package dev.bertclf.data;

import dev.bertclf.runtime.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of text files with one sub-folder per class, indexed exactly like Keras'
 * {@code tf.keras.utils.text_dataset_from_directory}, so that a seed and a validation split pick the very same
 * training and validation files as the TensorFlow tutorial does.
 *
 * <p>Keras' rules, reproduced here: classes are the sorted names of the non-hidden sub-folders (label = position);
 * each class folder is walked recursively, folders in sorted path order and, inside each, {@code .txt} files
 * (extension case-insensitive) in sorted name order; classes are concatenated in label order. With shuffling, the
 * list is permuted by {@code np.random.RandomState(seed).shuffle} (Keras shuffles paths and labels with two fresh
 * generators of the same seed, which is one and the same permutation). The last {@code int(split * n)} files are
 * the validation set, the rest the training set. Strings sort by Unicode code point, as Python does.
 *
 * <p>Two departures from Keras, each named in a warning: only regular files are examples (a FIFO or device named
 * {@code *.txt} would block the run forever), and a folder that is this tool's own output, a model (it has
 * {@code saved_model.pb} or {@code metadata.json}) or a run's {@code *.checkpoints}, is never a class, so an
 * {@code --output} inside the data folder is not trained on by the next run.
 */
public final class TextDirectoryDataset {
    private static final Logger log = LoggerFactory.getLogger(TextDirectoryDataset.class);
    private static final Comparator<String> CODE_POINT_ORDER = TextDirectoryDataset::compareCodePoints;
    /** What marks a folder as a model or a run's checkpoints (train.TrainingCheckpoints.SUFFIX), not a class. */
    private static final List<String> MODEL_FILES = List.of("saved_model.pb", "metadata.json");

    private static final String CHECKPOINTS_SUFFIX = ".checkpoints";
    private static final int NAMES_SHOWN = 5;

    /** One text file and the index of its class in {@link #classNames()}. */
    public record Example(Path file, int label) {}

    /** Which part of the split a caller wants; Keras prints a line for each part it hands out. */
    public enum Subset {
        TRAINING,
        VALIDATION,
        BOTH
    }

    /**
     * The outcome of {@link #split}: the parts that were asked for (the other one empty) and the lines Keras would
     * have printed, for the CLI to show.
     */
    public record Split(List<Example> training, List<Example> validation, List<String> messages) {}

    private final Path directory;
    private final List<String> classNames;
    private final List<Example> examples;

    private TextDirectoryDataset(Path directory, List<String> classNames, List<Example> examples) {
        this.directory = directory;
        this.classNames = List.copyOf(classNames);
        this.examples = List.copyOf(examples);
    }

    /**
     * Indexes {@code directory}. A single class is accepted (Keras accepts it too); callers that need at least two
     * check {@link #classNames()}.
     *
     * @throws DataException if the folder is missing, has no class folders, or a class folder has no .txt file
     */
    public static TextDirectoryDataset scan(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new DataException("Dataset folder " + directory + " does not exist or is not a folder.");
        }
        List<String> classNames = classFolders(directory);
        if (classNames.isEmpty()) {
            throw new DataException("Dataset folder " + directory + " has no class sub-folders; expected one folder "
                    + "per class holding .txt files (e.g. neg/ and pos/).");
        }
        List<Example> examples = new ArrayList<>();
        for (int label = 0; label < classNames.size(); label++) {
            Path classDir = directory.resolve(classNames.get(label));
            List<Path> files = textFiles(classDir);
            if (files.isEmpty()) {
                throw new DataException(
                        "Class folder " + classDir + " contains no .txt files; remove it or add " + "examples.");
            }
            for (Path f : files) examples.add(new Example(f, label));
        }
        return new TextDirectoryDataset(directory, classNames, examples);
    }

    /**
     * The class folders' names, sorted as Keras sorts them. Files beside the class folders are not examples (Keras
     * skips them too); they are named in a warning rather than dropped silently. One listing serves both.
     */
    private static List<String> classFolders(Path directory) {
        List<Path> entries;
        try (Stream<Path> s = Files.list(directory)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new DataException("Cannot list dataset folder " + directory + ": " + e.getMessage(), e);
        }
        List<String> stray = entries.stream()
                .filter(p -> !Files.isDirectory(p))
                .map(p -> p.getFileName().toString())
                .sorted()
                .toList();
        if (!stray.isEmpty()) {
            log.warn(
                    "Ignoring {} file(s) beside the class folders of {} (only files inside a class folder are "
                            + "examples): {}",
                    stray.size(),
                    directory,
                    shown(stray));
        }
        List<String> output = entries.stream()
                .filter(Files::isDirectory)
                .filter(TextDirectoryDataset::isOutput)
                .map(p -> p.getFileName().toString())
                .sorted()
                .toList();
        if (!output.isEmpty()) {
            log.warn(
                    "Ignoring {} folder(s) of {} that are models or checkpoints, not classes: {}",
                    output.size(),
                    directory,
                    shown(output));
        }
        return entries.stream()
                .filter(Files::isDirectory)
                .filter(p -> !isOutput(p))
                .map(p -> p.getFileName().toString())
                .sorted(CODE_POINT_ORDER)
                .toList();
    }

    /** A model or checkpoint folder this tool wrote, perhaps with {@code --output} inside the data folder. */
    private static boolean isOutput(Path folder) {
        return folder.getFileName().toString().endsWith(CHECKPOINTS_SUFFIX)
                || MODEL_FILES.stream().anyMatch(f -> Files.exists(folder.resolve(f)));
    }

    private static Object shown(List<String> names) {
        return names.size() > NAMES_SHOWN ? names.subList(0, NAMES_SHOWN) + " ..." : names;
    }

    /** Keras' {@code iter_valid_files}: folders by sorted path, then file names sorted within each folder. */
    private static List<Path> textFiles(Path classDir) {
        List<Path> folders;
        try (Stream<Path> s = Files.walk(classDir)) {
            folders = s.filter(Files::isDirectory).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("Cannot read class folder " + classDir + ": " + e.getMessage(), e);
        }
        List<Path> sortedFolders = new ArrayList<>(folders);
        sortedFolders.sort(Comparator.comparing(f -> slashPath(classDir.relativize(f)), CODE_POINT_ORDER));
        List<Path> files = new ArrayList<>();
        List<String> special = new ArrayList<>();
        for (Path folder : sortedFolders) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> !Files.isDirectory(p))
                        .filter(p -> p.getFileName()
                                .toString()
                                .toLowerCase(Locale.ROOT)
                                .endsWith(".txt"))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString(), CODE_POINT_ORDER))
                        .forEach(p -> {
                            if (Files.isRegularFile(p)) files.add(p);
                            else special.add(slashPath(classDir.relativize(p)));
                        });
            } catch (IOException e) {
                throw new DataException("Cannot list folder " + folder + ": " + e.getMessage(), e);
            }
        }
        if (!special.isEmpty()) {
            log.warn(
                    "Ignoring {} entries of {} that are not regular files (FIFOs, devices, sockets or broken links; "
                            + "only regular files are read): {}",
                    special.size(),
                    classDir,
                    shown(special));
        }
        return files;
    }

    private static String slashPath(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    public Path directory() {
        return directory;
    }

    /** Class names in label order. */
    public List<String> classNames() {
        return classNames;
    }

    /** All files in Keras' unshuffled order. */
    public List<Example> examples() {
        return examples;
    }

    /** All files in the order Keras gives with {@code shuffle=True, seed=seed}. */
    public List<Example> shuffled(long seed) {
        return KerasSplit.shuffled(examples, seed);
    }

    /**
     * Shuffles with {@code seed} and splits like Keras with {@code validation_split} and {@code subset} (see
     * {@link KerasSplit#split}); a split of 0 means no validation set (all files are for training).
     *
     * @throws DataException for a split outside [0, 1) or one that leaves either part empty
     */
    public Split split(Subset subset, double validationSplit, long seed) {
        KerasSplit.Parts<Example> p =
                KerasSplit.split(examples, "files", classNames.size(), subset, validationSplit, seed);
        return new Split(p.training(), p.validation(), p.messages());
    }

    /** The files as the source-neutral examples that training and evaluation read. */
    public LabeledTexts labeledTexts() {
        return new LabeledTexts(
                directory.toString(),
                "files",
                classNames,
                examples.stream()
                        .map(e -> LabeledText.ofFile(e.file(), e.label()))
                        .toList());
    }
}
