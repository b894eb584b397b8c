package io.neurostream.analytics;

import static io.neurostream.analytics.FrameFixture.e;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analytics application against a real broker in this JVM ({@link SharedBroker}), exactly once, with
 * the default windows (1000 ms, advance 100 ms, grace 200 ms) and alerts (K = 3, RUNAWAY above 50 Hz).
 *
 * <p>One network, one area of 100 E neurons, 10 ms frames: 10 Hz for simulated [0, 1 s), 100 Hz for
 * [1 s, 3 s), 10 Hz until 6.5 s. Its run epoch lies two hours ahead of the wall clock, as for a network
 * run as fast as possible, which topics with Kafka 4's default timestamp limits would refuse.
 *
 * <p>Run: {@code mvn -B verify -pl analytics} (or {@code -Dit.test=AnalyticsIntegrationTest}); about
 * 10 s, most of it the broker's cold start and the group's first rebalance.
 */
class AnalyticsIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static EmbeddedBroker kafka;

    @TempDir
    Path stateDir;
    private AnalyticsApp app;

    @BeforeAll
    static void broker() {
        kafka = SharedBroker.get();
    }

    @AfterEach
    void close() {
        if (app != null) {
            app.close(Duration.ofSeconds(20));
        }
    }

    @Test
    void shouldPublishFinalRatesBalanceAndARaisedThenClearedAlertAndAnswerQueries() throws Exception {
        String prefix = "an" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix)
                    .withPartitions(1));
            assertThat(r.problems()).isEmpty();
        }

        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
        props.put(AnalyticsConfig.APPLICATION_ID, "analytics-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:7070"); // only named, nothing listens
        AnalyticsConfig config = new AnalyticsConfig(props);
        app = new AnalyticsApp(config);
        app.start();
        await("RUNNING", () -> app.state() == KafkaStreams.State.RUNNING);

        long wallSecond = System.currentTimeMillis() / 1000 * 1000;
        long epoch = wallSecond + Duration.ofHours(2).toMillis();
        FrameFixture net = new FrameFixture("it-net", epoch, 10);
        Map<String, Object> pc = kafka.clientConfig();
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pc.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        pc.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(pc, new StringSerializer(),
                Topics.FRAMES.valueSerde())) {
            for (long t = 0; t < 6500; t += 10) {
                int spikes = t >= 1000 && t < 3000 ? 100 : 10; // 100 neurons x 10 ms: 100 Hz, 10 Hz
                producer.send(new ProducerRecord<>(Topics.FRAMES.name(prefix), null, net.ts(t), "it-net",
                        net.at(t, List.of(e("A", spikes, 100, 2.0, 1.0)))));
            }
            // a straggler whose windows are all final by now: dropped and counted
            producer.send(new ProducerRecord<>(Topics.FRAMES.name(prefix), null, net.ts(100), "it-net",
                    net.at(100, List.of(e("A", 10, 100, 2.0, 1.0)))));
            producer.flush();
        }

        // windows are final up to start 5290 (stream time 6490 - grace 200 - size 1000): starts 0 .. 5200
        List<Rate> rates = readUntil(Topics.RATES.name(prefix), Topics.RATES.valueSerde(),
                list -> list.stream().anyMatch(r -> r.getWindowStartMs() == epoch + 5200));
        List<Rate> area = rates.stream().filter(r -> "A".equals(r.getArea()) && r.getEClass() == null).toList();
        assertThat(area).extracting(Rate::getWindowStartMs).doesNotHaveDuplicates().hasSize(53);
        assertThat(area.get(0)).satisfies(r -> {
            assertThat(r.getWindowStartMs()).isEqualTo(epoch);
            assertThat(r.getWindowEndMs()).isEqualTo(epoch + 1000);
            assertThat(r.getSpikes()).isEqualTo(1000);
            assertThat(r.getRateHz()).isEqualTo(10.0);
        });
        assertThat(area.stream().filter(r -> r.getWindowStartMs() == epoch + 1000).findFirst().orElseThrow()
                .getRateHz()).isEqualTo(100.0);

        List<Balance> balances = readUntil(Topics.BALANCE.name(prefix), Topics.BALANCE.valueSerde(),
                list -> list.stream().anyMatch(b -> b.getWindowStartMs() == epoch + 5200));
        assertThat(balances).allSatisfy(b -> assertThat(b.getBalanceRatio()).isEqualTo(2.0));

        // RUNAWAY: windows from [500, 1500) average above 50 Hz (raised on the third, [700, 1700)), windows
        // from [2600, 3600) below (cleared on the third, [2800, 3800)); for area A and the whole network
        List<Alert> alerts = readUntil(Topics.ALERTS.name(prefix), Topics.ALERTS.valueSerde(), list -> list.size() >= 4);
        assertThat(alerts).extracting(Alert::getArea, Alert::getAlert, Alert::getState, Alert::getWindowEndMs)
                .containsExactly(
                        tuple(null, AlertKind.RUNAWAY, AlertState.RAISED, epoch + 1700),
                        tuple("A", AlertKind.RUNAWAY, AlertState.RAISED, epoch + 1700),
                        tuple(null, AlertKind.RUNAWAY, AlertState.CLEARED, epoch + 3800),
                        tuple("A", AlertKind.RUNAWAY, AlertState.CLEARED, epoch + 3800));

        List<Rate> latest = query(() -> app.latestRates("it-net"), l -> !l.isEmpty()
                && l.get(0).getWindowStartMs() == epoch + 5200);
        assertThat(latest).extracting(Rate::getArea, Rate::getEClass, Rate::getRateHz)
                .containsExactly(tuple(null, null, 10.0), tuple("A", null, 10.0), tuple("A",
                        io.neurostream.schemas.avro.EClass.E, 10.0));
        assertThat(query(() -> app.latestBalance("it-net"), l -> !l.isEmpty()))
                .extracting(Balance::getArea).containsExactly(null, "A");
        assertThat(query(() -> app.openAlerts("it-net"), l -> true)).isEmpty();
        assertThat(app.hostOf("it-net")).contains(new HostInfo("localhost", 7070));
        await("the straggler counted", () -> app.lateFramesDropped() == 1);
    }

    private static <T> List<T> readUntil(String topic, Deserializer<T> values, Predicate<List<T>> done) {
        Map<String, Object> cc = kafka.clientConfig();
        cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> got = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(cc, new StringDeserializer(), values)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(got)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not done within " + WAIT + " reading " + topic + "; got " + got.size()
                            + " records");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
        }
        return got;
    }

    /** Asks until the answer is accepted, retrying while the stores migrate. */
    private static <T> T query(Supplier<T> ask, Predicate<T> accept) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                T t = ask.get();
                if (accept.test(t)) {
                    return t;
                }
            } catch (InvalidStateStoreException e) {
                // rebalancing or restoring: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no accepted answer within " + WAIT);
            }
            sleep();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + WAIT);
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            TimeUnit.MILLISECONDS.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
