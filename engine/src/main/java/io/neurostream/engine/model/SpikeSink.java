package io.neurostream.engine.model;

import java.util.Arrays;

/** Collects the ids of neurons that spiked in one tick, in the order they are added. */
public final class SpikeSink {
    private int[] ids = new int[64];
    private int size;
    /** Summed excitatory synaptic input taken from the ring buffer in this tick (set by whoever gathers it). */
    public double excitatoryInput;
    /** Summed inhibitory synaptic input (a magnitude) taken from the ring buffer in this tick. */
    public double inhibitoryInput;

    /** Records that {@code neuron} spiked. */
    public void add(int neuron) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = neuron;
    }

    public int size() {
        return size;
    }

    public int get(int i) {
        return ids[i];
    }

    /** The backing array; only the first {@link #size()} entries are valid. */
    public int[] array() {
        return ids;
    }

    public void clear() {
        size = 0;
        excitatoryInput = 0.0;
        inhibitoryInput = 0.0;
    }

    /*
     * Neurons of the chunk this sink collects for that a model holds across ticks (LIF: the refractory ones),
     * valid for the chunk [heldFrom, heldTo) and NeuronState.refractoryVersion heldVersion; a model rebuilds it
     * from the state when either differs. The engine gives each chunk its own sink, so the list is the chunk's.
     */
    int[] held = new int[16];
    int heldCount;
    int heldFrom = -1;
    int heldTo = -1;
    int heldVersion;

    void hold(int neuron) {
        if (heldCount == held.length) {
            held = Arrays.copyOf(held, heldCount * 2);
        }
        held[heldCount++] = neuron;
    }

    /** Appends the spikes {@code other} holds, in its order. */
    public void addAll(SpikeSink other) {
        int n = other.size;
        if (size + n > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(size + n, size * 2));
        }
        System.arraycopy(other.ids, 0, ids, size, n);
        size += n;
    }
}
