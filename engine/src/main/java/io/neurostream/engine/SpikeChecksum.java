package io.neurostream.engine;

import io.neurostream.engine.random.CounterRng;

/**
 * A 64-bit hash of a spike list sorted by tick, then neuron: {@code h ← mix(h ⊕ (tick·2^32 + neuron))}
 * for each spike in order, starting from a fixed constant, where {@code mix} is SplitMix64's
 * finaliser. Two runs have the same checksum when they have the same spikes (bit-for-bit
 * determinism is checked this way), and it is printed as 16 hex digits.
 */
public final class SpikeChecksum {
    private long hash = 0x6E6575726F737472L; // "neurostr"
    private long count;

    public void add(long tick, int neuron) {
        hash = CounterRng.mix(hash ^ ((tick << 32) + (neuron & 0xFFFFFFFFL)));
        count++;
    }

    /** Adds the spikes of one tick, already sorted by neuron. */
    public void add(long tick, int[] neurons, int n) {
        long h = hash;
        for (int i = 0; i < n; i++) {
            h = CounterRng.mix(h ^ ((tick << 32) + (neurons[i] & 0xFFFFFFFFL)));
        }
        hash = h;
        count += n;
    }

    public long value() {
        return hash;
    }

    public long count() {
        return count;
    }

    public String hex() {
        return String.format("%016x", hash);
    }
}
