package io.neurostream.engine.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The dynamics of one population: advances neurons {@code [from, to)} of a {@link NeuronState} by
 * one tick, tests the threshold on the updated state, resets at once and reports spikes.
 *
 * <p>{@link #step} is the hot loop: it must not allocate, box or call through lambdas, and it must
 * be a pure function of the state and the tick (so that results do not depend on threads).
 * Work may be split: the engine may call {@code step} on sub-ranges of the population, in any order.
 */
public interface NeuronDynamics {

    /** Sets the initial state of neurons {@code [from, to)} (after the spec's {@code init} values). */
    default void initialize(NeuronState s, int from, int to) {
    }

    /** Advances neurons {@code [from, to)} by one tick; adds spiking neurons to {@code out} in id order. */
    void step(NeuronState s, int from, int to, SpikeSink out);

    /**
     * Whether this model integrates {@code exp_current} synaptic currents itself ({@link NeuronState#ge},
     * {@link NeuronState#gi}, including their decay). If not, the engine adds {@code ge - gi} to the input
     * before {@link #step} and decays them after.
     */
    default boolean integratesExpCurrents() {
        return false;
    }

    /**
     * Whether {@link #step} takes the tick's synaptic input from the ring buffer itself
     * ({@link NeuronState#ringE}, {@link NeuronState#ringI} at {@link NeuronState#ringOffset}: zero each
     * entry read, add the sums to {@link SpikeSink#excitatoryInput} and {@link SpikeSink#inhibitoryInput},
     * apply it as {@link SynapticInput} says for the network's synapse kind) and zeroes {@link NeuronState#input}
     * after reading it. Built-in models do, to save a pass over the state; custom models need not.
     */
    default boolean gathersSynapticInput() {
        return false;
    }

    /** Sets a parameter at run time (e.g. {@code v_threshold}); returns false if unknown. */
    default boolean setParameter(String name, double value) {
        return false;
    }

    /** Writes extra per-neuron state this model keeps beyond the shared arrays. */
    default void writeState(DataOutput out) throws IOException {
    }

    /** Reads what {@link #writeState} wrote. */
    default void readState(DataInput in) throws IOException {
    }
}
