package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
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

/**
 * What the simulator's integration tests share: the shared in-JVM broker, fresh topics under a prefix
 * of their own (two partitions), a producer for control and input, and a {@code read_committed}
 * reader that waits, bounded, for what a test expects while checking the service is still up.
 */
final class ServiceHarness implements AutoCloseable {
    final EmbeddedBroker kafka;
    final String prefix;
    final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> reader;
    private final Duration wait;
    private final Supplier<SimulatorService> service;

    /**
     * @param producerSettings settings for the test's producer beyond the broker's (e.g. a larger max.request.size)
     * @param service          the service under test now (tests restart it), checked while waiting
     */
    ServiceHarness(String prefixStart, Duration wait, Map<String, Object> producerSettings, Supplier<SimulatorService> service)
            throws Exception {
        this.kafka = SharedBroker.get();
        this.prefix = prefixStart + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        this.wait = wait;
        this.service = service;
        try (Admin admin = kafka.admin()) {
            TopicAdmin.ensureTopics(admin, TopicAdmin.Options.defaults().withPrefix(prefix).withPartitions(2));
        }
        Map<String, Object> pp = new HashMap<>(kafka.clientConfig());
        pp.putAll(producerSettings);
        producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> rp = new HashMap<>(kafka.clientConfig());
        rp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        rp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        rp.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "reader");
        reader = new KafkaConsumer<>(rp, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Settings of a simulator on these topics, with the given instance id. */
    Map<String, Object> simulatorSettings(String instanceId) {
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        props.put(SimulatorConfig.TOPIC_PREFIX, prefix);
        props.put(SimulatorConfig.INSTANCE_ID, instanceId);
        props.put(SimulatorConfig.GROUP_ID, prefix + "simulator");
        return props;
    }

    void send(Control c) {
        sendRaw(Topics.CONTROL.name(prefix), c.getNetworkId(), Topics.CONTROL.valueSerde().encode(c));
    }

    void send(ExternalInput in) {
        sendRaw(Topics.EXTERNAL_INPUT.name(prefix), in.getNetworkId(), Topics.EXTERNAL_INPUT.valueSerde().encode(in));
    }

    void sendRaw(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
        producer.flush();
    }

    /** Reads committed records of a topic until {@code done} holds for what was read (bounded); the service must stay up. */
    <T> List<T> readUntil(Topic<? extends T> topic, Predicate<List<T>> done) {
        reader.unsubscribe();
        reader.subscribe(List.of(topic.name(prefix)));
        List<T> seen = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (!done.test(seen) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    seen.add(topic.valueSerde().decode(r.value()));
                }
            }
            assertThat(service.get().failure()).as("the service's fatal error").isNull();
        }
        assertThat(done.test(seen)).as("waited %s for %s", wait, topic.name(prefix)).isTrue();
        return seen;
    }

    /** The checksum of the spikes in {@code batches}, as the engine's {@link io.neurostream.engine.SpikeChecksum} takes it. */
    static String spikeChecksum(List<io.neurostream.schemas.avro.SpikeBatch> batches) {
        io.neurostream.engine.SpikeChecksum c = new io.neurostream.engine.SpikeChecksum();
        for (io.neurostream.schemas.avro.SpikeBatch b : batches) {
            int[] ids = io.neurostream.schemas.SpikeBatches.neuronIds(b);
            int[] offs = io.neurostream.schemas.SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                c.add(b.getFirstTick() + offs[i], ids[i]);
            }
        }
        return c.hex();
    }

    @Override
    public void close() {
        producer.close();
        reader.close();
    }
}
