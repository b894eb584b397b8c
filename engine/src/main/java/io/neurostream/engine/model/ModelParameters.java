package io.neurostream.engine.model;

import io.neurostream.engine.NeuronType;
import io.neurostream.engine.random.CounterRng;
import io.neurostream.engine.spec.Dist;
import io.neurostream.engine.spec.NetworkSpec.SynapseSpec;
import io.neurostream.engine.spec.SpecException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of one population, as its model reads them. Values may be constants or
 * distributions (drawn per neuron from the network's counter-based streams). Every read names a
 * parameter; {@link #done()} rejects the ones no read asked for, and range errors carry the spec's
 * file and key path.
 */
public final class ModelParameters {
    private final String source;
    private final String path;
    private final String population;
    private final Map<String, Object> values;
    private final NeuronType[] types;
    private final int firstNeuron;
    private final double dtMs;
    private final long seed;
    private final SynapseSpec synapse;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> initialized;

    public ModelParameters(String source, String path, String population, Map<String, Object> values,
            NeuronType[] types, int firstNeuron, double dtMs, long seed, SynapseSpec synapse, Set<String> initialized) {
        this.initialized = initialized;
        this.source = source;
        this.path = path;
        this.population = population;
        this.values = values;
        this.types = types;
        this.firstNeuron = firstNeuron;
        this.dtMs = dtMs;
        this.seed = seed;
        this.synapse = synapse;
    }

    /** Number of neurons in the population. */
    public int size() {
        return types.length;
    }

    /** Id of the population's first neuron (its neurons are {@code [first, first + size)}). */
    public int firstNeuron() {
        return firstNeuron;
    }

    public double dtMs() {
        return dtMs;
    }

    public String population() {
        return population;
    }

    /** The type of the population's i-th neuron. */
    public NeuronType type(int i) {
        return types[i];
    }

    public SynapseSpec synapse() {
        return synapse;
    }

    /** Whether the spec's {@code init} sets state variable {@code var} (so the model must not). */
    public boolean initialized(String var) {
        return initialized.contains(var);
    }

    public boolean has(String name) {
        known.add(name);
        return values.containsKey(name);
    }

    /** An error about parameter {@code name}, with file and key path. */
    public SpecException error(String name, String problem) {
        return new SpecException(source, path + ".params." + name, problem);
    }

    /** A parameter that must be the same for all neurons. */
    public double scalar(String name, double dflt, double min, double max) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Dist) || !((Dist) v).isConstant()) {
            throw error(name, "must be a number" + (v instanceof Dist ? " (a distribution is not supported here)" : ", got \"" + v + "\""));
        }
        double x = ((Dist) v).a();
        checkRange(name, x, min, max);
        return x;
    }

    /** A text parameter, one of {@code allowed}. */
    public String choice(String name, String dflt, String... allowed) {
        known.add(name);
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw error(name, "must be one of " + String.join(", ", allowed) + ", got " + (v instanceof String ? "\"" + v + "\"" : v));
    }

    /**
     * A parameter that may differ between neurons: a constant, a distribution, or (when absent)
     * {@code dflt[i]}. Returns one value per neuron of the population.
     */
    public double[] perNeuron(String name, double[] dflt, double min, double max) {
        known.add(name);
        Object v = values.get(name);
        double[] out = new double[size()];
        if (v == null) {
            System.arraycopy(dflt, 0, out, 0, out.length);
            return out;
        }
        if (!(v instanceof Dist)) {
            throw error(name, "must be a number or a distribution, got \"" + v + "\"");
        }
        Dist d = (Dist) v;
        long key = CounterRng.streamKey(seed, "param/" + population + "/" + name);
        long rKey = CounterRng.streamKey(seed, "r/" + population);
        for (int i = 0; i < out.length; i++) {
            int id = firstNeuron + i;
            double r = d.kind() == Dist.Kind.FROM_R ? CounterRng.uniform(rKey, id, 0) : 0.0;
            out[i] = d.sample(key, id, 0, r);
            checkRange(name, out[i], min, max);
        }
        return out;
    }

    private void checkRange(String name, double x, double min, double max) {
        if (!(x >= min && x <= max)) {
            if (min > 0 && min <= 1e-6 && x <= 0) {
                throw error(name, "must be > 0, got " + x);
            }
            throw error(name, "must be between " + min + " and " + max + ", got " + x);
        }
    }

    /** Rejects any parameter that no read asked for. */
    public void done() {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                String hint = io.neurostream.engine.spec.Suggest.closest(k, known);
                throw error(k, "unknown parameter for this model" + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                        + "; known: " + String.join(", ", known));
            }
        }
    }
}
