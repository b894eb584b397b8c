package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.engine.SpikeChecksum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Records that are legitimate but large, or hostile and large, against the simulator on a real broker
 * with Kafka's <em>default</em> size limits (producer max.request.size 1 MiB, topic max.message.bytes
 * 1 MiB + 12): each of these stopped the whole service before, and most stopped it again on restart.
 */
class HeavyRecordsIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** 20,000 LIF neurons without synapses whose rest lies above threshold: every neuron fires every tick. */
    static final String BUSY = "{\"name\": \"busy\", \"seed\": 7, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\","
            + " \"count\": 20000, \"model\": \"lif\", \"type\": \"excitatory\", \"params\": {\"v_rest\": 0.0,"
            + " \"v_threshold\": -50.0, \"v_reset\": -49.0, \"tau_membrane\": 10.0, \"refractory_ms\": 0.0}}]}";
    /** 100,000 quiet neurons, dt 1 ms, for the largest probe. */
    static final String WIDE = "{\"name\": \"wide\", \"seed\": 7, \"dt_ms\": 1.0, \"populations\": [{\"name\": \"E\","
            + " \"count\": 100000, \"model\": \"lif\", \"type\": \"excitatory\"}]}";

    private ServiceHarness it;
    private EmbeddedBroker kafka;
    private String prefix;
    private SimulatorService service;
    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void setUp() throws Exception {
        // the attacker's producer may send whatever the broker takes
        it = new ServiceHarness("heavy", WAIT, Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024), () -> service);
        kafka = it.kafka;
        prefix = it.prefix;
        producer = it.producer;
        service = startService();
    }

    private SimulatorService startService() {
        Map<String, Object> props = it.simulatorSettings("heavy-1");
        props.remove(SimulatorConfig.GROUP_ID); // the default, derived from the prefix
        SimulatorService s = new SimulatorService(new SimulatorConfig(props));
        s.start();
        return s;
    }

    @AfterEach
    void tearDown() {
        service.close();
        it.close();
    }

    private void send(Control c) {
        it.send(c);
    }

    private void send(ExternalInput in) {
        it.send(in);
    }

    private <T> List<T> readUntil(io.neurostream.schemas.Topic<? extends T> topic, Predicate<List<T>> done) {
        List<T> seen = it.readUntil(topic, done);
        assertThat(service.isRunning()).as("the service is running").isTrue();
        return seen;
    }

    /** A small network that must keep working beside whatever the attack did. */
    private void assertAQuietNetworkStillRuns(String id) {
        send(Commands.create(id, SimulatorCoreTest.CUBA));
        send(Commands.step(id, 100));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals(id) && s.getTick() == 100));
    }

    @Test
    void shouldRejectAnInputForAnUnknownNetworkWithAHugeIdInASmallRecord() {
        String huge = "x".repeat(350_000);
        send(Commands.current(huge, List.of("E"), 1.0, null, 1));

        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> !l.isEmpty());
        assertThat(rejected.get(0).getReasonCode()).isEqualTo("UNKNOWN_NETWORK");
        assertThat(rejected.get(0).getKey()).hasSize(256);
        assertThat(rejected.get(0).getNetworkId()).hasSize(256);
        assertThat(rejected.get(0).getReason().length()).isLessThanOrEqualTo(2048);
        assertAQuietNetworkStillRuns("after-huge-id");
    }

    @Test
    void shouldRejectAnInputWhoseJournalEntryWouldNotFitAndStayUpAcrossARestart() {
        send(Commands.create("m", SimulatorCoreTest.CUBA));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals("m") && s.getState() == RunState.CREATED));
        // a valid input just under what the broker accepts (1 MiB + 12 bytes with the batch's framing):
        // ids 1000..3999 take two bytes each as Avro varints
        List<Integer> neurons = new ArrayList<>();
        int size = 0;
        while (size < 1_048_300) {
            int more = Math.max(1, (1_048_400 - size) / 2);
            for (int i = 0; i < more; i++) {
                neurons.add(1000 + neurons.size() % 3000);
            }
            size = Topics.EXTERNAL_INPUT.valueSerde().encode(Commands.currentToNeurons("m", neurons, 1.0, null, 1)).length;
        }
        ExternalInput huge = Commands.currentToNeurons("m", neurons, 1.0, null, 1);
        assertThat(size).as("input size").isBetween(1_048_300, 1_048_512);
        try {
            producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), "m",
                    Topics.EXTERNAL_INPUT.valueSerde().encode(huge))).get();
        } catch (Exception e) {
            throw new AssertionError("the broker should accept a record of " + size + " bytes", e);
        }

        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> !l.isEmpty());
        assertThat(rejected.get(0).getReasonCode()).isEqualTo("OVERSIZED");
        assertThat(rejected.get(0).getReason()).contains("journal entry");
        send(Commands.step("m", 10));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals("m") && s.getTick() == 10));

        service.close();
        service = startService();
        send(Commands.step("m", 10));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals("m") && s.getTick() == 20));
    }

    @Test
    void shouldSplitFramesOf200000SpikesIntoPartsAndCommitEverySpikeExactlyOnce() {
        int ticks = 400; // 40 frames of 10 ticks, each 200,000 spikes (1.2 MB packed)
        send(Commands.create("busy", BUSY));
        send(Commands.step("busy", ticks));
        List<SpikeBatch> parts = readUntil(Topics.SPIKES, l -> l.stream()
                .filter(b -> b.getPart() == b.getParts() - 1).count() >= ticks / 10);

        SpikeBatches.Assembler assembler = new SpikeBatches.Assembler();
        SpikeChecksum live = new SpikeChecksum();
        long frames = 0;
        for (SpikeBatch part : parts) {
            assertThat(part.getParts()).as("a 1.2 MB frame is split").isGreaterThan(1);
            SpikeBatch frame = assembler.add(part);
            if (frame == null) {
                continue;
            }
            assertThat(frame.getFrame()).isEqualTo(frames++);
            assertThat(frame.getCount()).isEqualTo(200_000);
            int[] ids = SpikeBatches.neuronIds(frame);
            int[] offs = SpikeBatches.tickOffsets(frame);
            for (int i = 0; i < ids.length; i++) {
                live.add(frame.getFirstTick() + offs[i], ids[i]);
            }
        }
        assertThat(assembler.dropped()).isZero();
        assertThat(frames).isEqualTo(ticks / 10);
        String offline;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create("busy", BUSY));
            d.pipeControl(Commands.step("busy", ticks));
            d.runUntilIdle();
            offline = d.spikeChecksum("busy");
        }
        assertThat(live.count()).isEqualTo(20_000L * ticks);
        assertThat(live.hex()).isEqualTo(offline);
    }

    @Test
    void shouldSplitAProbeOf100000NeuronsAndRejectOneThatWouldFloodTheTopic() {
        send(Commands.create("wide", WIDE));
        List<Integer> all = IntStream.range(0, 100_000).boxed().toList();
        send(Commands.probe("wide", all, List.of("v"), 10)); // 10 M values per simulated second: refused
        send(Commands.probe("wide", all, List.of("v"), 100)); // 1 M per second: the most allowed
        send(Commands.step("wide", 200));

        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> !l.isEmpty());
        assertThat(rejected.get(0).getReasonCode()).isEqualTo("OVERSIZED");
        assertThat(rejected.get(0).getReason()).contains(SimulatorConfig.PROBE_MAX_VALUES_PER_S);
        List<MembraneSample> samples = readUntil(Topics.MEMBRANE, l -> l.size() >= 2 && l.get(l.size() - 1).getTick() == 100
                && l.get(l.size() - 1).getPart() == l.get(l.size() - 1).getParts() - 1);
        List<Integer> ids = new ArrayList<>();
        for (MembraneSample m : samples) {
            assertThat(m.getParts()).isGreaterThan(1);
            if (m.getTick() == 100) {
                ids.addAll(m.getNeuronIds());
            }
        }
        assertThat(ids).isEqualTo(all);
    }

    @Test
    void shouldRefuseASpecThatDoesNotFitTheMemoryBudgetAndBuildAnotherOffTheLoop() {
        // 1,000,000 neurons with 100 synapses each: about 2.3 GB to build, more than the tests' heap allows
        String huge = "{\"name\": \"huge\", \"seed\": 1, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\", \"count\": 1000000,"
                + " \"model\": \"lif\", \"type\": \"excitatory\"}], \"connections\": [{\"from\": \"E\", \"to\": \"E\","
                + " \"in_degree\": 100, \"weight\": 0.1, \"delay_ms\": 0.1}]}";
        send(Commands.create("huge", huge));
        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> !l.isEmpty());
        assertThat(rejected.get(0).getReasonCode()).isEqualTo("INSUFFICIENT_MEMORY");
        assertThat(rejected.get(0).getReason()).contains(SimulatorConfig.MEMORY_BUDGET_FRACTION);

        // a network that takes a while to build: BUILDING first; an input sent meanwhile waits and applies
        String medium = "{\"name\": \"medium\", \"seed\": 1, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\", \"count\": 100000,"
                + " \"model\": \"lif\", \"type\": \"excitatory\"}], \"connections\": [{\"from\": \"E\", \"to\": \"E\","
                + " \"in_degree\": 50, \"weight\": 0.1, \"delay_ms\": 0.1}]}";
        send(Commands.create("medium", medium));
        send(Commands.current("medium", List.of("E"), 5.0, null, 3));
        send(Commands.step("medium", 20));
        List<Status> statuses = readUntil(Topics.STATUS, l -> l.stream()
                .anyMatch(s -> s.getNetworkId().equals("medium") && s.getTick() == 20));
        assertThat(statuses.stream().filter(s -> s.getNetworkId().equals("medium")).map(Status::getState))
                .startsWith(RunState.BUILDING).contains(RunState.CREATED);
        List<AppliedInput> journal = readUntil(Topics.JOURNAL, l -> l.stream()
                .anyMatch(a -> a.getPayload() instanceof ExternalInput && a.getTick() == 0));
        assertThat(journal).filteredOn(a -> a.getNetworkId().equals("medium")).extracting(AppliedInput::getTick)
                .startsWith(0L, SimulatorCore.DEFERRED_TICK, SimulatorCore.DEFERRED_TICK);
        assertAQuietNetworkStillRuns("beside-medium");
    }

    /**
     * A network flooded with long-lasting inputs falls behind alone: its neighbour keeps real time
     * (before, the loop computed one frame of each network in turn, so both slowed to the flooded one's pace).
     */
    @Test
    void shouldLetAFloodedNetworkFallBehindAloneWhileItsNeighbourKeepsRealTime() throws Exception {
        send(Commands.create("calm", SimulatorCoreTest.CUBA));
        send(Commands.create("flooded", SimulatorCoreTest.CUBA));
        send(Commands.start("calm", 1.0));
        send(Commands.start("flooded", 1.0));
        readUntil(Topics.STATUS, l -> l.stream().filter(st -> st.getState() == RunState.RUNNING)
                .map(Status::getNetworkId).distinct().count() == 2);
        // 2,000 inputs, each a current of 0 into all 3,200 E neurons for 10^8 ticks: 6.4 M additions a tick
        for (int i = 0; i < 2000; i++) {
            producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), "flooded", Topics.EXTERNAL_INPUT.valueSerde()
                    .encode(Commands.current("flooded", List.of("E"), 0.0, null, 100_000_000))));
        }
        producer.flush();
        Thread.sleep(3000); // the flood is applied
        long since = System.currentTimeMillis();
        List<Status> statuses = readUntil(Topics.STATUS, l -> l.stream()
                .filter(st -> st.getNetworkId().equals("calm") && st.getUpdatedAtMs() > since + 5000).count() >= 1);
        List<Status> calm = statuses.stream().filter(st -> st.getNetworkId().equals("calm") && st.getUpdatedAtMs() > since
                && st.getRealtimeFactor() > 0).toList();
        List<Status> flooded = statuses.stream().filter(st -> st.getNetworkId().equals("flooded") && st.getUpdatedAtMs() > since
                && st.getRealtimeFactor() > 0).toList();
        assertThat(flooded).isNotEmpty();
        assertThat(flooded.get(flooded.size() - 1).getRealtimeFactor()).as("the flood slows its own network").isLessThan(0.5);
        Status first = calm.get(0);
        Status last = calm.get(calm.size() - 1);
        double simulatedMs = (last.getTick() - first.getTick()) * last.getDtMs();
        double wallMs = last.getUpdatedAtMs() - first.getUpdatedAtMs();
        double loadPerCore = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                / Runtime.getRuntime().availableProcessors();
        if (simulatedMs / wallMs < 0.9 && loadPerCore > 1.5) {
            org.junit.jupiter.api.Assumptions.abort("the machine is too busy to judge real-time pace (load average "
                    + loadPerCore + " per core); calm ran at " + simulatedMs / wallMs + "x");
        }
        assertThat(simulatedMs / wallMs).as("the neighbour's pace over %.0f ms of wall time", wallMs).isGreaterThanOrEqualTo(0.9);
    }

    /**
     * A record the broker refuses after all (here: the spikes topic's limit was lowered after the
     * simulator started) fails its own network only: the transaction is aborted, the others are
     * recovered from the committed state and go on, and the refused record is not retried.
     */
    @Test
    void shouldFailOnlyTheNetworkWhoseRecordTheBrokerRefuses() throws Exception {
        send(Commands.create("calm", SimulatorCoreTest.CUBA));
        send(Commands.step("calm", 100));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(st -> st.getNetworkId().equals("calm") && st.getTick() == 100));
        try (Admin admin = kafka.admin()) {
            org.apache.kafka.common.config.ConfigResource spikes = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.SPIKES.name(prefix));
            admin.incrementalAlterConfigs(Map.of(spikes, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "20000"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
        send(Commands.create("busy", BUSY)); // 1.2 MB a frame, over the spikes topic's new limit
        send(Commands.step("busy", 30));
        List<Status> statuses = readUntil(Topics.STATUS, l -> l.stream()
                .anyMatch(st -> st.getNetworkId().equals("busy") && st.getState() == RunState.FAILED));
        Status failed = statuses.stream().filter(st -> st.getNetworkId().equals("busy") && st.getState() == RunState.FAILED)
                .findFirst().orElseThrow();
        assertThat(failed.getMessage()).contains("could not be published").contains(Topics.SPIKES.name(prefix))
                .contains("RecordTooLargeException");
        send(Commands.step("calm", 100));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(st -> st.getNetworkId().equals("calm") && st.getTick() == 200));
    }

    /**
     * With the default limits: 10,050 inputs stamped 50 minutes ahead fill one network's queue (10,000
     * wait, the rest are QUEUE_FULL), absurd but finite values are OUT_OF_RANGE, a null key is a
     * KEY_MISMATCH; the network and a neighbour go on.
     */
    @Test
    void shouldBoundAFloodOfFarAheadInputsAndRejectAbsurdValuesAndNullKeys() {
        send(Commands.create("target", SimulatorCoreTest.CUBA));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(st -> st.getNetworkId().equals("target")
                && st.getState() == RunState.CREATED));
        send(Commands.poisson("target", List.of("E"), 100.0, 1e308, null, 10));
        send(Commands.current("target", List.of("E"), -1.7e308, null, 10));
        long ahead = 50L * 60 * 1000 * 10; // 50 minutes of ticks at dt 0.1 ms
        for (int i = 0; i < 10_050; i++) {
            producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), "target", Topics.EXTERNAL_INPUT.valueSerde()
                    .encode(Commands.currentToNeurons("target", List.of(i % 4000), 1.0, ahead + i, 1))));
        }
        it.sendRaw(Topics.EXTERNAL_INPUT.name(prefix), null,
                Topics.EXTERNAL_INPUT.valueSerde().encode(Commands.current("target", List.of("E"), 1.0, null, 1)));

        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> l.size() >= 53);
        assertThat(rejected).extracting(Rejected::getReasonCode).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                java.util.Collections.nCopies(50, "QUEUE_FULL").stream(), java.util.stream.Stream.of("OUT_OF_RANGE",
                        "OUT_OF_RANGE", "KEY_MISMATCH")).toList());
        send(Commands.step("target", 100));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(st -> st.getNetworkId().equals("target") && st.getTick() == 100
                && st.getRejectedCount() == 53));
        assertAQuietNetworkStillRuns("beside-target");
    }
}
