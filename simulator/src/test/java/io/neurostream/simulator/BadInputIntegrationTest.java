package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.BadInputCorpus.Entry;
import io.neurostream.simulator.BadInputCorpus.Net;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus ({@link BadInputCorpus}) produced to the real {@code control} and
 * {@code external-input} topics of the in-JVM broker while the corpus networks run in real time: one
 * committed {@code rejected} record per corpus record with its reason and source, the service's counts
 * per reason, and networks that keep their pace (ticks against wall time, from their Status records).
 *
 * <p>The records of {@link BadInputCorpusTest#KNOWN_BUGS} (none now) are left out.
 * The networks run at a quarter of real time here, so that two of them fit beside the broker on a busy
 * 2-core machine, and may lag up to 5 s before they skip ahead (a stall would show in {@code stalled_ms}).
 * How to run: {@code mvn -B -o test -pl simulator -Dtest=BadInputIntegrationTest} (10 to 20 s).
 */
class BadInputIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Wall time the networks run after the corpus, before the pace is measured. */
    private static final Duration AFTER = Duration.ofSeconds(2);
    private static final double SPEED = 0.25;
    /** Above this load average per core a missed pace is reported as aborted, not failed. */
    private static final double MAX_LOAD_PER_CORE = 2.5;
    private static final BadInputCorpus CORPUS = BadInputCorpus.load();
    private String prefix;
    private SimulatorService service;
    private KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void setUp() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        prefix = "bad-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(2));
        }
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.putAll(CORPUS.config);
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, "bad-1");
        // a network starved of CPU for a moment (a busy machine, not bad input) catches up instead of skipping ahead
        props.put(SimulatorConfig.MAX_LAG_MS, "5000");
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        service = new SimulatorService(new SimulatorConfig(props));
        service.start();
        Map<String, Object> pp = new HashMap<>(kafka.clientConfig());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() {
        producer.close();
        service.close();
    }

    @Test
    void shouldRejectEveryCorpusRecordOnTheRejectedTopicAndKeepTheNetworksPaced() throws Exception {
        List<Entry> fed = CORPUS.entries.stream().filter(e -> !BadInputCorpusTest.KNOWN_BUGS.containsKey(e.file())).toList();
        List<String> running = CORPUS.networks.stream().filter(n -> n.startSpeed() != null).map(Net::id).toList();
        try (Reader statuses = new Reader(Topics.STATUS.name(prefix)); Reader rejects = new Reader(Topics.REJECTED.name(prefix))) {
            for (Net n : CORPUS.networks) {
                send(Topics.CONTROL.name(prefix), n.id(), Topics.CONTROL.valueSerde().encode(Commands.create(n.id(), n.specJson())));
            }
            for (String id : running) {
                send(Topics.CONTROL.name(prefix), id, Topics.CONTROL.valueSerde().encode(Commands.start(id, SPEED)));
            }
            // running, and past the tick the corpus's TICK_IN_PAST record needs
            statuses.latestUntil(s -> running.stream().allMatch(id -> s.containsKey(id)
                    && s.get(id).getState() == RunState.RUNNING && s.get(id).getTick() >= BadInputCorpus.MIN_TICK_BEFORE_FEEDING));
            assertThat(rejects.records()).as("no rejection while setting up").isEmpty();

            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Entry e : fed) {
                sent.add(producer.send(new ProducerRecord<>(prefix + e.topic(), e.key(), e.bytes())));
            }
            producer.flush();
            Map<String, Entry> bySource = new HashMap<>();
            for (int i = 0; i < fed.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                bySource.put(m.topic() + "/" + m.partition() + "@" + m.offset(), fed.get(i));
            }

            // one committed Rejected per record, with the manifest's reason
            List<Rejected> rejected = rejects.until(l -> l.size() >= fed.size());
            Thread.sleep(300);
            rejected = rejects.records();
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(rejected).as("Rejected records").hasSize(fed.size());
            Map<String, Integer> seen = new HashMap<>();
            for (Rejected r : rejected) {
                String source = r.getSourceTopic() + "/" + r.getSourcePartition() + "@" + r.getSourceOffset();
                Entry e = bySource.get(source);
                soft.assertThat(e).as("the corpus record at %s", source).isNotNull();
                if (e == null) {
                    continue;
                }
                seen.merge(e.file(), 1, Integer::sum);
                soft.assertThat(r.getReasonCode()).as("%s: reason_code; reason was %s", e.file(), r.getReason())
                        .isEqualTo(e.reasonCode());
                e.mentions().forEach(m -> soft.assertThat(r.getReason()).as("%s: reason", e.file()).contains(m));
                soft.assertThat(r.getKey()).as("%s: key", e.file()).isEqualTo(e.key());
                soft.assertThat(r.getRawSize()).as("%s: raw_size", e.file()).isEqualTo(e.bytes().length);
                soft.assertThat(BadInputCorpusTest.toArray(r.getRaw())).as("%s: raw", e.file())
                        .isEqualTo(java.util.Arrays.copyOf(e.bytes(), Math.min(1024, e.bytes().length)));
            }
            soft.assertThat(seen.values()).as("one Rejected per record").allMatch(c -> c == 1);
            Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
            fed.forEach(e -> expected.merge(RejectReason.valueOf(e.reasonCode()), 1L, Long::sum));
            soft.assertThat(service.rejectedCounts()).as("the service's counts per reason").isEqualTo(expected);
            soft.assertAll();

            // the networks keep their pace: ticks advance by wall time x speed, with no stall
            Thread.sleep(AFTER.toMillis());
            long since = System.currentTimeMillis();
            Map<String, Status> after = statuses.latestUntil(s -> running.stream()
                    .allMatch(id -> s.containsKey(id) && s.get(id).getUpdatedAtMs() >= since));
            SoftAssertions pace = new SoftAssertions();
            for (String id : running) {
                // from the Status the START was answered with (tick 0, the instant pacing is anchored at)
                Status s0 = statuses.first(id, s -> s.getState() == RunState.RUNNING);
                Status s1 = after.get(id);
                assertThat(s0.getTick()).isZero();
                assertThat(s1.getState()).isEqualTo(RunState.RUNNING);
                long about = fed.stream().filter(e -> id.equals(e.networkId())).count();
                assertThat(s1.getRejectedCount()).as("rejected_count of %s", id).isEqualTo(about);
                double wallMs = s1.getUpdatedAtMs() - s0.getUpdatedAtMs();
                double expectedTicks = wallMs * SPEED / s1.getDtMs();
                long ticks = s1.getTick() - s0.getTick();
                long frame = Math.round(1.0 / s1.getDtMs());
                assertThat(wallMs).as("%s measured over", id).isGreaterThanOrEqualTo(AFTER.toMillis());
                // a frame or two, plus the millisecond granularity of updated_at_ms at each end
                pace.assertThat((double) ticks).as("ticks of %s over %.0f ms of wall time at speed %s (stalled_ms %s, measured "
                        + "real-time factor %s)", id, wallMs, SPEED, s1.getStalledMs(), s1.getRealtimeFactor())
                        .isCloseTo(expectedTicks, org.assertj.core.data.Offset.offset(2.0 * frame + 2 * SPEED / s1.getDtMs()));
                pace.assertThat(s1.getStalledMs()).as("%s stalled_ms", id).isZero();
            }
            assertThat(service.failure()).isNull();
            assertThat(service.isRunning()).isTrue();
            // a machine whose cores are taken by other processes cannot tell a slow network from a starved one
            double loadPerCore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                    / Runtime.getRuntime().availableProcessors();
            if (!pace.errorsCollected().isEmpty() && loadPerCore > MAX_LOAD_PER_CORE) {
                Assumptions.abort("the machine is too busy to judge real-time pace (load average " + loadPerCore
                        + " per core); the rejections were checked; pace: " + pace.errorsCollected());
            }
            pace.assertAll();
            assertThat(service.failure()).isNull();
            assertThat(service.isRunning()).isTrue();
        }
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Reads one topic, committed records only, from its beginning, decoding each value. */
    private final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final String topic;
        private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

        Reader(String topic) {
            this.topic = topic;
            Map<String, Object> rp = new HashMap<>(SharedBroker.get().clientConfig());
            rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            rp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                seen.add(r);
            }
            assertThat(service.failure()).as("the simulator's loop").isNull();
        }

        List<Rejected> records() {
            poll();
            return seen.stream().map(r -> Topics.REJECTED.valueSerde().decode(r.value())).toList();
        }

        List<Rejected> until(Predicate<List<Rejected>> done) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<Rejected> got = records();
            while (!done.test(got) && System.nanoTime() < deadline) {
                got = records();
            }
            assertThat(done.test(got)).as("waited %s for %s; have %s records", WAIT, topic, got.size()).isTrue();
            return got;
        }

        /** The first Status of a network read so far that matches. */
        Status first(String id, Predicate<Status> match) {
            return seen.stream().filter(r -> r.value() != null).map(r -> Topics.STATUS.valueSerde().decode(r.value()))
                    .filter(st -> st.getNetworkId().equals(id) && match.test(st)).findFirst()
                    .orElseThrow(() -> new AssertionError("no matching Status of " + id));
        }

        /** The newest Status of each network once {@code done} holds for them (bounded wait). */
        Map<String, Status> latestUntil(Predicate<Map<String, Status>> done) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            Map<String, Status> latest = new HashMap<>();
            while (true) {
                poll();
                latest.clear();
                for (ConsumerRecord<String, byte[]> r : seen) {
                    if (r.value() != null) {
                        Status s = Topics.STATUS.valueSerde().decode(r.value());
                        latest.put(s.getNetworkId(), s);
                    }
                }
                if (done.test(latest) || System.nanoTime() > deadline) {
                    break;
                }
            }
            assertThat(done.test(latest)).as("waited %s for %s: %s", WAIT, topic, latest).isTrue();
            return new HashMap<>(latest);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
