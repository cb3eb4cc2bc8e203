package dev.bertclf.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The model's weights, keyed by the names Google's checkpoints use ({@code bert/encoder/layer_0/...}).
 * Weights always enter and leave the graph through this class, by name: that is what lets a checkpoint from
 * any source, a random initialisation and a fine-tuned model all feed the same graph, and lets a wrong or
 * missing weight be reported by its name and shapes.
 */
public final class NamedVariables {
    private final Ops tf;
    private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
    private final List<Assign<TFloat32>> assigns = new ArrayList<>();
    private final Map<String, Ops> scopes = new LinkedHashMap<>();

    public NamedVariables(Ops tf) {
        this.tf = tf;
    }

    /**
     * The ops factory for a slash-separated scope such as {@code bert/encoder/layer_0}. Each scope is made once
     * from its parent, because TensorFlow renames a sub-scope made twice ({@code bert_1}); ops built in it carry
     * the scope as their name prefix, as under {@code tf.variable_scope} in Google's modeling.py.
     */
    public Ops scope(String path) {
        if (path.isEmpty()) return tf;
        Ops s = scopes.get(path);
        if (s == null) {
            int cut = path.lastIndexOf('/');
            s = scope(cut < 0 ? "" : path.substring(0, cut)).withSubScope(path.substring(cut + 1));
            scopes.put(path, s);
        }
        return s;
    }

    /** Creates the variable {@code name} (slash-separated, as in Google's checkpoints) of a static shape. */
    public Variable<TFloat32> create(String name, long... dims) {
        if (variables.containsKey(name)) throw new IllegalStateException("duplicate variable " + name);
        Shape shape = Shape.of(dims);
        int cut = name.lastIndexOf('/');
        Ops s = scope(cut < 0 ? "" : name.substring(0, cut));
        String leaf = name.substring(cut + 1);
        Variable<TFloat32> v = s.withName(leaf).variable(shape, TFloat32.class);
        Placeholder<TFloat32> feed = s.withName(leaf + "_feed").placeholder(TFloat32.class, Placeholder.shape(shape));
        assigns.add(s.withName(leaf + "_load").assign(v, feed));
        variables.put(name, v);
        shapes.put(name, shape);
        feeds.put(name, feed);
        return v;
    }

    /**
     * The variable {@code name} if it exists (it must have this shape), else a new one: for weights shared by layers.
     */
    public Variable<TFloat32> createOrShare(String name, long... dims) {
        Variable<TFloat32> v = variables.get(name);
        if (v == null) return create(name, dims);
        if (!shapes.get(name).equals(Shape.of(dims))) {
            throw new IllegalStateException(
                    "shared variable " + name + " asked for as " + Shape.of(dims) + " but is " + shapes.get(name));
        }
        return v;
    }

    public Map<String, Variable<TFloat32>> all() {
        return Collections.unmodifiableMap(variables);
    }

    public Map<String, Shape> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    public List<Operand<TFloat32>> operands() {
        return new ArrayList<>(variables.values());
    }

    /**
     * Assigns every variable from {@code weights} in one session run. Every variable must be present with its
     * exact shape; anything else names the variable and both shapes, before any value is written.
     */
    public void load(Session session, Map<String, TFloat32> weights) {
        List<String> problems = new ArrayList<>();
        for (var e : shapes.entrySet()) {
            TFloat32 t = weights.get(e.getKey());
            if (t == null) {
                problems.add("missing variable " + e.getKey() + " " + e.getValue());
            } else if (!t.shape().equals(e.getValue())) {
                problems.add("variable " + e.getKey() + " has shape " + t.shape() + " in the weights but the model "
                        + "config needs " + e.getValue());
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelException(
                    "weights do not match the model config: " + ModelException.firstFive(problems, "; "));
        }
        Session.Runner runner = session.runner();
        for (var e : feeds.entrySet()) runner.feed(e.getValue(), weights.get(e.getKey()));
        for (Assign<TFloat32> a : assigns) runner.addTarget(a);
        runner.run();
    }

    /** Reads every variable's current value; the caller closes the tensors. */
    public Weights read(Session session) {
        Session.Runner runner = session.runner();
        List<String> names = new ArrayList<>(variables.keySet());
        for (String n : names) runner.fetch(variables.get(n));
        Weights out = new Weights();
        try (Result r = runner.run()) {
            for (int i = 0; i < names.size(); i++) {
                // Copy: tensors of a Result are closed with it.
                TFloat32 t = (TFloat32) r.get(i);
                out.put(names.get(i), copy(t));
            }
        }
        return out;
    }

    static TFloat32 copy(TFloat32 t) {
        TFloat32 c = TFloat32.tensorOf(t.shape());
        t.copyTo(c);
        return c;
    }

    @Override
    public String toString() {
        return variables.size() + " variables "
                + Arrays.toString(variables.keySet().toArray());
    }
}
