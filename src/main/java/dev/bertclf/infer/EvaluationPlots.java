package dev.bertclf.infer;

import dev.bertclf.runtime.FileUtil;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The two figures a reader of an evaluation looks at first: where the errors are (confusion matrix) and how well
 * the scores rank at every threshold, not only at 0.5 (ROC curve). Same size and style as the training curves.
 */
public final class EvaluationPlots {
    public static final String CONFUSION_MATRIX = "confusion_matrix.png";
    public static final String ROC_CURVE = "roc_curve.png";
    public static final String RELIABILITY_DIAGRAM = "reliability_diagram.png";
    private static final int SIZE = 500;

    private EvaluationPlots() {}

    /** Rows: true class, columns: predicted class, each cell with its count; {@code classNames} negative first. */
    public static void writeConfusionMatrix(BinaryMetrics m, List<String> classNames, Path file) throws IOException {
        writeConfusionMatrix(m.confusionMatrix(), classNames, file);
    }

    /** {@code counts[true][predicted]}, rows in {@code classNames} order from the top. */
    public static void writeConfusionMatrix(long[][] counts, List<String> classNames, Path file) throws IOException {
        HeatMapChart c = new HeatMapChartBuilder()
                .width(SIZE)
                .height(SIZE)
                .title("Confusion matrix")
                .xAxisTitle("Predicted")
                .yAxisTitle("True")
                .build();
        // y runs upwards, so the first class is listed last to put it on the top row
        int n = classNames.size();
        List<String> rows = new ArrayList<>(classNames);
        Collections.reverse(rows);
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) cells.add(new Number[] {p, n - 1 - t, counts[t][p]});
        }
        c.addSeries("examples", classNames, rows, cells);
        c.getStyler()
                .setShowValue(true)
                .setHeatMapValueDecimalPattern("#,##0")
                .setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x4292C6)})
                .setValueFontColor(Color.BLACK)
                .setLegendVisible(false);
        FileUtil.writePngAtomic(file, BitmapEncoder.getBufferedImage(c));
    }

    /** The curve with the chance diagonal, the AUC in the legend. */
    public static void writeRocCurve(RocCurve roc, Path file) throws IOException {
        XYChart c = new XYChartBuilder()
                .width(SIZE)
                .height(SIZE)
                .title("ROC curve")
                .xAxisTitle("False positive rate")
                .yAxisTitle("True positive rate")
                .build();
        c.addSeries(
                        String.format(Locale.ROOT, "ROC (AUC %.4f)", roc.auc()),
                        roc.falsePositiveRates(),
                        roc.truePositiveRates())
                .setMarker(SeriesMarkers.NONE);
        // XChart puts ticks on the data's own grid (here multiples of 1/positives) when it finds one; a point of the
        // diagonal off that grid gives it round ticks instead.
        double off = Math.PI / 10;
        XYSeries chance = c.addSeries("Chance", new double[] {0, off, 1}, new double[] {0, off, 1});
        chance.setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        FileUtil.writePngAtomic(file, BitmapEncoder.getBufferedImage(c));
    }

    /**
     * Accuracy against the predicted class's probability per bin, with the diagonal of a perfectly calibrated
     * model.
     */
    public static void writeReliabilityDiagram(Evaluation.Calibration c, Path file) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(SIZE)
                .height(SIZE)
                .title("Reliability diagram")
                .xAxisTitle("Probability of the predicted class")
                .yAxisTitle("Accuracy")
                .build();
        java.util.List<Double> x = new java.util.ArrayList<>(), y = new java.util.ArrayList<>();
        for (int b = 0; b < c.count().length; b++) {
            if (c.count()[b] == 0) continue;
            x.add(c.meanProbability()[b]);
            y.add(c.accuracy()[b]);
        }
        if (x.isEmpty()) return;
        chart.addSeries(String.format(Locale.ROOT, "Model (ECE %.4f)", c.expectedError()), x, y);
        double off = Math.PI / 10; // round ticks, as on the ROC curve
        XYSeries ideal = chart.addSeries("Calibrated", new double[] {0, off, 1}, new double[] {0, off, 1});
        ideal.setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        FileUtil.writePngAtomic(file, BitmapEncoder.getBufferedImage(chart));
    }
}
