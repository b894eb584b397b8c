package io.neurostream.simulator.internal;

import io.neurostream.engine.spec.NetworkSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * What a spec will cost before it is built: neurons, expected synapses and the heap they take, so that
 * a CREATE that would not fit is refused with a reason instead of exhausting the heap of a simulator
 * that hosts other networks.
 *
 * <p>The heap estimate is deliberately on the high side; it counts the build's peak, not the steady
 * state:
 * <ul>
 *   <li>{@value #BYTES_PER_SYNAPSE} bytes per expected synapse of a {@code probability} rule: the engine counts
 *       the synapses, then writes them into arrays of their final size (8 bytes per synapse at rest, 10 with
 *       per-synapse delays; a network of a million neurons and 10^8 synapses with a weight each builds in a 1.2 GB
 *       heap and not in 1.1 GB);
 *   <li>{@value #BYTES_PER_IN_DEGREE_SYNAPSE} bytes per synapse of an {@code in_degree} rule, whose sources are drawn
 *       into rows by source first (4 bytes per synapse) and copied into the network's arrays after (a million
 *       neurons with an in-degree of 100 build in a 1.6 GB heap and not in 1.5 GB);
 *   <li>{@value #WEIGHT_BYTES} bytes less per synapse of either kind when each population's outgoing rules share one
 *       constant weight and there is no plasticity: the network then keeps one weight per neuron, not per synapse;
 *   <li>{@value #BYTES_PER_NEURON} bytes per neuron (state arrays, model parameters, lattice lookups,
 *       topology, frame bookkeeping);
 *   <li>two delay rings of {@code neurons x (longest delay in ticks + 1)} doubles (excitatory, inhibitory);
 *   <li>{@value #BASE_BYTES} bytes for the rest.
 * </ul>
 */
public final class Admission {
    public static final long BYTES_PER_SYNAPSE = 12;
    public static final long BYTES_PER_IN_DEGREE_SYNAPSE = 16;
    public static final long BYTES_PER_NEURON = 256;
    public static final long BASE_BYTES = 1L << 20;
    /**
     * What a synapse's own weight takes, left out of both synapse costs when the spec's populations each have one
     * outgoing weight ({@link NetworkSpec#sharedWeightBySource}): the network then keeps one per neuron (a million
     * neurons with 10^8 such synapses build and run in a 600 MB heap).
     */
    public static final long WEIGHT_BYTES = 4;

    private Admission() {
    }

    /** The expected synapse count of a spec's rules: p x |from| x |to|, or in_degree x |to|. */
    public static long synapsesExpected(NetworkSpec spec) {
        Map<String, Long> sizes = populationSizes(spec);
        double total = 0;
        for (NetworkSpec.ConnectionSpec c : spec.connections()) {
            total += expected(c, sizes);
        }
        return (long) Math.min(Long.MAX_VALUE / 2, total);
    }

    /** The most neurons a spec can place: its counts, and for densities the expected share of their areas. */
    public static long neuronsAtMost(NetworkSpec spec) {
        long total = 0;
        for (long n : populationSizes(spec).values()) {
            total += n;
        }
        return total;
    }

    /** The longest synaptic delay of the spec's rules, in ticks (at least 1). */
    public static long longestDelayTicks(NetworkSpec spec) {
        double longest = spec.dtMs();
        for (NetworkSpec.ConnectionSpec c : spec.connections()) {
            if (c.delayMs() != null) {
                longest = Math.max(longest, c.delayMs().max());
            }
        }
        double ticks = Math.ceil(longest / spec.dtMs());
        return (long) Math.min(1_000_000_000L, Math.max(1, ticks));
    }

    /** The heap the spec's network may take at the peak of its build, in bytes (an over-estimate). */
    public static long estimateBytes(NetworkSpec spec) {
        double neurons = neuronsAtMost(spec);
        double bytes = BASE_BYTES + neurons * BYTES_PER_NEURON + synapseBytes(spec)
                + 2.0 * 8.0 * neurons * (longestDelayTicks(spec) + 1);
        return (long) Math.min(Long.MAX_VALUE / 4, bytes);
    }

    /** The expected synapses of each rule times what one costs at the peak of building that kind of rule. */
    private static double synapseBytes(NetworkSpec spec) {
        Map<String, Long> sizes = populationSizes(spec);
        long sharedWeight = spec.sharedWeightBySource() != null ? WEIGHT_BYTES : 0;
        double bytes = 0;
        for (NetworkSpec.ConnectionSpec c : spec.connections()) {
            long perSynapse = c.inDegree() != null ? BYTES_PER_IN_DEGREE_SYNAPSE : BYTES_PER_SYNAPSE;
            bytes += expected(c, sizes) * (perSynapse - sharedWeight);
        }
        return bytes;
    }

    private static double expected(NetworkSpec.ConnectionSpec c, Map<String, Long> sizes) {
        double from = c.from().stream().distinct().mapToLong(sizes::get).sum();
        double to = c.to().stream().distinct().mapToLong(sizes::get).sum();
        return c.inDegree() != null ? (double) c.inDegree() * to : c.probability() * from * to;
    }

    private static Map<String, Long> populationSizes(NetworkSpec spec) {
        Map<String, Long> sizes = new HashMap<>();
        for (NetworkSpec.PopulationSpec p : spec.populations()) {
            long size = p.count() != null ? p.count() : 0;
            if (p.count() == null) {
                for (NetworkSpec.AreaSpec a : spec.areas()) {
                    if (a.name().equals(p.area())) {
                        size = (long) Math.ceil(a.volume() * p.density());
                    }
                }
            }
            sizes.put(p.name(), size);
        }
        return sizes;
    }
}
