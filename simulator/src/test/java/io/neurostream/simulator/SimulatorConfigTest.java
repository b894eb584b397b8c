package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    @Test
    void shouldDeriveTheGroupFromTheTopicPrefixSoThatTwoDeploymentsNeverFenceEachOther() {
        SimulatorConfig lab1 = new SimulatorConfig(Map.of(SimulatorConfig.TOPIC_PREFIX, "lab1.",
                SimulatorConfig.INSTANCE_ID, "sim-1"));
        SimulatorConfig lab2 = new SimulatorConfig(Map.of(SimulatorConfig.TOPIC_PREFIX, "lab2.",
                SimulatorConfig.INSTANCE_ID, "sim-1"));
        assertThat(lab1.groupId()).isEqualTo("lab1.simulator");
        assertThat(new SimulatorConfig(Map.of()).groupId()).isEqualTo("neurostream.simulator");
        assertThat(SimulatorService.producerConfig(lab1).get("transactional.id")).isEqualTo("lab1.simulator-sim-1");
        assertThat(SimulatorService.producerConfig(lab2).get("transactional.id")).isEqualTo("lab2.simulator-sim-1");
        assertThat(SimulatorService.consumerConfig(lab2).get("group.id")).isEqualTo("lab2.simulator");
    }

    @Test
    void shouldUseAGivenGroup() {
        SimulatorConfig c = new SimulatorConfig(Map.of(SimulatorConfig.TOPIC_PREFIX, "lab1.",
                SimulatorConfig.GROUP_ID, "shared", SimulatorConfig.INSTANCE_ID, "sim-9"));
        assertThat(c.groupId()).isEqualTo("shared");
        assertThat(SimulatorService.producerConfig(c).get("transactional.id")).isEqualTo("shared-sim-9");
    }
}
