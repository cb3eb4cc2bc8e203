package dev.bertclf.cli;

import dev.bertclf.data.LabeledTexts;
import dev.bertclf.infer.BinaryMetrics;
import dev.bertclf.infer.Evaluation;
import dev.bertclf.infer.EvaluationPlots;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.MultiClassMetrics;
import dev.bertclf.infer.MultiLabelMetrics;
import dev.bertclf.infer.RocCurve;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.FileErrors;
import dev.bertclf.runtime.FileUtil;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.OwnedFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Loss, accuracy, precision, recall, F1, confusion matrix and ROC AUC of a trained model on "
                    + "aclImdb/test, your own test/ folder or a --test-file.",
            "Also writes confusion_matrix.png and roc_curve.png.",
            "Multi-class models: per-class precision, recall and F1, macro-F1 and an N x N confusion matrix; "
                    + "no ROC curve.",
            "Multi-label models (on a --test-file): per-class precision, recall and F1, micro- and macro-F1, "
                    + "subset accuracy and Hamming loss at the model's threshold (or --threshold); no plots; "
                    + "--errors lists the examples with any class wrong."
        })
final class EvaluateCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    DatasetOptions dataset;

    @Mixin
    TableFileOptions table;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    ScoringOptions scoring;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(
            names = "--test-file",
            paramLabel = "FILE",
            description = "Evaluate on a CSV, TSV or JSON Lines file of "
                    + "texts and labels instead of the data folder's test/ (default: none).")
    Path testFile;

    @Option(
            names = "--max-examples",
            paramLabel = "N",
            defaultValue = "0",
            description = "Evaluate a seeded random subset of this many examples (0: all).")
    int maxExamples;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Texts per inference batch.")
    int batchSize;

    @Option(
            names = "--plots-dir",
            paramLabel = "DIR",
            description = "Folder for confusion_matrix.png and roc_curve.png (default: the model's folder).")
    Path plotsDir;

    @Option(
            names = "--errors",
            paramLabel = "FILE",
            description = "Write the misclassified examples to this CSV, highest loss first: loss, true and predicted "
                    + "label, probability, a text excerpt; for a multi-label model those with any class wrong: loss, "
                    + "true and predicted labels (--label-separator joined), excerpt (default: none; never an "
                    + "existing file).")
    Path errors;

    /** Bins of the expected calibration error, as the calibration literature (Guo et al., 2017) uses. */
    private static final int CALIBRATION_BINS = 10;

    private double ece;
    private Path diagram;

    @Option(names = "--json", description = "Print the metrics as JSON.")
    boolean json;

    private static final long SUBSET_SEED = 42;
    /** The kind of {@link OwnedFolder} a {@code --plots-dir} that bert-clf wrote plots into is. */
    private static final String PLOTS = "plots";

    @Override
    public Integer call() throws IOException {
        if (maxExamples < 0) throw new InvalidOptionException("--max-examples must be 0 or more");
        if (batchSize < 1) throw new InvalidOptionException("--batch-size must be at least 1");
        if (plotsDir != null) {
            OwnedFolder.checkFilesReplaceable(
                    "--plots-dir",
                    plotsDir,
                    List.of(
                            EvaluationPlots.CONFUSION_MATRIX,
                            EvaluationPlots.ROC_CURVE,
                            EvaluationPlots.RELIABILITY_DIAGRAM),
                    PLOTS,
                    SavedModelExporter.OWNED_AS);
        }
        if (errors != null && Files.exists(errors)) {
            throw new InvalidOptionException(
                    "--errors " + errors + " exists: bert-clf never overwrites a file; " + "name a new one");
        }
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        // read as TextClassifier.load reads it, so a missing or damaged model is reported as it would be there
        if (Files.isRegularFile(dir.resolve("saved_model.pb"))
                && ModelMetadata.read(dir).isMultiLabel()) {
            return evaluateMultiLabel(dir, ModelMetadata.read(dir), gpu);
        }
        LabeledTexts test = dataset.source(table.of(testFile)).load("test");
        Evaluation e;
        try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
            e = Evaluation.of(clf, test, maxExamples, batchSize, SUBSET_SEED);
        }
        List<String> c = e.classNames();
        Evaluation.Calibration calibration = e.calibration(CALIBRATION_BINS);
        ece = calibration.expectedError();
        Path plotDir = plotsDir != null ? plotsDir : dir;
        diagram = plotDir.resolve(EvaluationPlots.RELIABILITY_DIAGRAM);
        EvaluationPlots.writeReliabilityDiagram(calibration, diagram);
        if (c.size() == 2) {
            reportBinary(
                    BinaryMetrics.of(e.logits(), e.labels()), RocCurve.of(e.logits(), e.labels()), c, dir, plotDir);
        } else {
            reportMultiClass(MultiClassMetrics.of(e.logits(), e.labels(), c.size()), c, dir, plotDir);
        }
        if (plotsDir != null && !OwnedFolder.isMarked(plotsDir, SavedModelExporter.OWNED_AS)) {
            OwnedFolder.mark(plotsDir, PLOTS); // the next evaluate may replace its plots
        }
        if (!json) {
            System.out.printf(Locale.ROOT, "Expected calibration error: %.4f (%d bins)%n", ece, CALIBRATION_BINS);
            System.out.println("Reliability diagram: " + ConsoleText.escape(diagram.toString()));
        }
        if (errors != null) writeErrors(e);
        return 0;
    }

    /** A multi-label model on a {@code --test-file} read with the model's classes: its metrics, no plots. */
    private int evaluateMultiLabel(Path dir, ModelMetadata meta, boolean gpu) throws IOException {
        if (testFile == null) {
            throw new InvalidOptionException(dir + " is a multi-label model: evaluate it on a --test-file (CSV, TSV or "
                    + "JSON Lines); a folder of class folders gives each text one class");
        }
        List<String> c = meta.classNames();
        LabeledTexts test = table.of(testFile).multiLabel(table.labelSeparator).read(c);
        Evaluation e;
        double decisionThreshold;
        try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
            e = Evaluation.of(clf, test, maxExamples, batchSize, SUBSET_SEED);
            decisionThreshold = clf.threshold();
        }
        MultiLabelMetrics m = MultiLabelMetrics.of(e.logits(), e.multiHot(), c.size(), decisionThreshold);
        if (errors != null) writeLabelSetErrors(e, decisionThreshold);
        if (json) {
            Map<String, Object> out = m.toMap(c);
            out.put("model_dir", dir.toString());
            System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(out)));
            return 0;
        }
        System.out.printf(
                Locale.ROOT,
                "Loss: %.4f%nSubset accuracy: %.4f%nHamming loss: %.4f%n",
                m.loss(),
                m.subsetAccuracy(),
                m.hammingLoss());
        System.out.printf(Locale.ROOT, "%10s %9s %9s %9s %9s%n", "", "Precision", "Recall", "F1", "Support");
        for (int k = 0; k < c.size(); k++) {
            System.out.printf(
                    Locale.ROOT,
                    "%10s %9.4f %9.4f %9.4f %9d%n",
                    ConsoleText.escape(c.get(k)),
                    m.precision()[k],
                    m.recall()[k],
                    m.f1()[k],
                    m.support()[k]);
        }
        System.out.printf(
                Locale.ROOT,
                "Micro-F1: %.4f%nMacro-F1: %.4f%nThreshold: %s (a class is predicted above it)%n",
                m.microF1(),
                m.macroF1(),
                m.threshold());
        return 0;
    }

    /** The misclassified examples, highest loss first, as CSV: what to read first when a model disappoints. */
    private void writeErrors(Evaluation e) throws IOException {
        List<List<String>> rows = e.outcomes().stream()
                .filter(Evaluation.Outcome::wrong)
                .sorted(Comparator.comparingDouble(Evaluation.Outcome::loss).reversed())
                .map(o -> List.of(
                        decimal(o.loss()),
                        e.classNames().get(o.label()),
                        e.classNames().get(o.predicted()),
                        decimal(o.probability()),
                        e.excerpts().get(o.index())))
                .toList();
        writeErrors(List.of("loss", "true_label", "predicted_label", "probability", "text"), rows, e.labels().length);
    }

    /**
     * A multi-label model's examples with any class decided wrong, highest loss first: their classes and the
     * predicted ones, each joined with the --label-separator as the test file writes them.
     */
    private void writeLabelSetErrors(Evaluation e, double threshold) throws IOException {
        List<Evaluation.LabelSetOutcome> outcomes = e.labelSetOutcomes(threshold);
        List<List<String>> rows = outcomes.stream()
                .filter(Evaluation.LabelSetOutcome::wrong)
                .sorted(Comparator.comparingDouble(Evaluation.LabelSetOutcome::loss)
                        .reversed())
                .map(o -> List.of(
                        decimal(o.loss()),
                        names(o.labels(), e.classNames()),
                        names(o.predicted(), e.classNames()),
                        e.excerpts().get(o.index())))
                .toList();
        writeErrors(List.of("loss", "true_labels", "predicted_labels", "text"), rows, outcomes.size());
    }

    private String names(List<Integer> classes, List<String> classNames) {
        return String.join(
                table.labelSeparator, classes.stream().map(classNames::get).toList());
    }

    private static String decimal(double x) {
        return String.format(Locale.ROOT, "%.6f", x);
    }

    /** {@code rows} under {@code header} into the --errors file, atomically, and how many there were. */
    private void writeErrors(List<String> header, List<List<String>> rows, int examples) throws IOException {
        FileUtil.writeAtomic(errors, tmp -> {
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
        System.err.println(ConsoleText.escape(String.format(
                Locale.ROOT,
                "%d of %d examples misclassified, highest loss first in %s",
                rows.size(),
                examples,
                errors)));
    }

    private void reportBinary(BinaryMetrics m, RocCurve roc, List<String> c, Path dir, Path plotDir)
            throws IOException {
        List<Path> plots = writePlots(m, roc, c, plotDir);
        if (json) {
            printJson(m.toMap(), dir, plots);
        } else {
            System.out.printf(
                    Locale.ROOT, "Loss: %.4f%nAccuracy: %.4f%nROC AUC: %.4f%n", m.loss(), m.accuracy(), m.rocAuc());
            System.out.printf(
                    Locale.ROOT,
                    "Precision: %.4f  Recall: %.4f  F1: %.4f  (positive class: %s)%n",
                    m.precision(),
                    m.recall(),
                    m.f1(),
                    ConsoleText.escape(c.get(1)));
            printConfusionMatrix(m.confusionMatrix(), c);
            System.out.println("Plots: "
                    + String.join(", ", plots.stream().map(Path::toString).toList()));
        }
    }

    private void reportMultiClass(MultiClassMetrics m, List<String> c, Path dir, Path plotDir) throws IOException {
        Path matrix = plotDir.resolve(EvaluationPlots.CONFUSION_MATRIX);
        try {
            EvaluationPlots.writeConfusionMatrix(m.confusion(), c, matrix);
        } catch (IOException e) {
            throw new IOException("cannot write the plots into " + plotDir + ": " + FileErrors.describe(e), e);
        }
        if (json) {
            printJson(m.toMap(c), dir, List.of(matrix));
        } else {
            System.out.printf(
                    Locale.ROOT, "Loss: %.4f%nAccuracy: %.4f%nROC AUC: binary models only%n", m.loss(), m.accuracy());
            System.out.printf(Locale.ROOT, "%10s %9s %9s %9s%n", "", "Precision", "Recall", "F1");
            for (int k = 0; k < c.size(); k++) {
                System.out.printf(
                        Locale.ROOT,
                        "%10s %9.4f %9.4f %9.4f%n",
                        ConsoleText.escape(c.get(k)),
                        m.precision()[k],
                        m.recall()[k],
                        m.f1()[k]);
            }
            System.out.printf(Locale.ROOT, "Macro-F1: %.4f%n", m.macroF1());
            printConfusionMatrix(m.confusion(), c);
            System.out.println("Plots: " + matrix);
        }
    }

    private void printJson(Map<String, Object> out, Path dir, List<Path> plots) {
        out.put("expected_calibration_error", ece);
        out.put("reliability_diagram", diagram.toString());
        out.put("model_dir", dir.toString());
        out.put("plots", plots.stream().map(Path::toString).toList());
        System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(out)));
    }

    /** {@code counts[true][predicted]} as a table, one row per true class; names may come from a data file. */
    private static void printConfusionMatrix(long[][] counts, List<String> names) {
        List<String> c = names.stream().map(ConsoleText::escape).toList();
        System.out.printf(Locale.ROOT, "Confusion matrix (rows: true, columns: predicted):%n");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%10s", ""));
        for (String name : c) header.append(String.format(Locale.ROOT, " %8s", name));
        System.out.println(header);
        for (int t = 0; t < c.size(); t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%10s", c.get(t)));
            for (long n : counts[t]) row.append(String.format(Locale.ROOT, " %8d", n));
            System.out.println(row);
        }
    }

    /** The confusion matrix, and the ROC curve when both classes are present (else it is undefined). */
    private static List<Path> writePlots(BinaryMetrics m, RocCurve roc, List<String> classNames, Path dir)
            throws IOException {
        List<Path> written = new ArrayList<>();
        try {
            writePlots(m, roc, classNames, dir, written);
        } catch (IOException e) {
            throw new IOException("cannot write the plots into " + dir + ": " + FileErrors.describe(e), e);
        }
        return written;
    }

    private static void writePlots(BinaryMetrics m, RocCurve roc, List<String> classNames, Path dir, List<Path> written)
            throws IOException {
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
}
