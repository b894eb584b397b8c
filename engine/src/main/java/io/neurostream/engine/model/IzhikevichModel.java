package io.neurostream.engine.model;

import io.neurostream.engine.NeuronType;
import io.neurostream.engine.spec.NetworkSpec.SynapseKind;
import io.neurostream.engine.spec.NetworkSpec.SynapseSpec;

/**
 * Izhikevich (2003): {@code dv/dt = 0.04 v² + 5 v + 140 - u + I}, {@code du/dt = a (b v - u)}, with
 * a spike when {@code v ≥ v_peak} (30 mV), then {@code v ← c}, {@code u ← u + d}. Times in ms.
 *
 * <p>{@code (a, b, c, d)} come from the neuron's type ({@code regular_spiking} 0.02, 0.2, -65, 8;
 * {@code fast_spiking} 0.1, 0.2, -65, 2; {@code bursting} 0.02, 0.2, -55, 4; {@code chattering}
 * 0.02, 0.2, -50, 2; {@code excitatory} as RS, {@code inhibitory} as FS), overridden by
 * {@code izh_a … izh_d} (constants or per-neuron distributions, e.g. {@code {"from_r": [-65, 15, 2]}}).
 * Initial {@code v} is -65 mV and initial {@code u = b·v}, unless the spec's {@code init} says otherwise.
 *
 * <p>Schemes ({@code scheme}): {@code paper} (default) as in the paper's MATLAB code: two half steps
 * of {@code dt/2} for v, then {@code u ← u + dt·a(b v - u)} with the new v; {@code euler}: both from
 * the old state, {@code v ← v + dt·f(v, u)}, {@code u ← u + dt·a(b v - u)}. The threshold is tested
 * after the update and the reset applies at once, which reproduces the MATLAB loop exactly (there the
 * test opens the next iteration). No refractory period. With {@code exp_current} synapses the input
 * current of a tick is {@code I + ge - gi} at the start of the tick; {@code ge}, {@code gi} then decay
 * exactly by {@code e^{-dt/τ}}. With {@code voltage_jump} synapses v jumps after the update, before the threshold test.
 */
public final class IzhikevichModel implements NeuronModel {

    @Override
    public String name() {
        return "izhikevich";
    }

    @Override
    public NeuronDynamics create(ModelParameters p) {
        int n = p.size();
        double[] a0 = new double[n];
        double[] b0 = new double[n];
        double[] c0 = new double[n];
        double[] d0 = new double[n];
        for (int i = 0; i < n; i++) {
            NeuronType t = p.type(i);
            a0[i] = t.izhA;
            b0[i] = t.izhB;
            c0[i] = t.izhC;
            d0[i] = t.izhD;
        }
        Dynamics d = new Dynamics(p.firstNeuron(), p.dtMs(),
                p.perNeuron("izh_a", a0, -1e3, 1e3), p.perNeuron("izh_b", b0, -1e3, 1e3),
                p.perNeuron("izh_c", c0, -1e3, 1e3), p.perNeuron("izh_d", d0, -1e3, 1e3),
                p.scalar("v_peak", 30.0, -1e3, 1e4),
                "paper".equals(p.choice("scheme", "paper", "paper", "euler")),
                !p.initialized("v"), !p.initialized("u"), p.synapse());
        p.done();
        return d;
    }

    static final class Dynamics implements NeuronDynamics {
        private final int first;
        private final double dt;
        private final double[] a;
        private final double[] b;
        private final double[] c;
        private final double[] d;
        private double vPeak;
        private final boolean paper;
        private final boolean initV;
        private final boolean initU;
        private final boolean jump;
        private final boolean expSynapses;
        private final double decayExc;
        private final double decayInh;

        Dynamics(int first, double dt, double[] a, double[] b, double[] c, double[] d, double vPeak,
                boolean paper, boolean initV, boolean initU, SynapseSpec synapse) {
            this.jump = synapse.kind() == SynapseKind.VOLTAGE_JUMP;
            this.expSynapses = synapse.kind() == SynapseKind.EXP_CURRENT;
            this.decayExc = StrictMath.exp(-dt / synapse.tauExcMs());
            this.decayInh = StrictMath.exp(-dt / synapse.tauInhMs());
            this.first = first;
            this.dt = dt;
            this.a = a;
            this.b = b;
            this.c = c;
            this.d = d;
            this.vPeak = vPeak;
            this.paper = paper;
            this.initV = initV;
            this.initU = initU;
        }

        @Override
        public void initialize(NeuronState s, int from, int to) {
            for (int j = from; j < to; j++) {
                if (initV) {
                    s.v[j] = -65.0;
                }
                if (initU) {
                    s.u[j] = b[j - first] * s.v[j];
                }
            }
        }

        @Override
        public void step(NeuronState s, int from, int to, SpikeSink out) {
            if (paper) {
                stepPaper(s, from, to, out);
            } else {
                stepEuler(s, from, to, out);
            }
        }

        private void stepPaper(NeuronState s, int from, int to, SpikeSink out) {
            final double[] v = s.v;
            final double[] u = s.u;
            final double[] in = s.input;
            final double[] ge = s.ge;
            final double[] gi = s.gi;
            final double[] re = s.ringE;
            final double[] ri = s.ringI;
            final int off = s.ringOffset;
            final boolean ring = s.ringActive;
            final boolean inputs = s.inputActive;
            final boolean jump = this.jump;
            final boolean exp = expSynapses;
            final double de = decayExc;
            final double di = decayInh;
            final double[] pa = a;
            final double[] pb = b;
            final double[] pc = c;
            final double[] pd = d;
            final double h = 0.5 * dt;
            final double step = dt;
            final double peak = vPeak;
            final int first = this.first;
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
                double vj = v[j];
                if (exp) {
                    final double gej = SynapticInput.expCurrent(ge[j], e);
                    final double gij = SynapticInput.expCurrent(gi[j], i);
                    current = SynapticInput.foldExpCurrents(current, gej, gij);
                    ge[j] = gej * de;
                    gi[j] = gij * di;
                } else if (!jump) {
                    current = SynapticInput.currentPulse(current, e, i);
                }
                final int k = j - first;
                double uj = u[j];
                vj += h * (0.04 * vj * vj + 5.0 * vj + 140.0 - uj + current);
                vj += h * (0.04 * vj * vj + 5.0 * vj + 140.0 - uj + current);
                uj += step * pa[k] * (pb[k] * vj - uj);
                if (jump) {
                    vj = SynapticInput.voltageJump(vj, e, i);
                }
                if (vj >= peak) {
                    vj = pc[k];
                    uj += pd[k];
                    out.add(j);
                }
                v[j] = vj;
                u[j] = uj;
            }
            out.excitatoryInput += sumE;
            out.inhibitoryInput += sumI;
        }

        private void stepEuler(NeuronState s, int from, int to, SpikeSink out) {
            final double[] v = s.v;
            final double[] u = s.u;
            final double[] in = s.input;
            final double[] ge = s.ge;
            final double[] gi = s.gi;
            final double[] re = s.ringE;
            final double[] ri = s.ringI;
            final int off = s.ringOffset;
            final boolean ring = s.ringActive;
            final boolean inputs = s.inputActive;
            final boolean jump = this.jump;
            final boolean exp = expSynapses;
            final double de = decayExc;
            final double di = decayInh;
            final double step = dt;
            final double peak = vPeak;
            final int first = this.first;
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
                double vj = v[j];
                if (exp) {
                    final double gej = SynapticInput.expCurrent(ge[j], e);
                    final double gij = SynapticInput.expCurrent(gi[j], i);
                    current = SynapticInput.foldExpCurrents(current, gej, gij);
                    ge[j] = gej * de;
                    gi[j] = gij * di;
                } else if (!jump) {
                    current = SynapticInput.currentPulse(current, e, i);
                }
                final int k = j - first;
                double uj = u[j];
                double dv = 0.04 * vj * vj + 5.0 * vj + 140.0 - uj + current;
                double du = a[k] * (b[k] * vj - uj);
                vj += step * dv;
                uj += step * du;
                if (jump) {
                    vj = SynapticInput.voltageJump(vj, e, i);
                }
                if (vj >= peak) {
                    vj = c[k];
                    uj += d[k];
                    out.add(j);
                }
                v[j] = vj;
                u[j] = uj;
            }
            out.excitatoryInput += sumE;
            out.inhibitoryInput += sumI;
        }

        @Override
        public boolean gathersSynapticInput() {
            return true;
        }

        @Override
        public boolean setParameter(String name, double value) {
            double[] target;
            switch (name) {
                case "izh_a": target = a; break;
                case "izh_b": target = b; break;
                case "izh_c": target = c; break;
                case "izh_d": target = d; break;
                case "v_peak": vPeak = value; return true;
                default: return false;
            }
            java.util.Arrays.fill(target, value);
            return true;
        }
    }
}
