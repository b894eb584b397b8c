package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A broker away for longer than the simulator's producer waits (its {@code delivery.timeout.ms} and
 * {@code max.block.ms}, 5 minutes by default, 8 s here): the simulator stops with one error that says so,
 * both ways. At least once it used to fail the network for good instead ("a record it produced could not be
 * published … TimeoutException"), which no restart undid; exactly once it stopped with Kafka's bare
 * {@code TimeoutException}. Started again once the broker is back, it recovers the network from its last
 * checkpoint, and the committed frames have no gap (and, exactly once, no repeat).
 */
class BrokerAwayIntegrationTest {
    private static final String ID = "away";

    @ParameterizedTest(name = "exactly once: {0}")
    @ValueSource(booleans = {true, false})
    void shouldStopWhenTheBrokerStaysAwayAndRecoverWithoutAGapWhenStartedAgain(boolean exactlyOnce, @TempDir Path data)
            throws Exception {
        int port = EmbeddedBroker.freePort();
        int controllerPort = EmbeddedBroker.freePort();
        String prefix = "away-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        EmbeddedBroker broker = EmbeddedBroker.builder().dataDir(data).port(port).controllerPort(controllerPort).build().start();
        SimulatorService service = null;
        try {
            try (Admin admin = broker.admin()) {
                TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(1));
            }
            service = start(broker, prefix, exactlyOnce);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.clientConfig(), new StringSerializer(),
                    new ByteArraySerializer())) {
                send(producer, prefix, Commands.create(ID, SimulatorCoreTest.CUBA));
                send(producer, prefix, Commands.start(ID, 1.0));
            }
            long before = awaitFrame(broker, prefix, 500, service);

            broker.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (service.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(service.failure()).as("the simulator's error once the broker stayed away")
                    .isInstanceOf(SimulatorService.BrokerAwayException.class)
                    .hasMessageContaining("the producer waits delivery.timeout.ms 8000 ms and max.block.ms 8000 ms")
                    .hasMessageContaining("it recovers every network from its last checkpoint");
            service.close();
            service = null;

            broker = EmbeddedBroker.builder().dataDir(data).port(port).controllerPort(controllerPort).build().start();
            service = start(broker, prefix, exactlyOnce);
            awaitFrame(broker, prefix, before + 1000, service);
            service.close();
            assertThat(service.failure()).isNull();
            service = null;

            List<Long> frames = new ArrayList<>();
            List<Status> statuses = new ArrayList<>();
            readCommitted(broker, prefix, frames, statuses);
            assertThat(statuses).extracting(s -> s.getState().toString()).doesNotContain("FAILED");
            TreeSet<Long> distinct = new TreeSet<>(frames);
            assertThat(distinct.first()).isZero();
            assertThat(distinct.last()).isGreaterThanOrEqualTo(before + 1000);
            assertThat(distinct).as("every frame from 0 to the last, none missing").hasSize((int) (distinct.last() + 1));
            if (exactlyOnce) {
                assertThat(frames).as("each frame once").hasSameSizeAs(distinct);
            }
        } finally {
            if (service != null) {
                service.close();
            }
            broker.close();
        }
    }

    private static SimulatorService start(EmbeddedBroker broker, String prefix, boolean exactlyOnce) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, "away-" + exactlyOnce);
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        props.put(SimulatorConfig.EXACTLY_ONCE, Boolean.toString(exactlyOnce));
        props.put(SimulatorConfig.CHECKPOINT_INTERVAL_FRAMES, "200");
        // the producer's patience, 5 minutes by default, shortened so that the test waits seconds
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "8000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "8000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        SimulatorService s = new SimulatorService(new SimulatorConfig(props));
        s.start();
        return s;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, Control c) {
        producer.send(new ProducerRecord<>(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c)));
        producer.flush();
    }

    private static Map<String, Object> readerSettings(EmbeddedBroker broker) {
        Map<String, Object> rp = new HashMap<>(broker.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        return rp;
    }

    /** Waits (bounded) until a committed frame at or past {@code frame}; returns the newest frame seen. */
    private static long awaitFrame(EmbeddedBroker broker, String prefix, long frame, SimulatorService service) {
        long newest = -1;
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(readerSettings(broker), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(List.of(Topics.FRAMES.name(prefix)));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (newest < frame && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    newest = Math.max(newest, Topics.FRAMES.valueSerde().decode(r.value()).getFrame());
                }
                assertThat(service.failure()).as("the simulator's error").isNull();
            }
        }
        assertThat(newest).as("the newest committed frame").isGreaterThanOrEqualTo(frame);
        return newest;
    }

    private static void readCommitted(EmbeddedBroker broker, String prefix, List<Long> frames, List<Status> statuses) {
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(readerSettings(broker), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            reader.subscribe(List.of(Topics.FRAMES.name(prefix), Topics.STATUS.name(prefix)));
            int idle = 0;
            while (idle < 10) {
                var records = reader.poll(Duration.ofMillis(200));
                idle = records.isEmpty() ? idle + 1 : 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.topic().equals(Topics.FRAMES.name(prefix))) {
                        Frame f = Topics.FRAMES.valueSerde().decode(r.value());
                        frames.add(f.getFrame());
                    } else {
                        statuses.add(Topics.STATUS.valueSerde().decode(r.value()));
                    }
                }
            }
        }
    }
}
