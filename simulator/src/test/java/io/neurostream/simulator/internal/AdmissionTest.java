package io.neurostream.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static NetworkSpec million(String rule) {
        return million(rule, "{\"uniform\": [0.05, 0.15]}");
    }

    private static NetworkSpec million(String rule, String weight) {
        return SpecParser.parse("{\"name\": \"m\", \"seed\": 1, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\","
                + " \"count\": 1000000, \"model\": \"lif\", \"type\": \"excitatory\"}], \"connections\": [{\"from\": \"E\","
                + " \"to\": \"E\", " + rule + ", \"weight\": " + weight + ", \"delay_ms\": 0.1}]}", "m.json");
    }

    @Test
    void shouldEstimateAProbabilityRuleByItsFinalArraysAndAnInDegreeRuleByItsDrawnPairs() {
        NetworkSpec probability = million("\"probability\": 0.0001");
        NetworkSpec inDegree = million("\"in_degree\": 100");
        assertThat(Admission.synapsesExpected(probability)).isEqualTo(100_000_000L);
        assertThat(Admission.synapsesExpected(inDegree)).isEqualTo(100_000_000L);
        long rest = Admission.BASE_BYTES + 1_000_000L * Admission.BYTES_PER_NEURON + 2L * 8 * 1_000_000 * 2;
        assertThat(Admission.estimateBytes(probability)).isEqualTo(rest + 100_000_000L * Admission.BYTES_PER_SYNAPSE);
        assertThat(Admission.estimateBytes(inDegree)).isEqualTo(rest + 100_000_000L * Admission.BYTES_PER_IN_DEGREE_SYNAPSE);
        // the probability rule's network builds in a 1.2 GB heap: the estimate stays above that, below 1.6 GB
        assertThat(Admission.estimateBytes(probability)).isBetween(1_200_000_000L, 1_600_000_000L);
    }

    @Test
    void shouldLeaveTheWeightsOutWhenEachPopulationHasOneOutgoingWeight() {
        NetworkSpec probability = million("\"probability\": 0.0001", "0.1");
        NetworkSpec inDegree = million("\"in_degree\": 100", "0.1");
        assertThat(probability.sharedWeightBySource()).containsEntry("E", 0.1f);
        long rest = Admission.BASE_BYTES + 1_000_000L * Admission.BYTES_PER_NEURON + 2L * 8 * 1_000_000 * 2;
        assertThat(Admission.estimateBytes(probability))
                .isEqualTo(rest + 100_000_000L * (Admission.BYTES_PER_SYNAPSE - Admission.WEIGHT_BYTES));
        assertThat(Admission.estimateBytes(inDegree))
                .isEqualTo(rest + 100_000_000L * (Admission.BYTES_PER_IN_DEGREE_SYNAPSE - Admission.WEIGHT_BYTES));
    }
}
