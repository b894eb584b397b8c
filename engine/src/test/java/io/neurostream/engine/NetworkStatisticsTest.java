package io.neurostream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.spec.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network statistics against an independent simulator: CUBA (Brette et al. 2007) and the
 * Izhikevich (2003) network, run here for several seeds and compared with Brian2's rates and
 * synaptic-event counts over seeds ({@code reference/brian2-rates.json}, measured with the commands
 * it names). The engine passes when its mean over seeds lies within the seed-to-seed spread of
 * Brian2 (three standard deviations of Brian2's values around Brian2's mean) — the test fails if a
 * model, a synapse kind, the delivery schedule or the connectivity is wrong, since each of those
 * moves these networks' rates by far more than that.
 */
class NetworkStatisticsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[] SEEDS = {11, 12, 13, 14};
    private static JsonNode reference;

    @BeforeAll
    static void loadReference() throws IOException {
        try (InputStream in = NetworkStatisticsTest.class.getResourceAsStream("/reference/brian2-rates.json")) {
            assertThat(in).as("reference/brian2-rates.json on the test class path").isNotNull();
            reference = JSON.readTree(in);
        }
    }

    /** Runs the spec for 1 s with each seed; returns {rate_e_hz, rate_i_hz, syn_events} per seed. */
    private static double[][] run(String resource) throws IOException {
        String text;
        try (InputStream in = NetworkStatisticsTest.class.getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        double[][] out = new double[SEEDS.length][];
        for (int s = 0; s < SEEDS.length; s++) {
            ObjectNode tree = (ObjectNode) JSON.readTree(text);
            tree.put("seed", SEEDS[s]);
            Network net = Network.build(SpecParser.parse(JSON.writeValueAsString(tree), resource));
            long ticks = Math.round(1000.0 / net.dtMs());
            long spikesE = 0;
            long spikesI = 0;
            for (long k = 0; k < ticks; k++) {
                net.step();
                spikesE += net.spikesOfPopulation(0);
                spikesI += net.spikesOfPopulation(1);
            }
            out[s] = new double[] {
                spikesE / (double) net.populations().get(0).size(),
                spikesI / (double) net.populations().get(1).size(),
                net.totalSynapticEvents()
            };
        }
        return out;
    }

    private static void assertWithinBrian2Spread(String network, String metric, double[][] runs, int column) {
        double mean = 0;
        for (double[] r : runs) {
            mean += r[column] / runs.length;
        }
        JsonNode ref = reference.get(network).get(metric);
        double refMean = ref.get("mean").asDouble();
        double refSd = ref.get("sd").asDouble();
        assertThat(refSd).as("Brian2 spread of %s %s", network, metric).isPositive();
        assertThat(mean)
                .as("%s %s: NeuroStream mean over seeds %s vs Brian2 %.4g ± %.3g (sd over seeds)",
                        network, metric, java.util.Arrays.toString(SEEDS), refMean, refSd)
                .isBetween(refMean - 3 * refSd, refMean + 3 * refSd);
    }

    @Test
    void shouldMatchBrian2RatesAndEventsOnCuba() throws IOException {
        double[][] runs = run("/specs/cuba.json");
        assertWithinBrian2Spread("cuba", "rate_e_hz", runs, 0);
        assertWithinBrian2Spread("cuba", "rate_i_hz", runs, 1);
        assertWithinBrian2Spread("cuba", "syn_events", runs, 2);
    }

    @Test
    void shouldMatchBrian2RatesAndEventsOnIzhikevich2003() throws IOException {
        double[][] runs = run("/specs/izhikevich2003.json");
        assertWithinBrian2Spread("izhikevich2003", "rate_e_hz", runs, 0);
        assertWithinBrian2Spread("izhikevich2003", "rate_i_hz", runs, 1);
        assertWithinBrian2Spread("izhikevich2003", "syn_events", runs, 2);
    }
}
