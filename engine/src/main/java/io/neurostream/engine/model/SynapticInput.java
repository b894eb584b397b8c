package io.neurostream.engine.model;

/**
 * How the synaptic input due to a neuron in a tick enters its state, one rule per synapse kind. {@code e} is
 * the excitatory input due and {@code i} the inhibitory input, a magnitude (what the ring buffer holds for the
 * neuron in the tick's slot):
 * <ul>
 *   <li>{@code current_pulse}: E − I adds to the input current of the tick ({@link #currentPulse});</li>
 *   <li>{@code voltage_jump}: E − I adds to v after the tick's integration, before the threshold test
 *       ({@link #voltageJump}); a refractory neuron drops it;</li>
 *   <li>{@code exp_current}: E adds to {@code ge} and I to {@code gi} at the start of the tick
 *       ({@link #expCurrent}). A model that does not integrate the two currents exactly takes
 *       {@code I + ge - gi} as the current of the tick ({@link #foldExpCurrents}); they then decay by
 *       {@code e^{-dt/τ}}.</li>
 * </ul>
 * The engine's gather, for models that do not take their synaptic input themselves, and the built-in models'
 * step loops apply these neuron by neuron. Each is a single expression the JIT inlines, so a loop that calls
 * one compiles as if it were written out, and the arithmetic (hence every bit of the result) is the same.
 */
public final class SynapticInput {
    private SynapticInput() {
    }

    /** {@code current_pulse}: the input current of the tick with the input due added. */
    public static double currentPulse(double current, double e, double i) {
        return current + (e - i);
    }

    /** {@code voltage_jump}: the potential after integration with the input due added (not while refractory). */
    public static double voltageJump(double v, double e, double i) {
        return v + (e - i);
    }

    /**
     * {@code exp_current}: a synaptic current ({@code ge} or {@code gi}) with the input due of its class added
     * ({@code e} to {@code ge}, {@code i} to {@code gi}).
     */
    public static double expCurrent(double g, double due) {
        return g + due;
    }

    /** {@code exp_current}, folded into the input current of a model that does not integrate it exactly. */
    public static double foldExpCurrents(double current, double ge, double gi) {
        return current + (ge - gi);
    }
}
