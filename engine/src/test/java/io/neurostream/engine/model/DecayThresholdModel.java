package io.neurostream.engine.model;

/**
 * The tutorial's custom neuron ("Advanced: Implementing Custom Models", {@code update_custom_neuron}),
 * as a NeuroStream model named {@code decay_threshold}: each tick
 * {@code v ← v·decay + I}, where {@code I} is the tick's whole input (synaptic plus external, which
 * the engine has put into {@link NeuronState#input}); a spike when {@code v ≥ threshold}, after which
 * {@code v ← v_reset}.
 *
 * <p>Parameters: {@code decay} (default 0.9, in [0, 1]), {@code threshold} (-50 mV), {@code v_reset}
 * (-65 mV). Initial {@code v} is {@code v_reset} (the seed's neurons start at -65 mV) unless the
 * spec's {@code init} sets it. Note that, as in the tutorial, {@code v} decays toward 0 mV, not toward
 * a resting potential, so with negative potentials it rises by itself.
 *
 * <p>It does not gather its synaptic input itself ({@link NeuronDynamics#gathersSynapticInput()} is
 * false), so the engine adds it to the input and clears the input after each tick.
 */
public final class DecayThresholdModel implements NeuronModel {

    @Override
    public String name() {
        return "decay_threshold";
    }

    @Override
    public NeuronDynamics create(ModelParameters p) {
        double decay = p.scalar("decay", 0.9, 0.0, 1.0);
        double threshold = p.scalar("threshold", -50.0, -1e4, 1e4);
        double vReset = p.scalar("v_reset", -65.0, -1e4, 1e4);
        boolean initV = !p.initialized("v");
        p.done();
        return new Dynamics(decay, threshold, vReset, initV);
    }

    static final class Dynamics implements NeuronDynamics {
        private double decay;
        private double threshold;
        private double vReset;
        private final boolean initV;

        Dynamics(double decay, double threshold, double vReset, boolean initV) {
            this.decay = decay;
            this.threshold = threshold;
            this.vReset = vReset;
            this.initV = initV;
        }

        @Override
        public void initialize(NeuronState s, int from, int to) {
            if (initV) {
                for (int j = from; j < to; j++) {
                    s.v[j] = vReset;
                }
            }
        }

        @Override
        public void step(NeuronState s, int from, int to, SpikeSink out) {
            final double[] v = s.v;
            final double[] in = s.input;
            final double k = decay;
            final double th = threshold;
            final double reset = vReset;
            for (int j = from; j < to; j++) {
                double nv = v[j] * k + in[j];
                if (nv >= th) {
                    nv = reset;
                    out.add(j);
                }
                v[j] = nv;
            }
        }

        @Override
        public boolean setParameter(String name, double value) {
            switch (name) {
                case "decay": decay = value; return true;
                case "threshold": threshold = value; return true;
                case "v_reset": vReset = value; return true;
                default: return false;
            }
        }
    }
}
