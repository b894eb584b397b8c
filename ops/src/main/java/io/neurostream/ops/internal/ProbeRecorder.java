package io.neurostream.ops.internal;

import io.neurostream.engine.Network;
import io.neurostream.engine.Population;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.NetworkSpec.ProbeSpec;
import io.neurostream.engine.spec.SpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records the spec's probes as CSV rows {@code tick,neuron,variable,value}.
 *
 * <p>A probe names populations (its first {@code first} neurons of each, in id order) or neuron
 * ids (the first {@code first} of the list, in the order given), variables ({@code v}, {@code u},
 * {@code ge}, {@code gi}; default {@code v}) and a period {@code every_ms} (default one tick,
 * rounded to whole ticks, at least one). A probe samples after tick {@code k} when
 * {@code k % every_ticks == 0}: the value is the state at the end of the tick,
 * {@code t = (k + 1)·dt}, after any reset. Within a tick, rows come probe by probe in spec order,
 * then neuron by neuron, then variable by variable.
 */
public final class ProbeRecorder {
    private static final List<String> VARIABLES = List.of("v", "u", "ge", "gi");

    private final Probe[] probes;
    private final Network network;
    private long samples;

    private static final class Probe {
        final long everyTicks;
        final int[] neurons;
        final int[] variables; // index into VARIABLES
        final byte[][] labels; // ",v," etc.

        Probe(long everyTicks, int[] neurons, int[] variables) {
            this.everyTicks = everyTicks;
            this.neurons = neurons;
            this.variables = variables;
            this.labels = new byte[variables.length][];
            for (int i = 0; i < variables.length; i++) {
                labels[i] = ("," + VARIABLES.get(variables[i]) + ",").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
    }

    private ProbeRecorder(Probe[] probes, Network network) {
        this.probes = probes;
        this.network = network;
    }

    /**
     * Resolves the spec's probes against a built network. Unknown variables and neuron ids outside
     * the network are {@link SpecException}s naming the file and the probe's key path.
     */
    public static ProbeRecorder of(NetworkSpec spec, Network network) {
        List<Probe> out = new ArrayList<>();
        List<ProbeSpec> specs = spec.probes();
        for (int pi = 0; pi < specs.size(); pi++) {
            ProbeSpec p = specs.get(pi);
            String path = "probes[" + pi + "]";
            int[] vars = new int[p.variables().size()];
            for (int i = 0; i < vars.length; i++) {
                String v = p.variables().get(i);
                vars[i] = VARIABLES.indexOf(v);
                if (vars[i] < 0) {
                    throw new SpecException(spec.source(), path + ".variables[" + i + "]",
                            "unknown variable '" + v + "'; variables: " + String.join(", ", VARIABLES));
                }
            }
            int[] ids;
            if (p.neurons() != null) {
                ids = Arrays.copyOf(p.neurons(), Math.min(p.neurons().length, p.firstN()));
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] < 0 || ids[i] >= network.size()) {
                        throw new SpecException(spec.source(), path + ".neurons[" + i + "]", "no neuron " + ids[i]
                                + ": the network has " + network.size() + " (ids 0.." + (network.size() - 1) + ")");
                    }
                }
            } else {
                int total = 0;
                for (String name : p.populations()) {
                    total += Math.min(network.population(name).size(), p.firstN());
                }
                ids = new int[total];
                int m = 0;
                for (String name : p.populations()) {
                    Population pop = network.population(name);
                    int end = pop.start() + Math.min(pop.size(), p.firstN());
                    for (int id = pop.start(); id < end; id++) {
                        ids[m++] = id;
                    }
                }
            }
            long every = Math.max(1, Math.round(p.everyMs() / spec.dtMs()));
            out.add(new Probe(every, ids, vars));
        }
        return new ProbeRecorder(out.toArray(new Probe[0]), network);
    }

    /** Writes the samples due after tick {@code tick} (call it once per tick, after {@code step()}). */
    public void sample(long tick, CsvWriter csv) {
        for (Probe p : probes) {
            if (tick % p.everyTicks != 0) {
                continue;
            }
            for (int id : p.neurons) {
                for (int i = 0; i < p.variables.length; i++) {
                    double value = network.variable(id, VARIABLES.get(p.variables[i]));
                    csv.number(tick).comma().number((long) id).bytes(p.labels[i]).number(value).newline();
                    samples++;
                }
            }
        }
    }

    /** Values recorded so far. */
    public long samples() {
        return samples;
    }
}
