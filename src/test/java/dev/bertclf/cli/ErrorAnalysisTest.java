package dev.bertclf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.bertclf.testutil.Cli;
import dev.bertclf.testutil.Png;
import dev.bertclf.testutil.TinyClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --errors} and the expected calibration error, on a real exported model of random weights. */
class ErrorAnalysisTest {
    @TempDir
    Path tmp;

    @Test
    void misclassifiedExamplesHighestLossFirstAndTheCalibrationError() throws Exception {
        Path model = TinyClassifier.export(tmp.resolve("model"));
        StringBuilder csv = new StringBuilder("text,label\n"); // a comma in a text: the excerpt column is quoted
        for (int i = 0; i < 12; i++)
            csv.append(i % 2 == 0 ? "\"great, film " + i + "\",pos\n" : "awful film " + i + ",neg\n");
        Path test = Files.writeString(tmp.resolve("test.csv"), csv);
        Path errors = tmp.resolve("errors.csv");
        Cli.Run r = Cli.run(
                "evaluate",
                "--model-dir",
                model.toString(),
                "--test-file",
                test.toString(),
                "--errors",
                errors.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Expected calibration error: "), r.out());
        Png.assertPng(model.resolve("reliability_diagram.png"));
        assertTrue(r.out().contains("Reliability diagram: " + model.resolve("reliability_diagram.png")), r.out());
        List<String> lines = Files.readAllLines(errors);
        assertEquals("loss,true_label,predicted_label,probability,text", lines.get(0));
        double previous = Double.MAX_VALUE;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", 5);
            double loss = Double.parseDouble(f[0]);
            assertTrue(loss <= previous, "sorted by loss: " + lines);
            assertTrue(!f[1].equals(f[2]), "only misclassified rows: " + line);
            previous = loss;
        }
        assertTrue(r.err().contains((lines.size() - 1) + " of 12 examples misclassified"), r.err());

        Cli.Run again = Cli.run(
                "evaluate",
                "--model-dir",
                model.toString(),
                "--test-file",
                test.toString(),
                "--errors",
                errors.toString());
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--errors " + errors + " exists"), again.err());

        Cli.Run json = Cli.run("evaluate", "--model-dir", model.toString(), "--test-file", test.toString(), "--json");
        double ece = JsonParser.parseString(json.out())
                .getAsJsonObject()
                .get("expected_calibration_error")
                .getAsDouble();
        assertTrue(ece >= 0 && ece <= 1, json.out());
    }
}
