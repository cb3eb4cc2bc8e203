package dev.bertclf.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one rule for folders bert-clf replaces: only a folder bert-clf made, which a marker file it writes says, is
 * ever replaced or emptied; anything else, however much it looks like a model, is the user's. Guessing from file
 * names (a {@code metadata.json} could be anyone's) once replaced a user's folder, so the marker is checked and
 * nothing else.
 *
 * <p>{@link #checkReplaceable} runs before any work: an output that is a file, the root, a folder the user owns or
 * one whose replacement would take the input model, the data, the working directory or the user's home with it (or
 * a parent of any of them) is refused naming the folder and what to do.
 */
public final class OwnedFolder {
    /** The marker file, named for what made the folder; it holds the marker's format version. */
    public static final String MARKER = ".bert-clf";

    private static final int FORMAT = 1;
    private static final Pattern CONTENT = Pattern.compile("\\s*bert-clf (\\w+) folder, format (\\d+)\\s*");

    private OwnedFolder() {}

    /** Marks {@code dir} as a folder of {@code kind} ("model", "checkpoints") that bert-clf made and may replace. */
    public static void mark(Path dir, String kind) throws IOException {
        FileUtil.writeStringAtomic(dir.resolve(MARKER), "bert-clf " + kind + " folder, format " + FORMAT + "\n");
    }

    /** Whether bert-clf made {@code dir} as a folder of {@code kind}: a regular marker file of a known format. */
    public static boolean isMarked(Path dir, String kind) {
        Path marker = dir.resolve(MARKER);
        try {
            if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS) || Files.size(marker) > 200) return false;
            Matcher m = CONTENT.matcher(Files.readString(marker));
            return m.matches() && m.group(1).equals(kind) && Integer.parseInt(m.group(2)) <= FORMAT;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code dir} is missing or an empty folder: nothing of anyone's is lost by writing it. */
    public static boolean isAbsentOrEmpty(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return true;
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Refuses an {@code option} value ({@code --output DIR}) that bert-clf must not replace with a folder of
     * {@code kind}: see the class comment. {@code inputs} names the folders and files the run reads ("the data
     * folder" to its path; null paths are skipped); the working directory, the home folder and bert-clf's own
     * home are always among them.
     *
     * @throws InvalidOptionException naming the folder, why, and what to do instead
     */
    public static void checkReplaceable(String option, Path dir, String kind, Map<String, Path> inputs) {
        Path target = dir.toAbsolutePath().normalize();
        if (target.getFileName() == null) {
            throw new InvalidOptionException(option + " " + dir + " is the root folder: bert-clf never replaces it; "
                    + "name a new folder (for example " + option + " ./model)");
        }
        Path real = real(target);
        Map<String, Path> all = new java.util.LinkedHashMap<>(inputs);
        all.put("the working directory", Path.of(""));
        all.put("your home folder", Path.of(System.getProperty("user.home")));
        all.put("bert-clf's home (BERT_CLF_HOME)", BertClfHome.location());
        for (var input : all.entrySet()) {
            if (input.getValue() == null) continue;
            Path p = real(input.getValue().toAbsolutePath().normalize());
            if (p.startsWith(real)) {
                throw new InvalidOptionException(option + " " + dir + (p.equals(real) ? " is " : " holds ")
                        + input.getKey() + " (" + input.getValue() + "): replacing it would delete "
                        + (p.equals(real) ? "it" : "that") + "; name a new folder for the output");
            }
        }
        if (Files.isSymbolicLink(target)) { // found only when the first epoch's model was renamed into place, once
            throw new InvalidOptionException(option + " " + dir + " is a symbolic link: bert-clf writes a new folder "
                    + "and renames it into place, which would replace the link, not what it points to; name that "
                    + "folder (" + real(target) + ") or a new one");
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new InvalidOptionException(option + " " + dir + " is a file, not a folder: name a new folder");
        }
        if (!isAbsentOrEmpty(target) && !isMarked(target, kind)) {
            throw new InvalidOptionException(option + " " + dir + " holds files that bert-clf did not write (no "
                    + MARKER + " marker of a " + kind + " folder): bert-clf replaces only folders it made; name a "
                    + "new or empty folder, or move those files away");
        }
    }

    /**
     * Refuses to write {@code files} into {@code dir}, an {@code option}'s folder, over files of the same names
     * unless bert-clf made the folder (marked as one of {@code kinds}): the names are common ones, and the files
     * that have them may be the user's.
     *
     * @throws InvalidOptionException naming the first such file and what to do instead
     */
    public static void checkFilesReplaceable(String option, Path dir, List<String> files, String... kinds) {
        for (String kind : kinds) {
            if (isMarked(dir, kind)) return;
        }
        for (String f : files) {
            if (Files.exists(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidOptionException(option + " " + dir + " already holds " + f + ", which bert-clf did "
                        + "not write (no " + MARKER + " marker): name a new or empty folder, or move the file away");
            }
        }
    }

    /** The path with its existing part's symbolic links resolved, so that a link cannot hide what it names. */
    static Path real(Path absolute) {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return absolute;
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException e) {
            return absolute;
        }
    }
}
