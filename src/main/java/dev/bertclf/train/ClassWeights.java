package dev.bertclf.train;

import dev.bertclf.runtime.InvalidOptionException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --class-weight}: how much each class's examples count in the training loss, for data where one class is
 * rare. {@code none} (every class 1), {@code balanced} (scikit-learn's rule, {@code n / (classes * n_class)}, so each
 * class weighs as much in total) or {@code CLASS=W,...} (the classes not named weigh 1). The syntax is checked when
 * the option is read, the class names once the data is known, both before the first step.
 */
public record ClassWeights(String spec) {
    public static final ClassWeights NONE = new ClassWeights("none");

    public ClassWeights {
        if (spec == null || spec.isBlank()) spec = "none";
        if (!spec.equals("none") && !spec.equals("balanced")) parse(spec);
    }

    public boolean isNone() {
        return spec.equals("none");
    }

    /**
     * One weight per class, in {@code classNames}' order, given how many training examples each class has; null for
     * {@code none}.
     *
     * @throws InvalidOptionException for a class the data does not have
     */
    public float[] resolve(List<String> classNames, int[] examplesPerClass) {
        if (isNone()) return null;
        float[] w = new float[classNames.size()];
        if (spec.equals("balanced")) {
            long n = 0;
            for (int c : examplesPerClass) n += c;
            for (int c = 0; c < w.length; c++) {
                w[c] = examplesPerClass[c] == 0 ? 1f : (float) ((double) n / (w.length * (double) examplesPerClass[c]));
            }
            return w;
        }
        java.util.Arrays.fill(w, 1f);
        parse(spec).forEach((name, weight) -> {
            int c = classNames.indexOf(name);
            if (c < 0) {
                throw new InvalidOptionException("--class-weight names class '" + name + "', which the data does not "
                        + "have (its classes: " + classNames + ")");
            }
            w[c] = weight;
        });
        return w;
    }

    /** The weights by class name, for the model's metadata. */
    public static Map<String, Float> byClass(List<String> classNames, float[] weights) {
        Map<String, Float> m = new LinkedHashMap<>();
        for (int c = 0; c < classNames.size(); c++) m.put(classNames.get(c), weights[c]);
        return m;
    }

    private static Map<String, Float> parse(String spec) {
        Map<String, Float> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.lastIndexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).trim();
            float w;
            try {
                w = eq < 0 ? Float.NaN : Float.parseFloat(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                w = Float.NaN;
            }
            if (name.isEmpty() || !(w > 0) || Float.isInfinite(w) || m.put(name, w) != null) {
                throw new InvalidOptionException("--class-weight must be none, balanced or CLASS=WEIGHT,... with "
                        + "positive weights and each class once, got '" + spec + "'");
            }
        }
        return m;
    }
}
