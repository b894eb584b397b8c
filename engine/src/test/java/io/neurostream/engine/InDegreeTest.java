package io.neurostream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code in_degree} rules: every target gets exactly that many distinct sources (itself excluded without
 * autapses), the draw is the same on every build, and the synapses are those this build has always drawn.
 */
class InDegreeTest {
    /** Sources and targets over three populations in two rules, one with autapses and per-synapse delays. */
    static final String SPEC = """
            {"name": "indegree", "seed": 77, "dt_ms": 0.1,
             "populations": [
               {"name": "A", "count": 300, "model": "lif", "type": "excitatory"},
               {"name": "B", "count": 200, "model": "lif", "type": "inhibitory"},
               {"name": "C", "count": 150, "model": "lif", "type": "excitatory"}],
             "connections": [
               {"from": ["A", "C"], "to": ["A", "B"], "in_degree": 40, "weight": {"uniform": [0.5, 1.5]}, "delay_ms": 0.1},
               {"from": "B", "to": ["C", "B"], "in_degree": 199, "autapses": true, "weight": 2.0,
                "delay_ms": {"uniform": [0.1, 2.0]}}]}""";

    @Test
    void shouldGiveEveryTargetExactlyItsInDegreeOfDistinctSources() {
        try (Network net = Network.build(SpecParser.parse(SPEC, "test"))) {
            int[][] sources = new int[net.size()][];
            Set<Long> pairs = new HashSet<>();
            int[] inA = new int[net.size()];
            int[] inB = new int[net.size()];
            for (int pre = 0; pre < net.size(); pre++) {
                for (int s = net.synapsesFrom(pre); s < net.synapsesEnd(pre); s++) {
                    int post = net.synapseTarget(s);
                    if (net.isInhibitory(pre)) {
                        inB[post]++;
                    } else {
                        inA[post]++;
                        assertThat(post).as("no autapses in the first rule").isNotEqualTo(pre);
                        assertThat(pairs.add(((long) pre << 32) | post)).as("distinct sources").isTrue();
                    }
                }
            }
            for (int post = 0; post < net.size(); post++) {
                boolean inAorB = post < 500;
                boolean inBorC = post >= 300;
                assertThat(inA[post]).isEqualTo(inAorB ? 40 : 0);
                assertThat(inB[post]).isEqualTo(inBorC ? 199 : 0);
            }
            assertThat(net.synapseCount()).isEqualTo(500L * 40 + 350L * 199);
        }
    }

    @Test
    void shouldDrawTheSameSynapsesAsAlways() {
        try (Network net = Network.build(SpecParser.parse(SPEC, "test"))) {
            assertThat(synapseHash(net)).isEqualTo(PINNED);
        }
    }

    @Test
    void shouldRefuseAnInDegreeLargerThanTheSourcesWithOneErrorNamingIt() {
        String tooMany = SPEC.replace("\"in_degree\": 199, \"autapses\": true", "\"in_degree\": 200");
        assertThatThrownBy(() -> Network.build(SpecParser.parse(tooMany, "test")))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("connections[1].in_degree")
                .hasMessageContaining("200 exceeds the 199 possible presynaptic neurons");
    }

    /** Drawn by the build of commit b722e20, which materialized every (pre, post) pair before transposing them. */
    static final String PINNED = "ef4765685b7f48eb";

    /** FNV-1a over every synapse's pre, post, weight bits and delay, in storage order. */
    static String synapseHash(Network net) {
        long h = 0xcbf29ce484222325L;
        for (int pre = 0; pre < net.size(); pre++) {
            for (int s = net.synapsesFrom(pre); s < net.synapsesEnd(pre); s++) {
                for (long v : new long[] {pre, net.synapseTarget(s), Float.floatToRawIntBits(net.synapseWeight(s)),
                    net.synapseDelayTicks(s)}) {
                    h = (h ^ v) * 0x100000001b3L;
                }
            }
        }
        return Long.toHexString(h);
    }
}
