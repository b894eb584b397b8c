package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator at least once ({@code simulator.exactly.once=false}: an idempotent producer, no
 * transactions) against a real broker in this JVM: the same spikes as the engine, its consumed offsets
 * committed by the loop while it runs (they wait for the records sent before them to be acknowledged,
 * never for ever), and a clean restart that continues the run.
 */
class AtLeastOnceIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private ServiceHarness it;
    private SimulatorService service;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        it = new ServiceHarness("alo", WAIT, Map.of(), () -> service);
        service = start();
    }

    @AfterEach
    void tearDown() {
        service.close();
        it.close();
    }

    private SimulatorService start() {
        Map<String, Object> props = it.simulatorSettings("alo-1");
        props.put(SimulatorConfig.EXACTLY_ONCE, "false");
        SimulatorService s = new SimulatorService(new SimulatorConfig(props), meters);
        s.start();
        return s;
    }

    @Test
    void shouldPublishTheEngineSpikesAndCommitWhatItConsumedWhileItRuns() throws Exception {
        String spec = SimulatorCoreTest.CUBA;
        it.send(Commands.create("cuba", spec));
        it.send(Commands.step("cuba", 2000));
        List<SpikeBatch> batches = it.readUntil(Topics.SPIKES, l -> l.stream().mapToInt(SpikeBatch::getTicks).sum() >= 2000);
        assertThat(batches).extracting(SpikeBatch::getFrame)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 200).boxed().toList());
        assertThat(ServiceHarness.spikeChecksum(batches)).isEqualTo(SimulatorCoreTest.engineChecksum(spec, 2000));

        // the service is still running: only the loop's own commits can have committed these
        String control = Topics.CONTROL.name(it.prefix);
        try (Admin admin = it.kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                latest.put(new TopicPartition(control, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            Map<TopicPartition, Long> committed = Map.of();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!committed.equals(ends) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                committed = admin.listConsumerGroupOffsets(it.prefix + "simulator").partitionsToOffsetAndMetadata().get()
                        .entrySet().stream().filter(e -> e.getKey().topic().equals(control))
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> ((OffsetAndMetadata) e.getValue()).offset()));
            }
            assertThat(committed).as("control offsets committed by the running service").isEqualTo(ends);
        }
        // ... by the commits that wait for their records' acknowledgements, not by the fallback that flushes
        assertThat(meters.get(SimulatorMeters.COMMITS_STALLED).counter().count()).isZero();
        assertThat(meters.get(SimulatorMeters.COMMIT_DURATION).timer().count()).isPositive();
        assertThat(service.failure()).isNull();
    }

    @Test
    void shouldContinueTheRunAfterACleanRestart() {
        it.send(Commands.create("r", SimulatorCoreTest.CUBA));
        it.send(Commands.step("r", 1000));
        it.readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals("r") && s.getTick() == 1000));
        service.close();
        service = start();
        it.send(Commands.step("r", 500));
        List<Status> statuses = it.readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getTick() == 1500));
        Status last = statuses.stream().filter(s -> s.getTick() == 1500).findFirst().orElseThrow();
        assertThat(last.getState()).isEqualTo(RunState.PAUSED);
    }
}
