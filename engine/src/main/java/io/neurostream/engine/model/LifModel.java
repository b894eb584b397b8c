package io.neurostream.engine.model;

import io.neurostream.engine.spec.NetworkSpec.SynapseKind;

/**
 * Leaky integrate-and-fire: {@code tau_membrane · dv/dt = -(v - v_rest) + r · I}.
 *
 * <p>Parameters (tutorial defaults): {@code v_rest} -65 mV, {@code v_threshold} -50 mV,
 * {@code v_reset} -65 mV, {@code tau_membrane} 10 ms, {@code refractory_ms} 0, {@code r} 1 (so that
 * currents are in mV), {@code integration} {@code exact} (default) or {@code euler}.
 *
 * <p>Integration over one tick of length {@code dt}, with the input current {@code I} constant over
 * the tick:
 * <ul>
 *   <li>{@code exact}: {@code v ← v∞ + (v - v∞)·e^{-dt/τ}} with {@code v∞ = v_rest + r·I}. With
 *       {@code exp_current} synapses the coupled linear system is solved exactly as well (as Brian2's
 *       {@code method='exact'} does): the excitatory current {@code ge} (decaying with {@code τe})
 *       adds {@code r·ge·τe/(τe - τ)·(e^{-dt/τe} - e^{-dt/τ})} (or {@code r·ge·(dt/τ)·e^{-dt/τ}}
 *       when {@code τe = τ}), likewise {@code -gi} with {@code τi}.</li>
 *   <li>{@code euler}: {@code v ← v + dt/τ · (-(v - v_rest) + r·I)} (the seed's scheme), with
 *       {@code exp_current} folded into {@code I} at the start of the tick.</li>
 * </ul>
 * The threshold is tested on the updated potential ({@code v ≥ v_threshold}); a spiking neuron is
 * set to {@code v_reset} at once and then held there for {@code round(refractory_ms / dt)} ticks,
 * during which it neither integrates nor spikes (its synaptic currents still decay).
 */
public final class LifModel implements NeuronModel {

    @Override
    public String name() {
        return "lif";
    }

    @Override
    public NeuronDynamics create(ModelParameters p) {
        Dynamics d = new Dynamics(p);
        p.done();
        return d;
    }

    static final class Dynamics implements NeuronDynamics {
        private final double dt;
        private final boolean exact;
        private final SynapseKind kind;
        private final double tauE;
        private final double tauI;
        private final boolean initV;
        private double vRest;
        private double vThreshold;
        private double vReset;
        private double tauMembrane;
        private double refractoryMs;
        private double r;
        // derived, recomputed when a parameter changes
        private int refractoryTicks;
        private double propagator;
        private double eulerFactor;
        private double kExc;
        private double kInh;
        private double decayExc;
        private double decayInh;

        Dynamics(ModelParameters p) {
            dt = p.dtMs();
            vRest = p.scalar("v_rest", -65.0, -1e4, 1e4);
            vThreshold = p.scalar("v_threshold", -50.0, -1e4, 1e4);
            vReset = p.scalar("v_reset", -65.0, -1e4, 1e4);
            tauMembrane = p.scalar("tau_membrane", 10.0, 1e-6, 1e9);
            refractoryMs = p.scalar("refractory_ms", 0.0, 0.0, 1e9);
            r = p.scalar("r", 1.0, 0.0, 1e9);
            exact = "exact".equals(p.choice("integration", "exact", "exact", "euler"));
            kind = p.synapse().kind();
            tauE = p.synapse().tauExcMs();
            tauI = p.synapse().tauInhMs();
            initV = !p.initialized("v");
            derive();
        }

        private void derive() {
            refractoryTicks = (int) Math.round(refractoryMs / dt);
            propagator = StrictMath.exp(-dt / tauMembrane);
            eulerFactor = dt / tauMembrane;
            kExc = coupling(tauE);
            kInh = coupling(tauI);
            decayExc = StrictMath.exp(-dt / tauE);
            decayInh = StrictMath.exp(-dt / tauI);
        }

        /** Exact contribution to v at the end of a tick of a unit synaptic current decaying with tauSyn. */
        private double coupling(double tauSyn) {
            double em = StrictMath.exp(-dt / tauMembrane);
            if (Math.abs(tauSyn - tauMembrane) < 1e-12 * tauMembrane) {
                return (dt / tauMembrane) * em;
            }
            return tauSyn / (tauSyn - tauMembrane) * (StrictMath.exp(-dt / tauSyn) - em);
        }

        @Override
        public void initialize(NeuronState s, int from, int to) {
            if (initV) {
                for (int j = from; j < to; j++) {
                    s.v[j] = vRest;
                }
            }
        }

        @Override
        public boolean gathersSynapticInput() {
            return true;
        }

        @Override
        public void step(NeuronState s, int from, int to, SpikeSink out) {
            if (exact) {
                stepExact(s, from, to, out);
            } else {
                stepEuler(s, from, to, out);
            }
        }

        /**
         * Exact integration. Synaptic input is taken from the ring buffer here: added to the current of
         * this tick ({@code current_pulse}), or to v after integrating and before the threshold test
         * ({@code voltage_jump}, as NEST's iaf_psc_delta; discarded while refractory); {@code exp_current}
         * synapses in {@link #stepExactExp}.
         */
        private void stepExact(NeuronState s, int from, int to, SpikeSink out) {
            if (kind == SynapseKind.EXP_CURRENT) {
                stepExactExp(s, from, to, out);
                return;
            }
            final double[] v = s.v;
            final double[] in = s.input;
            final int[] ref = s.refractory;
            final double[] re = s.ringE;
            final double[] ri = s.ringI;
            final int off = s.ringOffset;
            final boolean ring = s.ringActive;
            final boolean inputs = s.inputActive;
            final boolean jump = kind == SynapseKind.VOLTAGE_JUMP;
            final double p = propagator;
            final double rest = vRest;
            final double th = vThreshold;
            final double reset = vReset;
            final double res = r;
            final int refTicks = refractoryTicks;
            double sumE = 0.0;
            double sumI = 0.0;
            for (int j = from; j < to; j++) {
                double e = 0.0;
                double i = 0.0;
                if (ring) {
                    e = re[off + j];
                    i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                }
                double current = 0.0;
                if (inputs) {
                    current = in[j];
                    in[j] = 0.0;
                }
                if (!jump) {
                    current = SynapticInput.currentPulse(current, e, i);
                }
                if (ref[j] > 0) {
                    ref[j]--;
                    v[j] = reset;
                    continue;
                }
                double vInf = rest + res * current;
                double vn = vInf + (v[j] - vInf) * p;
                if (jump) {
                    vn = SynapticInput.voltageJump(vn, e, i);
                }
                if (vn >= th) {
                    vn = reset;
                    ref[j] = refTicks;
                    out.add(j);
                }
                v[j] = vn;
            }
            out.excitatoryInput += sumE;
            out.inhibitoryInput += sumI;
        }

        /**
         * {@link #stepExact} for {@code exp_current} synapses, the same arithmetic in the same order (so the same
         * bits), in passes the JIT can vectorize: the ring slot into {@code ge}/{@code gi} (its sums in neuron
         * order), then every neuron's potential and decayed currents with no branch, then the threshold test of
         * the neurons not refractory, then the refractory ones held at reset. The second pass computes a
         * refractory neuron's potential too and the last overwrites it: cheaper than a branch per neuron. The
         * refractory neurons are kept as a list per chunk (in its sink, see {@link SpikeSink#held}), so no pass
         * over all neurons branches on them: a few percent of neurons at random places would cost a
         * mispredicted branch each.
         */
        private void stepExactExp(NeuronState s, int from, int to, SpikeSink out) {
            final double[] v = s.v;
            final double[] ge = s.ge;
            final double[] gi = s.gi;
            if (s.ringActive) {
                final double[] re = s.ringE;
                final double[] ri = s.ringI;
                final int off = s.ringOffset;
                double sumE = 0.0;
                double sumI = 0.0;
                for (int j = from; j < to; j++) {
                    final double e = re[off + j];
                    final double i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                    ge[j] = SynapticInput.expCurrent(ge[j], e);
                    gi[j] = SynapticInput.expCurrent(gi[j], i);
                }
                out.excitatoryInput += sumE;
                out.inhibitoryInput += sumI;
            }
            final double p = propagator;
            final double rest = vRest;
            final double res = r;
            final double ke = r * kExc;
            final double ki = r * kInh;
            final double de = decayExc;
            final double di = decayInh;
            if (s.inputActive) {
                final double[] in = s.input;
                for (int j = from; j < to; j++) {
                    final double gej = ge[j];
                    final double gij = gi[j];
                    ge[j] = gej * de;
                    gi[j] = gij * di;
                    final double vInf = rest + res * in[j];
                    in[j] = 0.0;
                    v[j] = vInf + (v[j] - vInf) * p + (ke * gej - ki * gij);
                }
            } else {
                final double vInf = rest + res * 0.0; // as with an input current of 0, to the bit
                for (int j = from; j < to; j++) {
                    final double gej = ge[j];
                    final double gij = gi[j];
                    ge[j] = gej * de;
                    gi[j] = gij * di;
                    v[j] = vInf + (v[j] - vInf) * p + (ke * gej - ki * gij);
                }
            }
            final int[] ref = s.refractory;
            final double th = vThreshold;
            final double reset = vReset;
            final int refTicks = refractoryTicks;
            if (out.heldVersion != s.refractoryVersion || out.heldFrom != from || out.heldTo != to) {
                out.heldCount = 0;
                for (int j = from; j < to; j++) {
                    if (ref[j] > 0) {
                        out.hold(j);
                    }
                }
                out.heldFrom = from;
                out.heldTo = to;
                out.heldVersion = s.refractoryVersion;
            }
            final int firstSpike = out.size();
            for (int j = from; j < to; j++) {
                if (v[j] >= th && ref[j] == 0) { // a refractory neuron (ref > 0 until the loop below) does not spike
                    v[j] = reset;
                    ref[j] = refTicks;
                    out.add(j);
                }
            }
            final int[] held = out.held;
            int kept = 0;
            for (int h = 0, m = out.heldCount; h < m; h++) {
                final int j = held[h];
                v[j] = reset;
                if (--ref[j] > 0) {
                    held[kept++] = j;
                }
            }
            out.heldCount = kept;
            if (refTicks > 0) {
                final int[] ids = out.array();
                for (int x = firstSpike, m = out.size(); x < m; x++) {
                    out.hold(ids[x]);
                }
            }
        }

        /** Forward Euler (the seed's scheme); synaptic input as in {@link #stepExact}, exp currents folded into I. */
        private void stepEuler(NeuronState s, int from, int to, SpikeSink out) {
            final double[] v = s.v;
            final double[] in = s.input;
            final double[] ge = s.ge;
            final double[] gi = s.gi;
            final int[] ref = s.refractory;
            final double[] re = s.ringE;
            final double[] ri = s.ringI;
            final int off = s.ringOffset;
            final boolean ring = s.ringActive;
            final boolean inputs = s.inputActive;
            final boolean exp = kind == SynapseKind.EXP_CURRENT;
            final boolean jump = kind == SynapseKind.VOLTAGE_JUMP;
            final double de = decayExc;
            final double di = decayInh;
            final double f = eulerFactor;
            final double rest = vRest;
            final double th = vThreshold;
            final double reset = vReset;
            final double res = r;
            final int refTicks = refractoryTicks;
            double sumE = 0.0;
            double sumI = 0.0;
            for (int j = from; j < to; j++) {
                double e = 0.0;
                double i = 0.0;
                if (ring) {
                    e = re[off + j];
                    i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                }
                double current = 0.0;
                if (inputs) {
                    current = in[j];
                    in[j] = 0.0;
                }
                if (exp) {
                    final double gej = SynapticInput.expCurrent(ge[j], e);
                    final double gij = SynapticInput.expCurrent(gi[j], i);
                    current = SynapticInput.foldExpCurrents(current, gej, gij);
                    ge[j] = gej * de;
                    gi[j] = gij * di;
                } else if (!jump) {
                    current = SynapticInput.currentPulse(current, e, i);
                }
                if (ref[j] > 0) {
                    ref[j]--;
                    v[j] = reset;
                    continue;
                }
                double vj = v[j];
                double vn = vj + f * (-(vj - rest) + res * current);
                if (jump) {
                    vn = SynapticInput.voltageJump(vn, e, i);
                }
                if (vn >= th) {
                    vn = reset;
                    ref[j] = refTicks;
                    out.add(j);
                }
                v[j] = vn;
            }
            out.excitatoryInput += sumE;
            out.inhibitoryInput += sumI;
        }

        @Override
        public boolean setParameter(String name, double value) {
            switch (name) {
                case "v_rest": vRest = value; break;
                case "v_threshold": vThreshold = value; break;
                case "v_reset": vReset = value; break;
                case "tau_membrane":
                    if (!(value > 0)) {
                        throw new IllegalArgumentException("tau_membrane must be > 0, got " + value);
                    }
                    tauMembrane = value;
                    break;
                case "refractory_ms":
                    if (!(value >= 0)) {
                        throw new IllegalArgumentException("refractory_ms must be >= 0, got " + value);
                    }
                    refractoryMs = value;
                    break;
                case "r": r = value; break;
                default: return false;
            }
            derive();
            return true;
        }
    }
}
