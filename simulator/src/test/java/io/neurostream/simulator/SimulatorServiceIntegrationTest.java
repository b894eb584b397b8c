package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator service against a real broker in this JVM: control, input, committed output, rejects. */
class SimulatorServiceIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private ServiceHarness it;
    private EmbeddedBroker kafka;
    private String prefix;
    private SimulatorService service;
    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void setUp() throws Exception {
        it = new ServiceHarness("it", WAIT, Map.of(), () -> service);
        kafka = it.kafka;
        prefix = it.prefix;
        producer = it.producer;
        service = new SimulatorService(new SimulatorConfig(it.simulatorSettings("it-1")));
        service.start();
    }

    @AfterEach
    void tearDown() {
        service.close();
        it.close();
        // closing wakes the consumer wherever it is (polling, or reading end offsets while taking over): a stop, not an error
        assertThat(service.failure()).as("the service's error on close").isNull();
    }

    private void send(Control c) {
        it.send(c);
    }

    private void send(ExternalInput in) {
        it.send(in);
    }

    private <T> List<T> readUntil(io.neurostream.schemas.Topic<? extends T> topic, Predicate<List<T>> done) {
        return it.readUntil(topic, done);
    }

    @Test
    void shouldRunANetworkCreatedByAControlRecordAndCommitItsSpikes() {
        String spec = SimulatorCoreTest.CUBA;
        send(Commands.create("cuba", spec));
        send(Commands.step("cuba", 2000));
        List<SpikeBatch> batches = readUntil(Topics.SPIKES,
                l -> l.stream().mapToInt(SpikeBatch::getTicks).sum() >= 2000);
        assertThat(batches).extracting(SpikeBatch::getFrame).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 200).boxed().toList());
        assertThat(ServiceHarness.spikeChecksum(batches)).isEqualTo(SimulatorCoreTest.engineChecksum(spec, 2000));
        List<Status> statuses = readUntil(Topics.STATUS, l -> !l.isEmpty() && l.get(l.size() - 1).getTick() == 2000);
        assertThat(statuses.get(statuses.size() - 1).getState()).isEqualTo(RunState.PAUSED);
    }

    @Test
    void shouldPauseStepAndResumeAndApplyInputs() {
        send(Commands.create("n2", SimulatorCoreTest.CUBA));
        send(Commands.start("n2", 1.0));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getState() == RunState.RUNNING && s.getTick() > 0));
        send(Commands.pause("n2"));
        List<Status> paused = readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getState() == RunState.PAUSED));
        long at = paused.stream().filter(s -> s.getState() == RunState.PAUSED).findFirst().get().getTick();
        send(Commands.current("n2", List.of("E"), 20.0, null, 5));
        send(Commands.step("n2", 100));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getTick() == at + 100 && s.getState() == RunState.PAUSED));
        readUntil(Topics.JOURNAL, l -> l.stream().anyMatch(a -> a.getPayload() instanceof ExternalInput && a.getTick() == at));
        send(Commands.resume("n2"));
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getState() == RunState.RUNNING && s.getTick() > at + 100));
    }

    @Test
    void shouldSendBadInputToRejectedAndKeepRunning() {
        send(Commands.create("n3", SimulatorCoreTest.CUBA));
        // control and external-input are two topics: an input may be read before a CREATE sent just before
        // it, and is then rightly UNKNOWN_NETWORK; wait until the network exists, as a client would
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getNetworkId().equals("n3")));
        producer.send(new ProducerRecord<>(Topics.EXTERNAL_INPUT.name(prefix), "n3", new byte[] {(byte) 0xC3, 1, 2}));
        send(Commands.current("n3", List.of("nowhere"), 1.0, null, 1));
        send(Commands.step("n3", 10));
        send(Commands.step("n3", 10));
        List<Rejected> rejected = readUntil(Topics.REJECTED, l -> l.size() >= 2);
        assertThat(rejected).extracting(Rejected::getReasonCode).containsExactly("UNDECODABLE", "UNKNOWN_POPULATION");
        assertThat(rejected.get(0).getReason()).contains("TRUNCATED");
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getTick() == 20));
        assertThat(service.rejectedCounts()).containsEntry(RejectReason.UNDECODABLE, 1L);
        // the same counts over JMX, per reason
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        try {
            assertThat((Long) jmx.getAttribute(service.metricsName(), "RejectedTotal")).isEqualTo(2L);
            javax.management.openmbean.TabularData byReason =
                    (javax.management.openmbean.TabularData) jmx.getAttribute(service.metricsName(), "RejectedByReason");
            assertThat(byReason.get(new Object[] {"UNKNOWN_POPULATION"}).get("value")).isEqualTo(1L);
        } catch (javax.management.JMException e) {
            throw new AssertionError(e);
        }
    }

    private SimulatorService startService(String instance, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, instance);
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        props.putAll(extra);
        SimulatorService s = new SimulatorService(new SimulatorConfig(props));
        s.start();
        return s;
    }

    @Test
    void shouldContinueExactlyAfterACrashWithoutGapOrDuplicate() throws Exception {
        service.close();
        Map<String, Object> extra = Map.of(SimulatorConfig.CHECKPOINT_INTERVAL_FRAMES, "300");
        SimulatorService first = startService("crashy", extra);
        send(Commands.create("c1", SimulatorCoreTest.CUBA));
        send(Commands.current("c1", List.of("E"), 6.0, 2500L, 300));
        send(Commands.step("c1", 12000));
        // let it commit a few hundred frames (and a checkpoint), then crash it mid-run
        readUntil(Topics.SPIKES, l -> l.size() >= 500);
        first.halt();
        service = startService("crashy", extra); // same instance id: fences the open transaction
        List<SpikeBatch> batches = readAll(Topics.SPIKES, l -> !l.isEmpty() && l.get(l.size() - 1).getFirstTick()
                + l.get(l.size() - 1).getTicks() >= 12000);
        assertThat(batches).extracting(SpikeBatch::getFrame)
                .as("every frame once, in order").containsExactlyElementsOf(java.util.stream.LongStream.range(0, 1200).boxed().toList());
        String reference;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create("c1", SimulatorCoreTest.CUBA));
            d.pipeInput(Commands.current("c1", List.of("E"), 6.0, 2500L, 300));
            d.pipeControl(Commands.step("c1", 12000));
            d.runUntilIdle();
            reference = d.spikeChecksum("c1");
        }
        assertThat(ServiceHarness.spikeChecksum(batches)).isEqualTo(reference);
    }

    /**
     * An input that waits in {@code external-input} for a tick just after where a network will resume
     * is applied at that tick: the successor reads its input partitions to their ends before the network
     * computes. (Before, a network running as fast as possible computed thousands of ticks past it while
     * the consumer was still fetching its position, and applied it late.)
     */
    @Test
    void shouldReadWaitingInputsBeforeAResumedNetworkComputes() {
        service.close();
        // a late input is applied late rather than rejected, so a failure shows by how much
        Map<String, Object> lenient = Map.of(SimulatorConfig.LATE_TOLERANCE_MS, "1000000");
        service = startService("first", lenient);
        send(Commands.create("w1", SimulatorCoreTest.CUBA));
        send(Commands.start("w1", 0.0)); // as fast as possible: any delay after resuming shows
        readUntil(Topics.STATUS, l -> l.stream().anyMatch(s -> s.getTick() >= 2000));
        service.close(); // clean: a checkpoint at its last tick, committed with its Status
        List<Status> statuses = readAll(Topics.STATUS, l -> !l.isEmpty());
        long resumesAt = statuses.get(statuses.size() - 1).getTick();
        long inputTick = resumesAt + 30;
        send(Commands.current("w1", List.of("E"), 5.0, inputTick, 50));
        service = startService("second", lenient);
        List<io.neurostream.schemas.avro.AppliedInput> journal = readAll(Topics.JOURNAL,
                l -> l.stream().anyMatch(a -> a.getPayload() instanceof ExternalInput));
        assertThat(journal.stream().filter(a -> a.getPayload() instanceof ExternalInput))
                .extracting(io.neurostream.schemas.avro.AppliedInput::getTick)
                .as("the waiting input acts at the tick it asked for (the network resumed at %d)", resumesAt)
                .containsExactly(inputTick);
        assertThat(service.failure()).isNull();
    }

    /** Reads a committed topic from its beginning with a fresh reader until {@code done} holds. */
    private <T> List<T> readAll(io.neurostream.schemas.Topic<? extends T> topic, Predicate<List<T>> done) {
        Map<String, Object> rp = new HashMap<>(kafka.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "all-" + UUID.randomUUID());
        try (KafkaConsumer<String, byte[]> all = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
            all.subscribe(List.of(topic.name(prefix)));
            List<T> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(seen) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : all.poll(Duration.ofMillis(200))) {
                    seen.add(topic.valueSerde().decode(r.value()));
                }
            }
            assertThat(done.test(seen)).as("waited %s for %s", WAIT, topic.name(prefix)).isTrue();
            return seen;
        }
    }
}
