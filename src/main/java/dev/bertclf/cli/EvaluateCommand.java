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
import dev.bertclf.infer.ThresholdSearch;
import dev.bertclf.options.ScoringOptions;
import dev.bertclf.runtime.ConsoleText;
import dev.bertclf.runtime.InvalidOptionException;
import dev.bertclf.runtime.Json;
import dev.bertclf.runtime.OwnedFolder;
import dev.bertclf.train.RunRecord;
import dev.bertclf.train.StoredThreshold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Loss, accuracy, precision, recall, F1, confusion matrix and ROC AUC of a trained model on "
                    + "aclImdb/test, your own test/ folder or a --test-file.",
            "Also writes confusion_matrix.png and roc_curve.png.",
            "Binary models decide at the threshold in effect (--threshold, else the one stored in the model, else "
                    + "0.5); --find-threshold reports the best one for a metric, --save-threshold stores it.",
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

    @Option(
            names = "--find-threshold",
            paramLabel = "f1|accuracy|youden",
            description = "A binary model: search the threshold that maximises this metric on the examples "
                    + "evaluated (Youden's J = TPR - FPR) and report it beside the metrics at 0.5; tune it on "
                    + "held-out data, not the final test set (default: none).")
    ThresholdSearch.Metric findThreshold;

    /** Which examples {@code evaluate} reads. */
    enum Split {
        test,
        validation
    }

    @Option(
            names = "--split",
            paramLabel = "test|validation",
            defaultValue = "test",
            description = "The examples to evaluate: the test set (the data folder's test/ or --test-file), or the "
                    + "validation set of the model's own training run, drawn again from its run.json (the same "
                    + "seeded split; refused if the data changed since; --data-dir: where the run's data folder "
                    + "is now): tune --find-threshold there, not on the test set you report.")
    Split split;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--save-threshold",
            description = "Store the threshold --find-threshold found (or --threshold gives) in the model's "
                    + "metadata.json, for predict, serve and the Spark job to decide by.")
    boolean saveThreshold;

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
        if (saveThreshold && findThreshold == null && scoring.threshold() == null) {
            throw new InvalidOptionException("--save-threshold stores the threshold that --find-threshold finds or "
                    + "--threshold gives: add one of them");
        }
        if (split == Split.validation) {
            for (String other : List.of("--test-file", "--url")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(other)) {
                    throw new InvalidOptionException("--split validation evaluates the data the model was trained "
                            + "on, where its run.json says; " + other + " names other data: give one of them");
                }
            }
        }
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        var settings = new ModelEvaluation.Settings(
                dir, maxExamples, batchSize, plotsDir, errors, table.labelSeparator, findThreshold);
        // read as TextClassifier.load reads it, so a missing or damaged model is reported as it would be there
        ModelMetadata meta = Files.isRegularFile(dir.resolve("saved_model.pb")) ? ModelMetadata.read(dir) : null;
        if (findThreshold != null
                && meta != null
                && (meta.isMultiLabel() || meta.classNames().size() != 2)) {
            throw new InvalidOptionException("--find-threshold applies to binary models; " + dir + " is "
                    + (meta.isMultiLabel() ? "multi-label (set its threshold with --threshold)" : "multi-class"));
        }
        LabeledTexts validation = null;
        if (split == Split.validation) {
            boolean moved = spec.commandLine().getParseResult().hasMatchedOption("--data-dir");
            validation = RunRecord.validationSet(dir, moved ? dataset.dataDir() : null);
            System.err.println(ConsoleText.escape(
                    "Evaluating on " + validation.source() + " (" + validation.size() + " examples)"));
        }
        if (meta != null && meta.isMultiLabel()) {
            if (testFile == null && validation == null) {
                throw new InvalidOptionException(dir + " is a multi-label model: evaluate it on a --test-file (CSV, "
                        + "TSV or JSON Lines); a folder of class folders gives each text one class");
            }
            LabeledTexts test = validation != null
                    ? validation
                    : table.of(testFile).multiLabel(table.labelSeparator).read(meta.classNames());
            ModelMetadata evaluated;
            try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
                evaluated = clf.metadata();
                printMultiLabel(ModelEvaluation.multiLabel(clf, test, settings), dir);
            }
            if (saveThreshold) save(dir, evaluated, scoring.threshold());
            return 0;
        }
        LabeledTexts test = validation != null
                ? validation
                : dataset.source(table.of(testFile)).load("test");
        ModelEvaluation.SingleLabel r;
        ModelMetadata evaluated;
        try (TextClassifier clf = scoring.applyTo(TextClassifier.load(dir, gpu))) {
            evaluated = clf.metadata();
            r = ModelEvaluation.singleLabel(clf, test, settings);
        }
        if (r.binary() != null) printBinary(r, dir, evaluated);
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
        if (saveThreshold) {
            save(dir, evaluated, r.search() != null ? r.search().best().threshold() : scoring.threshold());
        }
        return 0;
    }

    /** Stores the threshold in the model, and says so on stderr (stdout may be JSON). */
    private static void save(Path dir, ModelMetadata evaluated, double threshold) {
        StoredThreshold.save(dir, evaluated, threshold);
        System.err.println(ConsoleText.escape(String.format(
                Locale.ROOT,
                "Saved threshold %s in %s: predict, serve and the Spark job decide by it unless --threshold says "
                        + "otherwise",
                threshold,
                dir.resolve(ModelMetadata.FILE))));
    }

    /** Where the threshold in effect comes from, in words and as {@code --json}'s {@code threshold_source}. */
    private String thresholdSource(ModelMetadata evaluated) {
        if (scoring.threshold() != null) return "option";
        return evaluated.threshold() != null ? "model" : "default";
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

    private void printBinary(ModelEvaluation.SingleLabel r, Path dir, ModelMetadata evaluated) {
        BinaryMetrics m = r.binary();
        List<String> c = r.classNames();
        String source = thresholdSource(evaluated);
        if (json) {
            Map<String, Object> out = m.toMap();
            out.put("threshold_source", source);
            if (r.search() != null) out.put("threshold_search", searchMap(r.search()));
            printJson(out, r, dir);
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
            System.out.printf(
                    Locale.ROOT,
                    "Threshold: %s (%s; %s is predicted when its probability is above it)%n",
                    m.threshold(),
                    switch (source) {
                        case "option" -> "--threshold";
                        case "model" -> "stored in the model";
                        default -> "the default";
                    },
                    ConsoleText.escape(c.get(1)));
            printConfusionMatrix(m.confusionMatrix(), c);
            System.out.println("Plots: "
                    + String.join(", ", r.plots().stream().map(Path::toString).toList()));
            if (r.search() != null) printSearch(r.search());
        }
    }

    /** The best threshold, then the decision's metrics there and at 0.5, a row each. */
    private static void printSearch(ModelEvaluation.Search s) {
        ThresholdSearch.Result best = s.best();
        System.out.printf(
                Locale.ROOT,
                "Best threshold for %s: %s (%s %.4f; %d distinct scores searched)%n",
                best.metric().title(),
                best.threshold(),
                best.metric().title(),
                best.value(),
                best.scores());
        System.out.printf(
                Locale.ROOT,
                "%10s %10s %9s %9s %9s %9s %10s%n",
                "",
                "threshold",
                "accuracy",
                "precision",
                "recall",
                "F1",
                "Youden J");
        for (BinaryMetrics m : List.of(s.atBest(), s.atDefault())) {
            System.out.printf(
                    Locale.ROOT,
                    "%10s %10.6f %9.4f %9.4f %9.4f %9.4f %10.4f%n",
                    m == s.atBest() ? "best" : "at 0.5",
                    m.threshold(),
                    m.accuracy(),
                    m.precision(),
                    m.recall(),
                    m.f1(),
                    ThresholdSearch.Metric.youden.value(m));
        }
    }

    /** {@code --json}'s {@code threshold_search}: the best threshold, and the metrics there and at 0.5. */
    private static Map<String, Object> searchMap(ModelEvaluation.Search s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metric", s.best().metric().name());
        out.put("threshold", s.best().threshold());
        out.put("value", s.best().value());
        out.put("distinct_scores", s.best().scores());
        out.put("at_threshold", decisionMap(s.atBest()));
        out.put("at_0.5", decisionMap(s.atDefault()));
        return out;
    }

    private static Map<String, Object> decisionMap(BinaryMetrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", m.accuracy());
        out.put("precision", m.precision());
        out.put("recall", m.recall());
        out.put("f1", m.f1());
        out.put("youden_j", ThresholdSearch.Metric.youden.value(m));
        out.put("confusion_matrix", m.confusionMatrix());
        return out;
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
