package io.neurostream.engine.model;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of neuron models by name: the built-in {@code lif} and {@code izhikevich}, models
 * registered in code, and those found through {@link ServiceLoader} on the class path.
 */
public final class NeuronModels {
    private static final Map<String, NeuronModel> MODELS = new ConcurrentHashMap<>();

    static {
        register(new LifModel());
        register(new IzhikevichModel());
        for (NeuronModel m : ServiceLoader.load(NeuronModel.class)) {
            MODELS.putIfAbsent(m.name(), m);
        }
    }

    private NeuronModels() {
    }

    /** Makes {@code model} available to specs under its name (replacing one of the same name). */
    public static void register(NeuronModel model) {
        MODELS.put(model.name(), model);
    }

    /** The model of that name, or {@code null}. */
    public static NeuronModel find(String name) {
        return MODELS.get(name);
    }

    /** The names of all known models, sorted. */
    public static String names() {
        return String.join(", ", new TreeMap<>(MODELS).keySet());
    }
}
