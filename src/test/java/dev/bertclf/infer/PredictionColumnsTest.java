package dev.bertclf.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionColumnsTest {
    @Test
    void addedColumnsNeverOverwriteAnInputColumn() {
        assertEquals(
                List.of("label", "probability", "label_probability"),
                PredictionColumns.forInput(List.of("id", "text"), 2).names());
        assertEquals(
                List.of("label", "probability", "top", "label_probability"),
                PredictionColumns.forInput(List.of("id", "text"), 3).names());
        assertEquals(
                List.of("predicted_label", "predicted_probability", "predicted_label_probability"),
                PredictionColumns.forInput(List.of("text", "label"), 2).names());
        assertEquals(
                List.of(
                        "predicted_predicted_label",
                        "predicted_predicted_probability",
                        "predicted_predicted_top",
                        "predicted_predicted_label_probability"),
                PredictionColumns.forInput(List.of("top", "predicted_top"), 4).names());
        assertEquals(
                List.of("label", "probability", "label_probability"),
                PredictionColumns.forInput(List.of("top"), 2).names());
        assertEquals(
                List.of("predicted_label", "predicted_probability", "predicted_label_probability"),
                PredictionColumns.forInput(List.of("text", "label_probability"), 2)
                        .names());
    }

    /**
     * A binary model's probability is the positive class's whatever the label (as it always was); the label's own
     * probability is beside it, and the label flips where the positive class's probability crosses the threshold.
     */
    @Test
    void aBinaryPredictionGivesThePositiveClassesAndTheLabelsProbability() {
        List<String> classes = List.of("neg", "pos");
        float logit = (float) Math.log(0.3 / 0.7); // P(pos) = 0.3
        Prediction atDefault = Prediction.of("t", logit, classes, 0.5);
        assertEquals("neg", atDefault.label());
        assertEquals(0.3, atDefault.probability(), 1e-6);
        assertEquals(0.7, atDefault.labelProbability(), 1e-6);
        Prediction lower = Prediction.of("t", logit, classes, 0.25);
        assertEquals("pos", lower.label());
        assertEquals(0.3, lower.probability(), 1e-6);
        assertEquals(0.3, lower.labelProbability(), 1e-6);
        double p = atDefault.probability();
        assertEquals("neg", Prediction.of("t", logit, classes, p).label(), "above the threshold, not at it");
        assertEquals("pos", Prediction.of("t", logit, classes, Math.nextDown(p)).label());
        assertEquals(
                "{\"text\":\"t\",\"probability\":" + p + ",\"label\":\"neg\",\"logit\":" + logit
                        + ",\"label_probability\":" + (1 - p) + "}",
                dev.bertclf.runtime.Json.COMPACT.toJson(atDefault));
    }

    /** A multi-label model adds its labels (and a top list even for two classes); a labels column is moved aside. */
    @Test
    void aMultiLabelModelAddsTheLabelsColumn() {
        assertEquals(
                List.of("label", "probability", "top", "labels", "label_probability"),
                PredictionColumns.forInput(List.of("text"), 2, true).names());
        assertEquals(
                List.of(
                        "predicted_label",
                        "predicted_probability",
                        "predicted_top",
                        "predicted_labels",
                        "predicted_label_probability"),
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
