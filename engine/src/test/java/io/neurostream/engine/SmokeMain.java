package io.neurostream.engine;

import io.neurostream.engine.spec.SpecParser;
import java.nio.file.Path;

public class SmokeMain {
    public static void main(String[] a) {
        for (String f : a) {
            Network net = Network.build(SpecParser.parse(Path.of(f)));
            long ticks = Math.round(1000.0 / net.dtMs());
            for (int rep = 0; rep < 3; rep++) {
                net = Network.build(SpecParser.parse(Path.of(f)));
                SpikeChecksum cs = new SpikeChecksum();
                int[] pc = new int[net.populations().size()];
                long t0 = System.nanoTime();
                for (long k = 0; k < ticks; k++) {
                    net.step();
                    cs.add(k, net.spikes().array(), net.spikes().size());
                    for (int p = 0; p < pc.length; p++) pc[p] += net.spikesOfPopulation(p);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                StringBuilder sb = new StringBuilder();
                for (Population p : net.populations()) sb.append(p.name()).append("=").append(pc[p.index()] / (double) p.size()).append("Hz ");
                System.out.printf("%s n=%d syn=%d t=%.3fs spikes=%d events=%d %s cs=%s%n", f, net.size(), net.synapseCount(), s, net.totalSpikes(), net.totalSynapticEvents(), sb, cs.hex());
            }
        }
    }
}
