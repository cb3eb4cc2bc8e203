package dev.bertclf.infer;

import com.google.gson.annotations.SerializedName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One classified text as every front end reports it ({@code predict --json} and the {@code serve} endpoint print
 * this record as it is), so the command line and the HTTP API cannot drift apart. For a multi-class model
 * {@code label}, {@code probability} and {@code logit} are the best class's and {@code top} lists the most
 * probable classes, best first; for a binary model {@code top} is null (and left out of the JSON). For a multi-label
 * model {@code labels} holds every class whose sigmoid is above the model's threshold, best first (possibly none),
 * {@code top} the most probable classes and {@code label} the most probable one, which is in {@code labels} only
 * if it is over the threshold; {@code labels} is null (left out) for other models.
 *
 * <p>A binary model's {@code probability} and {@code logit} are the positive class's (the second class name's),
 * whichever label is predicted, as they always were: that is what a threshold is set on and what a ROC curve ranks.
 * {@code labelProbability} ({@code label_probability} in JSON and in scored tables) is the predicted label's own
 * probability for every kind of model: for a binary model {@code probability} when the label is the positive
 * class, {@code 1 - probability} when it is the negative one; for the others it equals {@code probability}.
 */
public record Prediction(
        String text,
        double probability,
        String label,
        float logit,
        List<ClassProbability> top,
        List<ClassProbability> labels,
        @SerializedName(LABEL_PROBABILITY) double labelProbability) {
    /** The name of {@link #labelProbability} in JSON answers and scored tables. */
    public static final String LABEL_PROBABILITY = "label_probability";

    /** A class and its softmax (multi-label: sigmoid) probability. */
    public record ClassProbability(String label, double probability) {}

    /** A multi-class or multi-label model's prediction: the label's probability is {@code probability}. */
    public Prediction(
            String text,
            double probability,
            String label,
            float logit,
            List<ClassProbability> top,
            List<ClassProbability> labels) {
        this(text, probability, label, logit, top, labels, probability);
    }

    /** A single-label model's prediction whose label's probability is {@code probability}. */
    public Prediction(String text, double probability, String label, float logit, List<ClassProbability> top) {
        this(text, probability, label, logit, top, null);
    }

    /**
     * A binary model's prediction: the label is the second class (the positive one) when its probability is above
     * {@code threshold}.
     */
    static Prediction of(String text, float logit, List<String> classNames, double threshold) {
        double p = TextClassifier.sigmoid(logit);
        boolean positive = p > threshold;
        return new Prediction(text, p, classNames.get(positive ? 1 : 0), logit, null, null, positive ? p : 1 - p);
    }

    /** The best of {@code classNames.size()} logits at {@code logits[from..]}, with the {@code topK} most probable. */
    static Prediction ofSoftmax(String text, float[] logits, int from, List<String> classNames, int topK) {
        double[] p = TextClassifier.softmax(logits, from, classNames.size());
        List<ClassProbability> all = new ArrayList<>(p.length);
        for (int c = 0; c < p.length; c++) all.add(new ClassProbability(classNames.get(c), p[c]));
        // stable sort: equal probabilities keep class order, so the label is the argmax's first class
        all.sort(Comparator.comparingDouble(ClassProbability::probability).reversed());
        int best = classNames.indexOf(all.get(0).label());
        return new Prediction(
                text,
                p[best],
                classNames.get(best),
                logits[from + best],
                List.copyOf(all.subList(0, Math.min(topK, all.size()))));
    }

    /**
     * A multi-label model's prediction from {@code classNames.size()} logits at {@code logits[from..]}: each class's
     * sigmoid, those above {@code threshold} as {@code labels}, the {@code topK} most probable as {@code top}.
     */
    static Prediction ofSigmoids(
            String text, float[] logits, int from, List<String> classNames, double threshold, int topK) {
        List<ClassProbability> all = new ArrayList<>(classNames.size());
        for (int c = 0; c < classNames.size(); c++) {
            all.add(new ClassProbability(classNames.get(c), TextClassifier.sigmoid(logits[from + c])));
        }
        all.sort(Comparator.comparingDouble(ClassProbability::probability).reversed());
        int best = classNames.indexOf(all.get(0).label());
        return new Prediction(
                text,
                all.get(0).probability(),
                all.get(0).label(),
                logits[from + best],
                List.copyOf(all.subList(0, Math.min(topK, all.size()))),
                all.stream().filter(c -> c.probability() > threshold).toList());
    }

    /** This prediction with at most {@code n} top classes (binary ones have none to cut). */
    public Prediction withTop(int n) {
        return top == null || top.size() <= n
                ? this
                : new Prediction(
                        text, probability, label, logit, List.copyOf(top.subList(0, n)), labels, labelProbability);
    }
}
