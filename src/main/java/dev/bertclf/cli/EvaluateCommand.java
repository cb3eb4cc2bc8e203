package dev.bertclf.cli;

import com.google.gson.GsonBuilder;
import dev.bertclf.data.DataException;
import dev.bertclf.data.TextDirectoryDataset;
import dev.bertclf.data.Utf8TextReader;
import dev.bertclf.infer.BinaryMetrics;
import dev.bertclf.infer.EvaluationPlots;
import dev.bertclf.infer.RocCurve;
import dev.bertclf.infer.TextClassifier;
import dev.bertclf.runtime.ProgressBar;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Loss, accuracy, precision, recall, F1, confusion matrix and ROC AUC of a trained model on "
                + "aclImdb/test.", "Also writes confusion_matrix.png and roc_curve.png."})
final class EvaluateCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);

    @Mixin CommonOptions common;
    @Mixin DatasetOptions dataset;
    @Mixin DeviceOption deviceOption;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Trained model (default: the one the last 'train' wrote).")
    Path modelDir;

    @Option(names = "--max-examples", paramLabel = "N", defaultValue = "0",
            description = "Evaluate a seeded random subset of this many examples (0: all).")
    int maxExamples;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Texts per inference batch.")
    int batchSize;

    @Option(names = "--plots-dir", paramLabel = "DIR",
            description = "Folder for confusion_matrix.png and roc_curve.png (default: the model's folder).")
    Path plotsDir;

    @Option(names = "--json", description = "Print the metrics as JSON.")
    boolean json;

    private static final long SUBSET_SEED = 42;

    @Override
    public Integer call() throws IOException {
        if (maxExamples < 0) throw new IllegalArgumentException("--max-examples must be 0 or more");
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1");
        boolean gpu = deviceOption.useGpu();
        Path dir = Defaults.modelDirOrLast(modelDir);
        Path data = dataset.ensure();
        TextDirectoryDataset test = TextDirectoryDataset.scan(data.resolve("test"));
        try (TextClassifier clf = TextClassifier.load(dir, gpu)) {
            if (!test.classNames().equals(clf.metadata().classNames())) {
                throw new DataException("test classes " + test.classNames() + " differ from the model's "
                        + clf.metadata().classNames());
            }
            List<TextDirectoryDataset.Example> examples = test.shuffled(SUBSET_SEED);
            if (maxExamples > 0 && maxExamples < examples.size()) examples = examples.subList(0, maxExamples);
            Utf8TextReader reader = new Utf8TextReader();
            float[] logits = new float[examples.size()];
            int[] labels = new int[examples.size()];
            try (ProgressBar bar = new ProgressBar("Evaluating", examples.size(), 0, ProgressBar.Unit.ITEMS)) {
                for (int from = 0; from < examples.size(); from += batchSize) {
                    int to = Math.min(examples.size(), from + batchSize);
                    List<String> texts = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        texts.add(reader.read(examples.get(i).file()));
                        labels[i] = examples.get(i).label();
                    }
                    System.arraycopy(clf.logits(texts, batchSize), 0, logits, from, to - from);
                    bar.step(to - from);
                }
            }
            BinaryMetrics m = BinaryMetrics.of(logits, labels);
            List<String> c = clf.metadata().classNames();
            List<Path> plots = writePlots(m, RocCurve.of(logits, labels), c, plotsDir != null ? plotsDir : dir);
            if (json) {
                Map<String, Object> out = m.toMap();
                out.put("model_dir", dir.toString());
                out.put("plots", plots.stream().map(Path::toString).toList());
                System.out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(out));
            } else {
                System.out.printf(Locale.ROOT, "Loss: %.4f%nAccuracy: %.4f%nROC AUC: %.4f%n", m.loss(), m.accuracy(),
                        m.rocAuc());
                System.out.printf(Locale.ROOT, "Precision: %.4f  Recall: %.4f  F1: %.4f  (positive class: %s)%n",
                        m.precision(), m.recall(), m.f1(), c.get(1));
                System.out.printf(Locale.ROOT, "Confusion matrix (rows: true, columns: predicted):%n");
                System.out.printf(Locale.ROOT, "%10s %8s %8s%n", "", c.get(0), c.get(1));
                System.out.printf(Locale.ROOT, "%10s %8d %8d%n", c.get(0), m.trueNegatives(), m.falsePositives());
                System.out.printf(Locale.ROOT, "%10s %8d %8d%n", c.get(1), m.falseNegatives(), m.truePositives());
                System.out.println("Plots: " + String.join(", ", plots.stream().map(Path::toString).toList()));
            }
        }
        return 0;
    }

    /** The confusion matrix, and the ROC curve when both classes are present (else it is undefined). */
    private static List<Path> writePlots(BinaryMetrics m, RocCurve roc, List<String> classNames, Path dir)
            throws IOException {
        List<Path> written = new ArrayList<>();
        try {
            writePlots(m, roc, classNames, dir, written);
        } catch (IOException e) {
            throw new IOException("cannot write the plots into " + dir + ": " + e, e);
        }
        return written;
    }

    private static void writePlots(BinaryMetrics m, RocCurve roc, List<String> classNames, Path dir,
                                   List<Path> written) throws IOException {
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
