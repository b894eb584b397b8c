package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.List;
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

    /**
     * simulator.status.interval.ms paces the statuses of a network that is not computing; one that
     * computes gets a Status with every transaction (what a successor's recovery reads), so while it
     * runs the interval has no visible effect, and its documentation has to say so.
     */
    @Test
    void shouldPaceTheStatusesOfAnIdleNetworkByTheIntervalAndSayThatARunningOneReportsEveryCommit() {
        String doc = SimulatorConfig.DEF.configKeys().get(SimulatorConfig.STATUS_INTERVAL_MS).documentation;
        assertThat(doc).as("the documentation of %s", SimulatorConfig.STATUS_INTERVAL_MS)
                .contains(SimulatorConfig.COMMIT_INTERVAL_MS).contains("RUNNING");

        try (SimulatorTestDriver d = new SimulatorTestDriver(Map.of(SimulatorConfig.STATUS_INTERVAL_MS, "2000"))) {
            d.pipeControl(Commands.create("idle", SimulatorCoreTest.CUBA));
            int before = d.statuses().size();
            d.advanceWallClock(Duration.ofMillis(10_500));
            List<Status> idle = d.statuses().subList(before, d.statuses().size());
            assertThat(idle).as("statuses of a CREATED network in 10.5 s at one per 2 s").hasSizeBetween(5, 6);
            for (int i = 1; i < idle.size(); i++) {
                assertThat(idle.get(i).getUpdatedAtMs() - idle.get(i - 1).getUpdatedAtMs()).isEqualTo(2000);
            }

            d.pipeControl(Commands.start("idle", 1.0));
            before = d.statuses().size();
            for (int commit = 0; commit < 10; commit++) {
                d.advanceWallClock(Duration.ofMillis(100));
                d.core().onCommit(d.wallClockMs());
            }
            List<Status> running = d.statuses().subList(before, d.statuses().size());
            assertThat(running).as("statuses of a RUNNING network over 10 commits within 1 s, interval 2 s")
                    .hasSizeGreaterThanOrEqualTo(10).allSatisfy(s -> assertThat(s.getState()).isEqualTo(RunState.RUNNING));
        }
    }
}
