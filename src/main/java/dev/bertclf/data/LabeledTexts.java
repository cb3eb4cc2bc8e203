package dev.bertclf.data;

import dev.bertclf.data.TextDirectoryDataset.Subset;
import dev.bertclf.runtime.DataException;
import java.util.List;

/**
 * Labelled examples and their class names, the one shape training and evaluation read, so that neither cares
 * whether the texts came from a folder per class or from a CSV, TSV or JSON Lines file. Class names are in label
 * order, sorted by code point as Keras sorts class folders.
 */
public final class LabeledTexts {
    private final String source;
    private final String noun;
    private final List<String> classNames;
    private final List<LabeledText> examples;

    /**
     * @param source what to name in messages (a folder or a file)
     * @param noun what an example is called in Keras' messages: "files" or "rows"
     */
    public LabeledTexts(String source, String noun, List<String> classNames, List<LabeledText> examples) {
        this.source = source;
        this.noun = noun;
        this.classNames = List.copyOf(classNames);
        this.examples = List.copyOf(examples);
    }

    public String source() {
        return source;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Whether each example has a set of classes ({@link LabeledText#labels}) rather than one. */
    public boolean multiLabel() {
        return !examples.isEmpty() && examples.get(0).labels() != null;
    }

    /** In the source's own order: Keras' file order for folders, row order for tables. */
    public List<LabeledText> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    /** The examples in Keras' seeded order (see {@link KerasSplit#shuffled}). */
    public List<LabeledText> shuffled(long seed) {
        return KerasSplit.shuffled(examples, seed);
    }

    /** Keras' seeded training/validation split of all examples (see {@link KerasSplit#split}). */
    public KerasSplit.Parts<LabeledText> split(double validationSplit, long seed) {
        return KerasSplit.split(examples, noun, classNames.size(), Subset.BOTH, validationSplit, seed);
    }

    /**
     * Refuses what no classifier can learn: a single class.
     *
     * @return this
     */
    public LabeledTexts requireClasses() {
        if (classNames.size() < 2) {
            throw new DataException(
                    source + " has only one class " + classNames + "; a classifier needs examples of at least two");
        }
        return this;
    }
}
