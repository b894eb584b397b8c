package io.neurostream.engine.model;

/**
 * A neuron model, found by {@link #name()}: built-in {@code lif} and {@code izhikevich}, or any
 * class registered with {@link NeuronModels#register} or listed in
 * {@code META-INF/services/io.neurostream.engine.model.NeuronModel} on the class path.
 *
 * <p>A model reads its parameters from {@link ModelParameters} (which rejects unknown or
 * out-of-range ones with the spec's file and key path) and returns the dynamics of one population.
 */
public interface NeuronModel {

    /** The name specs use in {@code "model"}. */
    String name();

    /** Creates the dynamics of one population of {@code params.size()} neurons. */
    NeuronDynamics create(ModelParameters params);
}
