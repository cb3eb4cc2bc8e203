package dev.bertclf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tensorflow.types.TFloat32;

/**
 * Weight tensors by variable name ({@code bert/encoder/layer_0/...}), in insertion order, owning their native
 * memory: closing the weights closes every tensor, so callers hold them in try-with-resources. A tensor put in
 * belongs to the weights from then on; one taken out with {@link #remove} belongs to the caller.
 */
public final class Weights implements AutoCloseable {
    private final Map<String, TFloat32> tensors = new LinkedHashMap<>();

    public Weights() {}

    /** Takes ownership of every tensor in {@code tensors}, e.g. a checkpoint reader's. */
    public static Weights of(Map<String, TFloat32> tensors) {
        Weights w = new Weights();
        tensors.forEach(w::put);
        return w;
    }

    /** The tensor named {@code name}, still owned by the weights; null if there is none. */
    public TFloat32 get(String name) {
        return tensors.get(name);
    }

    /** Adds {@code tensor} under {@code name}, closing the tensor it replaces. */
    public void put(String name, TFloat32 tensor) {
        TFloat32 old = tensors.put(name, tensor);
        if (old != null && old != tensor) old.close();
    }

    /** Takes the tensor out: the caller closes it. */
    public TFloat32 remove(String name) {
        return tensors.remove(name);
    }

    /** Moves every tensor of {@code from} here (closing those they replace); {@code from} is left empty. */
    public void takeAll(Weights from) {
        for (String name : new ArrayList<>(from.names())) put(name, from.remove(name));
    }

    public boolean containsKey(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public int size() {
        return tensors.size();
    }

    /** A read-only view for writers that take a map; the tensors stay owned by the weights. */
    public Map<String, TFloat32> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    @Override
    public void close() {
        tensors.values().forEach(TFloat32::close);
        tensors.clear();
    }
}
