package io.neurostream.engine.model;

/**
 * The structure-of-arrays state a model advances, shared by all populations of a network and
 * indexed by neuron id. A model touches only its own range {@code [from, to)}.
 *
 * <p>Before a model's {@link NeuronDynamics#step} is called for a tick, the engine has written into
 * {@link #input} the total current of that tick in the model's units (external inputs plus
 * {@code current_pulse} synaptic input, plus {@code ge - gi} for {@code exp_current} unless the
 * model integrates those itself), and applied {@code voltage_jump} input to {@link #v}.
 */
public final class NeuronState {
    /** Membrane potential, mV. */
    public final double[] v;
    /** Recovery variable (Izhikevich u), or a custom model's second variable. */
    public final double[] u;
    /** Excitatory synaptic current of {@code exp_current} synapses (in the units of R·I, mV). */
    public final double[] ge;
    /** Inhibitory synaptic current of {@code exp_current} synapses, as a positive magnitude. */
    public final double[] gi;
    /**
     * Input current of the current tick. Inputs write the external current here; for a model that
     * does not {@linkplain NeuronDynamics#gathersSynapticInput() gather} its synaptic input, the engine
     * has also added that before {@code step}. Whoever consumes an entry sets it back to 0.
     */
    public final double[] input;
    /**
     * The delay ring buffers of excitatory and inhibitory synaptic input, and the offset of the
     * current tick's slot: the input due to neuron {@code j} now is {@code ringE[ringOffset + j]}.
     * Read only by models that gather their synaptic input themselves (they must zero what they read).
     */
    public double[] ringE;
    public double[] ringI;
    public int ringOffset;
    /**
     * Whether synaptic input goes through the ring buffer. When false (direct delivery: one uniform
     * delay of one tick), spikes were already added to {@link #ge}/{@link #gi} ({@code exp_current}) or to
     * {@link #input} ({@code current_pulse}), and the ring holds nothing.
     */
    public boolean ringActive = true;
    /** Whether {@link #input} may hold anything this tick; when false, every entry is 0 and need not be read. */
    public boolean inputActive = true;
    /** Ticks of refractoriness left. */
    public final int[] refractory;
    /**
     * Bumped by whoever writes {@link #refractory} other than the models' own step (a snapshot restore), so that
     * a model that keeps its own index of refractory neurons rebuilds it from the array.
     */
    public int refractoryVersion;
    /** Time step, ms. */
    public final double dtMs;
    /** The tick being computed. */
    public long tick;

    public NeuronState(int n, double dtMs) {
        this.v = new double[n];
        this.u = new double[n];
        this.ge = new double[n];
        this.gi = new double[n];
        this.input = new double[n];
        this.refractory = new int[n];
        this.dtMs = dtMs;
    }

    public int size() {
        return v.length;
    }
}
