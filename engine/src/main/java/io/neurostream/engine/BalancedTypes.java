package io.neurostream.engine;

import io.neurostream.engine.random.CounterRng;

/**
 * The seed's {@code create_balanced_network_types}: {@code n_inh = ⌊N·f⌋} fast-spiking,
 * {@code ⌊(N - n_inh)·0.2⌋} bursting, the rest regular spiking, shuffled (Fisher-Yates driven by a
 * counter-based stream, so the same seed gives the same arrangement).
 */
public final class BalancedTypes {
    private BalancedTypes() {
    }

    /** The types of {@code n} neurons with inhibitory fraction {@code f}, in shuffled order. */
    public static NeuronType[] create(int n, double inhibitoryFraction, long streamKey) {
        int nInh = (int) Math.floor(n * inhibitoryFraction);
        int nExc = n - nInh;
        int nBurst = (int) Math.floor(nExc * 0.2);
        int nRegular = nExc - nBurst;
        NeuronType[] t = new NeuronType[n];
        int k = 0;
        for (int i = 0; i < nRegular; i++) {
            t[k++] = NeuronType.REGULAR_SPIKING;
        }
        for (int i = 0; i < nBurst; i++) {
            t[k++] = NeuronType.BURSTING;
        }
        for (int i = 0; i < nInh; i++) {
            t[k++] = NeuronType.FAST_SPIKING;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (CounterRng.uniform(streamKey, i, 0) * (i + 1));
            NeuronType x = t[i];
            t[i] = t[j];
            t[j] = x;
        }
        return t;
    }
}
