package dev.bertclf.train;

import dev.bertclf.data.KerasSplit;
import dev.bertclf.data.LabeledText;
import dev.bertclf.data.LabeledTexts;
import dev.bertclf.runtime.DataException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's training and validation examples, as its settings make them: the seeded Keras split of the training
 * data (or a validation file or folder given apart), then the seeded subset of {@code --max-train-examples}. One
 * place, because {@code train} and {@code evaluate --split validation} must draw the very same validation set: a
 * threshold tuned on it is only honest if none of its examples were trained on.
 *
 * @param train the training data as read (its source and class names)
 * @param heldOut the validation data given apart, or null when it is split off {@code train}
 */
public record TrainingData(
        LabeledTexts train, LabeledTexts heldOut, List<LabeledText> training, List<LabeledText> validation) {
    private static final Logger log = LoggerFactory.getLogger(TrainingData.class);

    /** The examples of the run {@code req} describes; {@code console} gets the lines Keras prints about the split. */
    public static TrainingData of(RunSettings req, Consumer<String> console) {
        LabeledTexts train = req.data().load("train");
        LabeledTexts heldOut = req.heldOutValidation(train.classNames());
        KerasSplit.Parts<LabeledText> split = train.split(
                heldOut == null ? req.validationSplit() : 0, req.hp().seed());
        split.messages().forEach(console);
        List<LabeledText> trainSet = split.training(), valSet = split.validation();
        if (heldOut != null) {
            if (!heldOut.classNames().equals(train.classNames())) {
                throw new DataException(heldOut.source() + " has classes " + heldOut.classNames()
                        + "; the training data's are " + train.classNames());
            }
            valSet = heldOut.examples();
            console.accept("Using " + heldOut.size() + " examples of " + heldOut.source() + " for validation.");
        }
        if (req.maxTrainExamples() > 0 && req.maxTrainExamples() < trainSet.size()) {
            // Both lists are already in seeded random order: their heads are seeded random subsets.
            int valSize = Math.min(valSet.size(), Math.max(1, req.maxTrainExamples() / 4));
            trainSet = trainSet.subList(0, req.maxTrainExamples());
            valSet = valSet.subList(0, valSize);
            log.info("Using a seeded subset: {} training and {} validation examples", trainSet.size(), valSet.size());
        }
        return new TrainingData(train, heldOut, trainSet, valSet);
    }

    /** The validation examples as a data set of their own, named for what they are. */
    public LabeledTexts validationSet() {
        String source = heldOut != null ? heldOut.source() : "the validation split of " + train.source();
        return new LabeledTexts(source, "examples", train.classNames(), validation);
    }

    /** E.g. "data/aclImdb/train: 20000 training and 5000 validation examples (a seeded 20% split)". */
    String inWords(double validationSplit) {
        return String.format(
                Locale.ROOT,
                "%s: %d training and %d validation examples%s",
                train.source(),
                training.size(),
                validation.size(),
                heldOut == null
                        ? " (a seeded " + Math.round(100 * validationSplit) + "% split)"
                        : " (validation: " + heldOut.source() + ")");
    }
}
