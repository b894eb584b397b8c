package io.neurostream.engine;

import io.neurostream.engine.model.SpikeSink;
import io.neurostream.engine.spec.NetworkSpec.PlasticityRule;
import io.neurostream.engine.spec.NetworkSpec.PlasticitySpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Synaptic plasticity on the outgoing synapses of the plastic presynaptic neurons. Weights are
 * magnitudes, clipped to {@code [w_min, w_max]}; their sign still follows Dale's law. Changes act on
 * spikes delivered from the next tick on.
 *
 * <ul>
 *   <li><b>stdp</b> — pair STDP with traces: a presynaptic trace {@code x} and a postsynaptic trace
 *       {@code y} per neuron decay as {@code e^{-dt/τ+}} and {@code e^{-dt/τ-}} each tick and grow by 1
 *       at each spike. A presynaptic spike depresses each of its synapses by {@code A-·y(post)}; a
 *       postsynaptic spike potentiates each synapse onto it by {@code A+·x(pre)}. Traces are read before
 *       the tick's own spikes are added, so pre and post spikes in the same tick cancel out (Δt = 0:
 *       no change, as in the seed).</li>
 *   <li><b>hebbian</b> — the seed's rule: for each synapse whose presynaptic neuron spiked in the tick,
 *       {@code +η} if the postsynaptic neuron spiked in the same tick, else {@code -η/2}; clipped; then
 *       every plastic weight decays linearly toward 0 by {@code weight_decay} per tick (the seed's
 *       {@code apply_weight_decay}), stopping at {@code w_min} (0 by default, where the seed stops) so that
 *       weights never leave their bounds.</li>
 * </ul>
 */
final class Plasticity {
    private final SynapseStore synapses;
    private final PlasticitySpec spec;
    private final boolean[] plasticPre;
    private final float wMin;
    private final float wMax;
    // stdp
    private final double[] xPre;
    private final double[] yPost;
    private final double decayPlus;
    private final double decayMinus;
    private final int[] inStart;
    private final int[] inSyn;
    private final int[] inPre;
    // hebbian
    private final long[] lastSpike;
    private final int[] plasticRanges;

    Plasticity(SynapseStore synapses, double dtMs, PlasticitySpec spec, boolean[] plasticPre) {
        this.synapses = synapses;
        this.spec = spec;
        this.plasticPre = plasticPre;
        this.wMin = (float) spec.wMin();
        this.wMax = (float) spec.wMax();
        int n = synapses.n;
        float[] w = synapses.weight;
        for (int pre = 0; pre < n; pre++) {
            if (plasticPre[pre]) {
                for (int s = synapses.rowStart[pre]; s < synapses.rowStart[pre + 1]; s++) {
                    w[s] = Math.min(wMax, Math.max(wMin, w[s]));
                }
            }
        }
        if (spec.rule() == PlasticityRule.STDP) {
            xPre = new double[n];
            yPost = new double[n];
            decayPlus = StrictMath.exp(-dtMs / spec.tauPlusMs());
            decayMinus = StrictMath.exp(-dtMs / spec.tauMinusMs());
            // incoming plastic synapses by postsynaptic neuron
            inStart = new int[n + 1];
            for (int pre = 0; pre < n; pre++) {
                if (plasticPre[pre]) {
                    for (int s = synapses.rowStart[pre]; s < synapses.rowStart[pre + 1]; s++) {
                        inStart[synapses.post[s] + 1]++;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                inStart[i + 1] += inStart[i];
            }
            inSyn = new int[inStart[n]];
            inPre = new int[inStart[n]];
            int[] fill = Arrays.copyOf(inStart, n);
            for (int pre = 0; pre < n; pre++) {
                if (plasticPre[pre]) {
                    for (int s = synapses.rowStart[pre]; s < synapses.rowStart[pre + 1]; s++) {
                        int k = fill[synapses.post[s]]++;
                        inSyn[k] = s;
                        inPre[k] = pre;
                    }
                }
            }
            lastSpike = null;
            plasticRanges = null;
        } else {
            xPre = null;
            yPost = null;
            decayPlus = 0;
            decayMinus = 0;
            inStart = null;
            inSyn = null;
            inPre = null;
            lastSpike = new long[n];
            Arrays.fill(lastSpike, -1);
            // contiguous synapse ranges of plastic rows, for the decay pass
            int[] r = new int[16];
            int m = 0;
            for (int pre = 0; pre < n; pre++) {
                if (plasticPre[pre] && synapses.rowStart[pre + 1] > synapses.rowStart[pre]) {
                    if (m > 0 && r[m - 1] == synapses.rowStart[pre]) {
                        r[m - 1] = synapses.rowStart[pre + 1];
                    } else {
                        if (m + 2 > r.length) {
                            r = Arrays.copyOf(r, r.length * 2);
                        }
                        r[m++] = synapses.rowStart[pre];
                        r[m++] = synapses.rowStart[pre + 1];
                    }
                }
            }
            plasticRanges = Arrays.copyOf(r, m);
        }
    }

    void afterTick(long tick, SpikeSink spikes) {
        if (spec.rule() == PlasticityRule.STDP) {
            stdp(spikes);
        } else {
            hebbian(tick, spikes);
        }
    }

    private void stdp(SpikeSink spikes) {
        final double[] x = xPre;
        final double[] y = yPost;
        final double dp = decayPlus;
        final double dm = decayMinus;
        for (int i = 0; i < x.length; i++) {
            x[i] *= dp;
            y[i] *= dm;
        }
        final float[] w = synapses.weight;
        final int[] rs = synapses.rowStart;
        final int[] post = synapses.post;
        final double aMinus = spec.aMinus();
        final double aPlus = spec.aPlus();
        final int[] ids = spikes.array();
        final int count = spikes.size();
        for (int k = 0; k < count; k++) {
            int pre = ids[k];
            if (plasticPre[pre]) {
                for (int s = rs[pre]; s < rs[pre + 1]; s++) {
                    w[s] = clip(w[s] - (float) (aMinus * y[post[s]]));
                }
            }
        }
        for (int k = 0; k < count; k++) {
            int p = ids[k];
            for (int q = inStart[p]; q < inStart[p + 1]; q++) {
                int s = inSyn[q];
                w[s] = clip(w[s] + (float) (aPlus * x[inPre[q]]));
            }
        }
        for (int k = 0; k < count; k++) {
            int id = ids[k];
            x[id] += 1.0;
            y[id] += 1.0;
        }
    }

    private void hebbian(long tick, SpikeSink spikes) {
        final float[] w = synapses.weight;
        final int[] rs = synapses.rowStart;
        final int[] post = synapses.post;
        final int[] ids = spikes.array();
        final int count = spikes.size();
        for (int k = 0; k < count; k++) {
            lastSpike[ids[k]] = tick;
        }
        final float eta = (float) spec.learningRate();
        final float halfEta = (float) (spec.learningRate() * 0.5);
        for (int k = 0; k < count; k++) {
            int pre = ids[k];
            if (plasticPre[pre]) {
                for (int s = rs[pre]; s < rs[pre + 1]; s++) {
                    float nw = lastSpike[post[s]] == tick ? w[s] + eta : w[s] - halfEta;
                    w[s] = clip(nw);
                }
            }
        }
        final float decay = (float) spec.weightDecay();
        if (decay > 0) {
            final float floor = wMin;
            for (int r = 0; r < plasticRanges.length; r += 2) {
                for (int s = plasticRanges[r]; s < plasticRanges[r + 1]; s++) {
                    float v = w[s] - decay;
                    w[s] = v > floor ? v : floor;
                }
            }
        }
    }

    private float clip(float v) {
        return v < wMin ? wMin : (v > wMax ? wMax : v);
    }

    void write(DataOutputStream out) throws IOException {
        float[] w = synapses.weight;
        int n = synapses.n;
        for (int pre = 0; pre < n; pre++) {
            if (plasticPre[pre]) {
                for (int s = synapses.rowStart[pre]; s < synapses.rowStart[pre + 1]; s++) {
                    out.writeInt(Float.floatToRawIntBits(w[s]));
                }
            }
        }
        if (xPre != null) {
            for (int i = 0; i < n; i++) {
                out.writeLong(Double.doubleToRawLongBits(xPre[i]));
                out.writeLong(Double.doubleToRawLongBits(yPost[i]));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.writeLong(lastSpike[i]);
            }
        }
    }

    /** Plastic weights and traces read from a snapshot, not yet applied. */
    static final class Staged {
        final float[] weights;
        final double[] x;
        final double[] y;
        final long[] last;

        Staged(float[] weights, double[] x, double[] y, long[] last) {
            this.weights = weights;
            this.x = x;
            this.y = y;
            this.last = last;
        }
    }

    Staged read(DataInputStream in) throws IOException {
        int n = synapses.n;
        int count = 0;
        for (int pre = 0; pre < n; pre++) {
            if (plasticPre[pre]) {
                count += synapses.rowStart[pre + 1] - synapses.rowStart[pre];
            }
        }
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = Float.intBitsToFloat(in.readInt());
        }
        if (xPre != null) {
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = Double.longBitsToDouble(in.readLong());
                y[i] = Double.longBitsToDouble(in.readLong());
            }
            return new Staged(w, x, y, null);
        }
        long[] last = new long[n];
        for (int i = 0; i < n; i++) {
            last[i] = in.readLong();
        }
        return new Staged(w, null, null, last);
    }

    void commit(Staged s) {
        float[] w = synapses.weight;
        int k = 0;
        for (int pre = 0; pre < synapses.n; pre++) {
            if (plasticPre[pre]) {
                for (int syn = synapses.rowStart[pre]; syn < synapses.rowStart[pre + 1]; syn++) {
                    w[syn] = s.weights[k++];
                }
            }
        }
        if (xPre != null) {
            System.arraycopy(s.x, 0, xPre, 0, xPre.length);
            System.arraycopy(s.y, 0, yPost, 0, yPost.length);
        } else {
            System.arraycopy(s.last, 0, lastSpike, 0, lastSpike.length);
        }
    }
}
