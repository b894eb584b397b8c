package io.neurostream.analytics;

import static io.neurostream.analytics.FrameFixture.e;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
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
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One frame stamped a year ahead, and one of another run, on a real broker in this JVM
 * ({@link SharedBroker}), exactly once, default windows (1000 ms, advance 100 ms, grace 200 ms): they
 * land in topic {@code rejected} and the network's later windows are still published, correct; then a
 * RESET, announced on topic {@code status} as the simulator does, is followed.
 *
 * <p>Network {@code it-guard}, one area of 100 E neurons, 10 ms frames: run 1 at 10 Hz for simulated
 * [0, 4 s) with the two bad frames after 2 s; run 2 (epoch 10 s later) at 20 Hz for [0, 1.5 s).
 *
 * <p>Run: {@code mvn -B verify -pl analytics -Dit.test=AnalyticsRunGuardIntegrationTest}.
 */
class AnalyticsRunGuardIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long YEAR_MS = Duration.ofDays(365).toMillis();
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
    void shouldRejectAFrameAYearAheadAndOneOfAnotherRunKeepTheRatesAndFollowAReset() throws Exception {
        String prefix = "ag" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            assertThat(TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(1))
                    .problems()).isEmpty();
        }
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
        props.put(AnalyticsConfig.APPLICATION_ID, "analytics-guard-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        app = new AnalyticsApp(new AnalyticsConfig(props));
        app.start();
        await("RUNNING", () -> app.state() == KafkaStreams.State.RUNNING);

        long wallMs = System.currentTimeMillis();
        FrameFixture run1 = new FrameFixture("it-guard", wallMs / 1000 * 1000, 10);
        FrameFixture run2 = new FrameFixture("it-guard", run1.epochMs() + 10_000, 10);
        FrameFixture otherRun = new FrameFixture("it-guard", run1.epochMs() - Duration.ofDays(1).toMillis(), 10);
        List<FrameFixture.Group> tenHz = List.of(e("A", 10, 100, 2.0, 1.0)); // 10 spikes / (100 x 10 ms)
        List<FrameFixture.Group> twentyHz = List.of(e("A", 20, 100, 2.0, 1.0));
        List<FrameFixture.Group> burst = List.of(e("A", 100_000, 100, 2.0, 1.0));

        Map<String, Object> pc = kafka.clientConfig();
        pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pc, new StringSerializer(),
                new ByteArraySerializer())) {
            // as the simulator: a Status (stamped with the wall clock) when the run is created, then frames
            status(producer, prefix, run1, 0, wallMs);
            frames(producer, prefix, run1, 0, 2000, tenHz);
            producer.send(frame(prefix, run1.at(YEAR_MS + 2000, burst), run1.ts(YEAR_MS + 2000)));
            producer.send(frame(prefix, otherRun.at(2000, burst), otherRun.ts(2000)));
            frames(producer, prefix, run1, 2000, 4000, tenHz);
            // RESET: the new run's Status, a little after its epoch, then its frames
            status(producer, prefix, run2, 0, run2.epochMs() + 300);
            frames(producer, prefix, run2, 0, 1500, twentyHz);
            producer.flush();
        }

        // run 1: windows starting 0 .. 2700 final at stream time 3990, 2800 and 2900 (complete) at the RESET;
        // run 2: starts 0 .. 200 final at stream time 1490
        List<Rate> rates = readUntil(Topics.RATES.name(prefix), Topics.RATES.valueSerde(),
                list -> list.stream().anyMatch(r -> r.getWindowStartMs() == run2.epochMs() + 200));
        List<Rate> network = Harness.networkLevel(rates);
        assertThat(network.stream().filter(r -> r.getWindowStartMs() < run2.epochMs()))
                .extracting(r -> r.getWindowStartMs() - run1.epochMs(), Rate::getRateHz)
                .containsExactlyElementsOf(LongStream.rangeClosed(0, 29).mapToObj(k -> tuple(k * 100, 10.0)).toList());
        assertThat(network.stream().filter(r -> r.getWindowStartMs() >= run2.epochMs()))
                .extracting(r -> r.getWindowStartMs() - run2.epochMs(), Rate::getRateHz)
                .containsExactly(tuple(0L, 20.0), tuple(100L, 20.0), tuple(200L, 20.0));

        List<Rejected> rejected = readUntil(Topics.REJECTED.name(prefix), Topics.REJECTED.valueSerde(),
                list -> list.size() >= 2);
        assertThat(rejected).extracting(Rejected::getNetworkId, Rejected::getReasonCode, Rejected::getSourceTopic)
                .containsExactly(tuple("it-guard", "FRAME_TOO_FAR_AHEAD", Topics.FRAMES.name(prefix)),
                        tuple("it-guard", "FOREIGN_RUN", Topics.FRAMES.name(prefix)));
        assertThat(rejected.get(0).getReason()).contains("network it-guard", "frame " + (YEAR_MS + 2000) / 10);
        assertThat(rejected.get(1).getReason()).contains("network it-guard", "frame 200",
                "run epoch " + otherRun.epochMs(), "epoch " + run1.epochMs());
        await("the two rejections counted", () -> app.framesRejected() == 2);
        assertThat(app.lateFramesDropped()).isZero();
    }

    private static void status(KafkaProducer<String, byte[]> producer, String prefix, FrameFixture run, long simMs,
            long wallMs) {
        producer.send(new ProducerRecord<>(Topics.STATUS.name(prefix), null, wallMs, run.network(),
                Topics.STATUS.valueSerde().encode(FrameFixture.status(run.network(), run.epochMs(), simMs))));
    }

    private static void frames(KafkaProducer<String, byte[]> producer, String prefix, FrameFixture run, long fromMs,
            long toMs, List<FrameFixture.Group> groups) {
        for (long t = fromMs; t < toMs; t += run.frameMs()) {
            producer.send(frame(prefix, run.at(t, groups), run.ts(t)));
        }
    }

    private static ProducerRecord<String, byte[]> frame(String prefix, io.neurostream.schemas.avro.Frame f, long ts) {
        return new ProducerRecord<>(Topics.FRAMES.name(prefix), null, ts, f.getNetworkId(),
                Topics.FRAMES.valueSerde().encode(f));
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
                    throw new AssertionError("not done within " + WAIT + " reading " + topic + "; got " + got);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
        }
        return got;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
