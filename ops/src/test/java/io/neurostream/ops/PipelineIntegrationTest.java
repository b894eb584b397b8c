package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AlertKind;
import io.neurostream.schemas.avro.AlertState;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline on a real broker in this JVM: a network created by a control record, stepped,
 * silenced and revived by SET commands; the analytics publishes its rates and raises, then clears, a
 * SILENCE alert, each once.
 */
class PipelineIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    static String resource(String name) throws IOException {
        try (InputStream in = PipelineIntegrationTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldPublishRatesAndRaiseThenClearASilenceAlert() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        String prefix = "pipe-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(1));
        }
        Map<String, Object> sim = new HashMap<>(kafka.clientConfig());
        sim.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        sim.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        sim.put(SimulatorConfig.INSTANCE_ID, "pipe");
        Map<String, Object> an = new HashMap<>(kafka.clientConfig());
        an.put(AnalyticsConfig.TOPIC_PREFIX, prefix);
        an.put(AnalyticsConfig.APPLICATION_ID, prefix + "analytics");
        an.put(AnalyticsConfig.WINDOW_SIZE_MS, "200");
        an.put(AnalyticsConfig.WINDOW_ADVANCE_MS, "100");
        an.put(AnalyticsConfig.WINDOW_GRACE_MS, "50");
        an.put(AnalyticsConfig.ALERT_CONSECUTIVE_WINDOWS, "2");
        an.put("state.dir", Files.createTempDirectory("pipeline-streams").toString());
        an.put("commit.interval.ms", "100");
        an.put("statestore.cache.max.bytes", "0");
        String spec = resource("/io/neurostream/ops/demo-network.json");
        try (SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim));
                AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(an));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                        new ByteArraySerializer())) {
            simulator.start();
            analytics.start();
            send(producer, prefix, Commands.create("demo", spec));
            send(producer, prefix, Commands.step("demo", 10_000));                  // 1 s: alive
            List<Rate> rates = read(kafka, prefix, Topics.RATES, l -> l.stream().anyMatch(
                    r -> r.getArea() == null && r.getWindowEndMs() - r.getWindowStartMs() == 200 && r.getRateHz() > 1.0));
            assertThat(rates).allSatisfy(r -> assertThat(r.getNetworkId()).isEqualTo("demo"));
            for (String pop : List.of("V1_E", "V1_I", "A1_E", "A1_I", "S1_E", "S1_I")) {
                send(producer, prefix, Commands.set("demo", pop, "v_threshold", 1000.0));
            }
            send(producer, prefix, Commands.step("demo", 10_000));                  // 1 s: silent
            List<Alert> raised = read(kafka, prefix, Topics.ALERTS, l -> l.stream().anyMatch(
                    a -> a.getAlert() == AlertKind.SILENCE && a.getArea() == null && a.getState() == AlertState.RAISED));
            assertThat(analytics.openAlerts("demo")).anyMatch(a -> a.getAlert() == AlertKind.SILENCE);
            for (String pop : List.of("V1_E", "V1_I", "A1_E", "A1_I", "S1_E", "S1_I")) {
                send(producer, prefix, Commands.set("demo", pop, "v_threshold", -50.0));
            }
            send(producer, prefix, Commands.step("demo", 20_000));                  // 2 s: alive again
            List<Alert> all = read(kafka, prefix, Topics.ALERTS, l -> l.stream().anyMatch(
                    a -> a.getAlert() == AlertKind.SILENCE && a.getArea() == null && a.getState() == AlertState.CLEARED));
            List<Alert> networkSilence = all.stream().filter(a -> a.getAlert() == AlertKind.SILENCE && a.getArea() == null).toList();
            assertThat(networkSilence).extracting(Alert::getState).containsExactly(AlertState.RAISED, AlertState.CLEARED);
            assertThat(raised).isNotEmpty();
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, Control c) {
        producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c)));
        producer.flush();
    }

    /** Reads a topic from its beginning (read_committed) until {@code done} holds; bounded. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(EmbeddedBroker kafka, String prefix,
            Topic<T> topic, Predicate<List<T>> done) {
        Map<String, Object> rp = new HashMap<>(kafka.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + UUID.randomUUID());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic.name(prefix)));
            List<T> seen = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(seen) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(topic.valueSerde().decode(r.value()));
                }
            }
            assertThat(done.test(seen)).as("waited %s on %s; saw %s", WAIT, topic.name(prefix), seen.size()).isTrue();
            return seen;
        }
    }
}
