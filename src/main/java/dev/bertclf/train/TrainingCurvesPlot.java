package dev.bertclf.train;

import dev.bertclf.runtime.FileUtil;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The tutorial's figure: training and validation loss above, accuracy below, one point per epoch. */
public final class TrainingCurvesPlot {
    public static final String FILE = "training_curves.png";
    private static final int WIDTH = 800, HEIGHT = 360;

    private TrainingCurvesPlot() {}

    public static void write(List<EpochMetrics> history, Path file) throws IOException {
        double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        XYChart loss = chart(
                "Training and validation loss",
                "Loss",
                epochs,
                history.stream().mapToDouble(EpochMetrics::loss).toArray(),
                history.stream().mapToDouble(EpochMetrics::valLoss).toArray());
        XYChart acc = chart(
                "Training and validation accuracy",
                "Accuracy",
                epochs,
                history.stream().mapToDouble(EpochMetrics::accuracy).toArray(),
                history.stream().mapToDouble(EpochMetrics::valAccuracy).toArray());
        BufferedImage image = new BufferedImage(WIDTH, 2 * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.drawImage(BitmapEncoder.getBufferedImage(loss), 0, 0, null);
            g.drawImage(BitmapEncoder.getBufferedImage(acc), 0, HEIGHT, null);
        } finally {
            g.dispose();
        }
        FileUtil.writePngAtomic(file, image);
    }

    private static XYChart chart(String title, String yTitle, double[] x, double[] train, double[] val) {
        XYChart c = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("Epochs")
                .yAxisTitle(yTitle)
                .build();
        c.addSeries("Training", x, train).setMarker(SeriesMarkers.CIRCLE);
        if (java.util.Arrays.stream(val).allMatch(Double::isFinite)) {
            c.addSeries("Validation", x, val).setMarker(SeriesMarkers.CIRCLE);
        }
        c.getStyler().setXAxisDecimalPattern("0");
        return c;
    }
}
