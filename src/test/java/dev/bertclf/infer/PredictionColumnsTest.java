package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionColumnsTest {
    @Test
    void addedColumnsNeverOverwriteAnInputColumn() {
        assertEquals(
                List.of("label", "probability"),
                PredictionColumns.forInput(List.of("id", "text"), 2).names());
        assertEquals(
                List.of("label", "probability", "top"),
                PredictionColumns.forInput(List.of("id", "text"), 3).names());
        assertEquals(
                List.of("predicted_label", "predicted_probability"),
                PredictionColumns.forInput(List.of("text", "label"), 2).names());
        assertEquals(
                List.of("predicted_predicted_label", "predicted_predicted_probability", "predicted_predicted_top"),
                PredictionColumns.forInput(List.of("top", "predicted_top"), 4).names());
        assertEquals(
                List.of("label", "probability"),
                PredictionColumns.forInput(List.of("top"), 2).names());
    }

    /** A multi-label model adds its labels (and a top list even for two classes); a labels column is moved aside. */
    @Test
    void aMultiLabelModelAddsTheLabelsColumn() {
        assertEquals(
                List.of("label", "probability", "top", "labels"),
                PredictionColumns.forInput(List.of("text"), 2, true).names());
        assertEquals(
                List.of("predicted_label", "predicted_probability", "predicted_top", "predicted_labels"),
                PredictionColumns.forInput(List.of("text", "labels"), 3, true).names());
        Prediction p = new Prediction(
                "t",
                0.9,
                "a",
                2f,
                List.of(new Prediction.ClassProbability("a", 0.9)),
                List.of(new Prediction.ClassProbability("a", 0.9)));
        assertEquals("[{\"label\":\"a\",\"probability\":0.9}]", PredictionColumns.labelsAsJson(p));
        assertNull(PredictionColumns.labelsAsJson(new Prediction("t", 0.7, "pos", 1f, null)));
    }

    @Test
    void topClassesAsJson() {
        Prediction multi = new Prediction(
                "t",
                0.7,
                "a",
                1f,
                List.of(new Prediction.ClassProbability("a", 0.7), new Prediction.ClassProbability("b", 0.2)));
        assertEquals(
                "[{\"label\":\"a\",\"probability\":0.7},{\"label\":\"b\",\"probability\":0.2}]",
                PredictionColumns.topAsJson(multi));
        assertNull(PredictionColumns.topAsJson(new Prediction("t", 0.7, "pos", 1f, null)));
    }
}
