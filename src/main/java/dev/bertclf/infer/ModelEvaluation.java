package dev.bertclf.infer;

import dev.bertclf.data.LabeledTexts;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.OwnedFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code evaluate} does below the command line: the model run over a test set ({@link Evaluation}), the
 * metrics its kind of model has, the plots and the reliability diagram, the {@code --errors} file. The command checks
 * its options, loads the data and the model, and prints what comes back; any other front end (a test, a notebook on
 * the JVM) gets the same evaluation from here.
 */
public final class ModelEvaluation {
    private static final Logger log = LoggerFactory.getLogger(ModelEvaluation.class);

    /** Bins of the expected calibration error, as the calibration literature (Guo et al., 2017) uses. */
    public static final int CALIBRATION_BINS = 10;
    /** The seed of a {@code --max-examples} subset. */
    static final long SUBSET_SEED = 42;
    /** The kind of {@link OwnedFolder} a plots folder that bert-clf wrote plots into is. */
    public static final String PLOTS = "plots";

    private ModelEvaluation() {}

    /**
     * @param modelDir       the model's folder, where the plots go unless {@code plotsDir} is given
     * @param plotsDir       another folder for the plots, or null
     * @param errorsFile     a new CSV for the examples decided wrong, or null
     * @param labelSeparator what joins a multi-label example's classes in the errors file
     * @param findThreshold the metric a binary model's best threshold is searched for by, or null: no search
     */
    public record Settings(
            Path modelDir,
            int maxExamples,
            int batchSize,
            Path plotsDir,
            Path errorsFile,
            String labelSeparator,
            ThresholdSearch.Metric findThreshold) {
        Path plotDir() {
            return plotsDir != null ? plotsDir : modelDir;
        }
    }

    /** The errors file written: how many examples it lists, of how many evaluated. */
    public record Errors(Path file, int listed, int examples) {}

    /**
     * A binary or multi-class model's evaluation: {@code binary} for two classes (at the classifier's threshold),
     * else {@code multiClass}; the plots written (confusion matrix, and the ROC curve where both classes occur);
     * {@code errors} null unless asked; {@code search} null unless a threshold search was asked.
     */
    public record SingleLabel(
            List<String> classNames,
            BinaryMetrics binary,
            MultiClassMetrics multiClass,
            double calibrationError,
            Path reliabilityDiagram,
            List<Path> plots,
            Errors errors,
            Search search) {}

    /**
     * A threshold search's outcome: the best threshold, and the metrics of the decision there and at 0.5 (the
     * default, for comparison; the evaluation's own metrics are at the threshold in effect).
     */
    public record Search(ThresholdSearch.Result best, BinaryMetrics atBest, BinaryMetrics atDefault) {}

    /** A multi-label model's evaluation at its decision threshold; no plots. */
    public record MultiLabel(List<String> classNames, MultiLabelMetrics metrics, Errors errors) {}

    /** Evaluates a binary or multi-class model and writes its plots (and errors file, if asked). */
    public static SingleLabel singleLabel(TextClassifier clf, LabeledTexts test, Settings s) throws IOException {
        Evaluation e = Evaluation.of(clf, test, s.maxExamples(), s.batchSize(), SUBSET_SEED);
        List<String> c = e.classNames();
        // searched first: examples of one class are refused before anything is written
        Search search = s.findThreshold() == null || c.size() != 2 ? null : search(e, s.findThreshold());
        Evaluation.Calibration calibration = e.calibration(CALIBRATION_BINS);
        Path diagram = s.plotDir().resolve(EvaluationPlots.RELIABILITY_DIAGRAM);
        List<Path> plots = new ArrayList<>();
        BinaryMetrics binary = null;
        MultiClassMetrics multiClass = null;
        try {
            EvaluationPlots.writeReliabilityDiagram(calibration, diagram);
            if (c.size() == 2) {
                binary = BinaryMetrics.of(e.logits(), e.labels(), clf.threshold());
                writeBinaryPlots(binary, RocCurve.of(e.logits(), e.labels()), c, s.plotDir(), plots);
            } else {
                multiClass = MultiClassMetrics.of(e.logits(), e.labels(), c.size());
                Path matrix = s.plotDir().resolve(EvaluationPlots.CONFUSION_MATRIX);
                EvaluationPlots.writeConfusionMatrix(multiClass.confusion(), c, matrix);
                plots.add(matrix);
            }
        } catch (IOException ex) {
            throw new IOException("cannot write the plots into " + s.plotDir() + ": " + FileErrors.describe(ex), ex);
        }
        if (s.plotsDir() != null && !OwnedFolder.isMarked(s.plotsDir(), SavedModelExporter.OWNED_AS)) {
            OwnedFolder.mark(s.plotsDir(), PLOTS); // the next evaluate may replace its plots
        }
        double threshold = c.size() == 2 ? clf.threshold() : ModelMetadata.DEFAULT_THRESHOLD;
        Errors errors = s.errorsFile() == null ? null : writeErrors(e, threshold, s.errorsFile());
        return new SingleLabel(
                c, binary, multiClass, calibration.expectedError(), diagram, List.copyOf(plots), errors, search);
    }

    /** The best threshold for {@code metric} on the evaluated examples, with the metrics there and at 0.5. */
    static Search search(Evaluation e, ThresholdSearch.Metric metric) {
        ThresholdSearch.Result best = ThresholdSearch.find(e.logits(), e.labels(), metric);
        return new Search(
                best,
                BinaryMetrics.of(e.logits(), e.labels(), best.threshold()),
                BinaryMetrics.of(e.logits(), e.labels(), ModelMetadata.DEFAULT_THRESHOLD));
    }

    /** Evaluates a multi-label model at its decision threshold (and writes its errors file, if asked). */
    public static MultiLabel multiLabel(TextClassifier clf, LabeledTexts test, Settings s) throws IOException {
        Evaluation e = Evaluation.of(clf, test, s.maxExamples(), s.batchSize(), SUBSET_SEED);
        double threshold = clf.threshold();
        MultiLabelMetrics m =
                MultiLabelMetrics.of(e.logits(), e.multiHot(), e.classNames().size(), threshold);
        Errors errors =
                s.errorsFile() == null ? null : writeLabelSetErrors(e, threshold, s.labelSeparator(), s.errorsFile());
        return new MultiLabel(e.classNames(), m, errors);
    }

    /** The confusion matrix, and the ROC curve when both classes are present (else it is undefined). */
    private static void writeBinaryPlots(
            BinaryMetrics m, RocCurve roc, List<String> classNames, Path dir, List<Path> written) throws IOException {
        Path matrix = dir.resolve(EvaluationPlots.CONFUSION_MATRIX);
        EvaluationPlots.writeConfusionMatrix(m, classNames, matrix);
        written.add(matrix);
        if (Double.isNaN(roc.auc())) {
            log.warn("The examples hold only one class: no ROC curve");
        } else {
            Path curve = dir.resolve(EvaluationPlots.ROC_CURVE);
            EvaluationPlots.writeRocCurve(roc, curve);
            written.add(curve);
        }
    }

    /**
     * The misclassified examples (a binary model's at {@code threshold}), highest loss first, as CSV: what to read
     * first when a model disappoints.
     */
    private static Errors writeErrors(Evaluation e, double threshold, Path file) throws IOException {
        List<List<String>> rows = e.outcomes(threshold).stream()
                .filter(Evaluation.Outcome::wrong)
                .sorted(Comparator.comparingDouble(Evaluation.Outcome::loss).reversed())
                .map(o -> List.of(
                        decimal(o.loss()),
                        e.classNames().get(o.label()),
                        e.classNames().get(o.predicted()),
                        decimal(o.probability()),
                        e.excerpts().get(o.index())))
                .toList();
        List<String> header = List.of("loss", "true_label", "predicted_label", "probability", "text");
        return writeCsv(file, header, rows, e.labels().length);
    }

    /**
     * A multi-label model's examples with any class decided wrong, highest loss first: their classes and the
     * predicted ones, each joined with {@code separator} as the test file writes them.
     */
    private static Errors writeLabelSetErrors(Evaluation e, double threshold, String separator, Path file)
            throws IOException {
        List<Evaluation.LabelSetOutcome> outcomes = e.labelSetOutcomes(threshold);
        List<List<String>> rows = outcomes.stream()
                .filter(Evaluation.LabelSetOutcome::wrong)
                .sorted(Comparator.comparingDouble(Evaluation.LabelSetOutcome::loss)
                        .reversed())
                .map(o -> List.of(
                        decimal(o.loss()),
                        names(o.labels(), e.classNames(), separator),
                        names(o.predicted(), e.classNames(), separator),
                        e.excerpts().get(o.index())))
                .toList();
        return writeCsv(file, List.of("loss", "true_labels", "predicted_labels", "text"), rows, outcomes.size());
    }

    private static String names(List<Integer> classes, List<String> classNames, String separator) {
        return String.join(separator, classes.stream().map(classNames::get).toList());
    }

    private static String decimal(double x) {
        return String.format(Locale.ROOT, "%.6f", x);
    }

    /** {@code rows} under {@code header} into {@code file}, atomically. */
    private static Errors writeCsv(Path file, List<String> header, List<List<String>> rows, int examples)
            throws IOException {
        FileUtil.writeAtomic(file, tmp -> {
            try (CSVPrinter csv = new CSVPrinter(
                    Files.newBufferedWriter(tmp),
                    CSVFormat.RFC4180
                            .builder()
                            .setHeader(header.toArray(String[]::new))
                            .setRecordSeparator('\n')
                            .get())) {
                for (List<String> row : rows) csv.printRecord(row);
            }
        });
        return new Errors(file, rows.size(), examples);
    }
}
