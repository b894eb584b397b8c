package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.checksum;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * When every rule from a neuron has one constant weight, its row keeps that weight once (as NEST's
 * {@code static_synapse_hom_w}), and the builder never makes a weight per synapse. The
 * spikes must be those of the store that kept a weight per synapse: the checksums below are that store's (the
 * engine before rows shared weights), on one and two threads, for each way of delivering a spike.
 */
class SharedRowWeightsTest {

    private static String spec(String kind, String delayE, String delayI, String weightE, String weightI,
                               double probability, String plasticity) {
        String params = "\"v_rest\": -60.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"refractory_ms\": ";
        return "{\"name\": \"rows\", \"seed\": 11, \"dt_ms\": 0.1,"
                + " \"populations\": ["
                + "  {\"name\": \"E\", \"count\": 6400, \"type\": \"excitatory\", \"params\": {" + params + "5.0, \"tau_membrane\": 20.0},"
                + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}},"
                + "  {\"name\": \"I\", \"count\": 1600, \"type\": \"inhibitory\", \"params\": {" + params + "2.0, \"tau_membrane\": 10.0},"
                + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}}],"
                + " \"synapse\": {\"kind\": \"" + kind + "\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
                + " \"connections\": ["
                + "  {\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": " + probability + ", \"weight\": " + weightE
                + ", \"delay_ms\": " + delayE + "},"
                + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": " + probability + ", \"weight\": " + weightI
                + ", \"delay_ms\": " + delayI + "}],"
                + plasticity
                + " \"inputs\": [{\"target\": {\"population\": [\"E\", \"I\"]}, \"current\": {\"normal\": [7.0, 6.0]}},"
                + "   {\"target\": {\"population\": \"E\"}, \"poisson\": {\"rate_hz\": 400.0, \"weight\": 1.5}}]}";
    }

    @ParameterizedTest(name = "{0}, delays {1} and {2}")
    @CsvSource(delimiter = '|', value = {
        // per-synapse delays: the ring, slot by synapse
        "exp_current   | {\"uniform\": [0.5, 3.0]} | 1.0 | 0.3  | 1.2   | aa31addbeb9dcd24 | 20081",
        // one delay of 10 ticks: the ring, one slot
        "exp_current   | 1.0 | 1.0 | 0.3  | 1.2   | 1f95e1922f0c0d13 | 20733",
        // one tick: straight into ge/gi, and into next tick's current, I subtracted
        "exp_current   | 0.1 | 0.1 | 0.3  | 1.2   | f5f95f4dac7e7e82 | 23390",
        "current_pulse | 0.1 | 0.1 | 60.0 | 100.0 | 4940d274057f7cca | 7999",
    })
    void shouldSimulateTheSpikesOfAWeightPerSynapse(String kind, String delayE, String delayI, String weightE,
                                                   String weightI, String expected, long spikes) {
        String json = spec(kind, delayE, delayI, weightE, weightI, 0.02, "");
        for (int threads = 1; threads <= 2; threads++) {
            try (Network net = build(json)) {
                assertThat(net.synapses.rowsShareWeights()).isTrue();
                net.setThreads(threads);
                SpikeChecksum cs = checksum(net, 2000);
                assertThat(cs.hex()).as("%d thread(s)", threads).isEqualTo(expected);
                assertThat(cs.count()).isEqualTo(spikes);
            }
        }
    }

    @Test
    void shouldKeepFourBytesLessPerSynapseAndTellEachSynapsesWeight() {
        // sparse enough that many rows are empty: a synapse's row is found past them
        try (Network net = build(spec("exp_current", "0.1", "0.1", "0.3", "1.2", 0.0003, ""))) {
            assertThat(net.synapses.rowsShareWeights()).isTrue();
            long s = net.synapseCount();
            assertThat(s).isPositive();
            assertThat(net.synapseBytes()).isEqualTo(4L * (net.size() + 1) + 4L * s + 4L * net.size());
            int empty = 0;
            for (int pre = 0; pre < net.size(); pre++) {
                empty += net.synapsesFrom(pre) == net.synapsesEnd(pre) ? 1 : 0;
                for (int k = net.synapsesFrom(pre); k < net.synapsesEnd(pre); k++) {
                    assertThat(net.synapseWeight(k)).as("synapse %d of %d", k, pre).isEqualTo(pre < 6400 ? 0.3f : 1.2f);
                }
            }
            assertThat(empty).as("rows without synapses").isGreaterThan(500);
        }
    }

    @Test
    void shouldKeepAWeightPerSynapseWhenRowsDifferOrPlasticityChangesThem() {
        try (Network random = build(spec("exp_current", "0.1", "0.1", "{\"uniform\": [0.1, 0.4]}", "1.2", 0.02, ""))) {
            assertThat(random.synapses.rowsShareWeights()).isFalse();
            assertThat(random.synapseBytes()).isEqualTo(4L * (random.size() + 1) + 8L * random.synapseCount());
        }
        // two rules from E with two weights: E's rows mix them
        String twoWeights = spec("exp_current", "0.1", "0.1", "0.3", "1.2", 0.02, "").replace(
                "{\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.02, \"weight\": 0.3, \"delay_ms\": 0.1},",
                "{\"from\": \"E\", \"to\": \"E\", \"probability\": 0.02, \"weight\": 0.3, \"delay_ms\": 0.1},"
                        + " {\"from\": \"E\", \"to\": \"I\", \"probability\": 0.02, \"weight\": 0.5, \"delay_ms\": 0.1},");
        assertThat(twoWeights).contains("\"weight\": 0.5");
        try (Network mixed = build(twoWeights)) {
            assertThat(mixed.synapses.rowsShareWeights()).isFalse();
            int pre = 0;
            boolean sawBoth = false;
            for (int k = mixed.synapsesFrom(pre); k < mixed.synapsesEnd(pre); k++) {
                float expected = mixed.synapseTarget(k) < 6400 ? 0.3f : 0.5f;
                assertThat(mixed.synapseWeight(k)).isEqualTo(expected);
                sawBoth |= expected == 0.5f;
            }
            assertThat(sawBoth).isTrue();
        }
        String stdp = " \"plasticity\": {\"rule\": \"hebbian\", \"learning_rate\": 0.01},";
        try (Network plastic = build(spec("exp_current", "0.1", "0.1", "0.3", "1.2", 0.02, stdp))) {
            assertThat(plastic.synapses.rowsShareWeights()).as("plasticity changes weights one by one").isFalse();
        }
    }
}
