package dev.bertclf.cli;

import dev.bertclf.data.LabeledTexts;
import dev.bertclf.infer.BinaryMetrics;
import dev.bertclf.infer.EvaluationPlots;
import dev.bertclf.infer.ModelEvaluation;
import dev.bertclf.infer.ModelMetadata;
import dev.bertclf.infer.MultiClassMetrics;
import dev.bertclf.infer.MultiLabelMetrics;
import dev.bertclf.infer.SavedModelExporter;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.OwnedFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Option(names = "--json", description = "Print the metrics as JSON.")
    boolean json;

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
                    ModelEvaluation.PLOTS,
                    SavedModelExporter.OWNED_AS);
        }
        if (errors != null && Files.exists(errors)) {
            throw new InvalidOptionException(
                    "--errors " + errors + " exists: bert-clf never overwrites a file; " + "name a new one");
        }
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        var settings =
                new ModelEvaluation.Settings(dir, maxExamples, batchSize, plotsDir, errors, table.labelSeparator);
        // read as TextClassifier.load reads it, so a missing or damaged model is reported as it would be there
        ModelMetadata meta = Files.isRegularFile(dir.resolve("saved_model.pb")) ? ModelMetadata.read(dir) : null;
        if (meta != null && meta.isMultiLabel()) {
            if (testFile == null) {
                throw new InvalidOptionException(dir + " is a multi-label model: evaluate it on a --test-file (CSV, "
                        + "TSV or JSON Lines); a folder of class folders gives each text one class");
            }
            LabeledTexts test =
                    table.of(testFile).multiLabel(table.labelSeparator).read(meta.classNames());
            try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
                printMultiLabel(ModelEvaluation.multiLabel(clf, test, settings), dir);
            }
            return 0;
        }
        LabeledTexts test = dataset.source(table.of(testFile)).load("test");
        ModelEvaluation.SingleLabel r;
        try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
            r = ModelEvaluation.singleLabel(clf, test, settings);
        }
        if (r.binary() != null) printBinary(r, dir);
        else printMultiClass(r, dir);
        if (!json) {
            System.out.printf(
                    Locale.ROOT,
                    "Expected calibration error: %.4f (%d bins)%n",
                    r.calibrationError(),
                    ModelEvaluation.CALIBRATION_BINS);
            System.out.println("Reliability diagram: "
                    + ConsoleText.escape(r.reliabilityDiagram().toString()));
        }
        printErrors(r.errors());
        return 0;
    }

    private void printMultiLabel(ModelEvaluation.MultiLabel r, Path dir) {
        MultiLabelMetrics m = r.metrics();
        List<String> c = r.classNames();
        if (json) {
            Map<String, Object> out = m.toMap(c);
            out.put("model_dir", dir.toString());
            System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(out)));
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "Loss: %.4f%nSubset accuracy: %.4f%nHamming loss: %.4f%n",
                    m.loss(),
                    m.subsetAccuracy(),
                    m.hammingLoss());
            printPerClass(c, m.precision(), m.recall(), m.f1(), m.support());
            System.out.printf(
                    Locale.ROOT,
                    "Micro-F1: %.4f%nMacro-F1: %.4f%nThreshold: %s (a class is predicted above it)%n",
                    m.microF1(),
                    m.macroF1(),
                    m.threshold());
        }
        printErrors(r.errors());
    }

    /** Where the --errors file went, on stderr (stdout may be JSON). */
    private static void printErrors(ModelEvaluation.Errors e) {
        if (e == null) return;
        System.err.println(ConsoleText.escape(String.format(
                Locale.ROOT,
                "%d of %d examples misclassified, highest loss first in %s",
                e.listed(),
                e.examples(),
                e.file())));
    }

    private void printBinary(ModelEvaluation.SingleLabel r, Path dir) {
        BinaryMetrics m = r.binary();
        List<String> c = r.classNames();
        if (json) {
            printJson(m.toMap(), r, dir);
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
                    + String.join(", ", r.plots().stream().map(Path::toString).toList()));
        }
    }

    private void printMultiClass(ModelEvaluation.SingleLabel r, Path dir) {
        MultiClassMetrics m = r.multiClass();
        List<String> c = r.classNames();
        if (json) {
            printJson(m.toMap(c), r, dir);
        } else {
            System.out.printf(
                    Locale.ROOT, "Loss: %.4f%nAccuracy: %.4f%nROC AUC: binary models only%n", m.loss(), m.accuracy());
            printPerClass(c, m.precision(), m.recall(), m.f1(), null);
            System.out.printf(Locale.ROOT, "Macro-F1: %.4f%n", m.macroF1());
            printConfusionMatrix(m.confusion(), c);
            System.out.println("Plots: " + r.plots().get(0));
        }
    }

    private void printJson(Map<String, Object> out, ModelEvaluation.SingleLabel r, Path dir) {
        out.put("expected_calibration_error", r.calibrationError());
        out.put("reliability_diagram", r.reliabilityDiagram().toString());
        out.put("model_dir", dir.toString());
        out.put("plots", r.plots().stream().map(Path::toString).toList());
        System.out.println(ConsoleText.escapeJson(Json.PRETTY.toJson(out)));
    }

    /** Precision, recall and F1 per class, a row each, and each class's support where given (multi-label). */
    private static void printPerClass(
            List<String> classes, double[] precision, double[] recall, double[] f1, long[] support) {
        String header = String.format(Locale.ROOT, "%10s %9s %9s %9s", "", "Precision", "Recall", "F1");
        System.out.println(support == null ? header : header + String.format(Locale.ROOT, " %9s", "Support"));
        for (int k = 0; k < classes.size(); k++) {
            String row = String.format(
                    Locale.ROOT,
                    "%10s %9.4f %9.4f %9.4f",
                    ConsoleText.escape(classes.get(k)),
                    precision[k],
                    recall[k],
                    f1[k]);
            System.out.println(support == null ? row : row + String.format(Locale.ROOT, " %9d", support[k]));
        }
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
}
