package io.neurostream.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.SharedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** PartitionReader on the in-JVM broker. */
class PartitionReaderIntegrationTest {

    /**
     * A range read hands over exactly the records of the range: one poll returns records past the end offset
     * too, and a caller that reads on from that end offset (the recorder does) would see them twice.
     */
    @Test
    void shouldHandOverOnlyTheRecordsBeforeTheEndOfARange() throws Exception {
        EmbeddedBroker kafka = SharedBroker.get();
        String topic = "reader-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = kafka.admin()) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Map<String, Object> props = new HashMap<>(kafka.clientConfig());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k", new byte[] {(byte) i}));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        List<Long> first = new ArrayList<>();
        List<Long> rest = new ArrayList<>();
        try (PartitionReader reader = new PartitionReader(props, true)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            assertThat(reader.readRange(Map.of(tp, 0L), Map.of(tp, 40L), r -> first.add(r.offset()), deadline)).isTrue();
            assertThat(reader.readRange(Map.of(tp, 40L), Map.of(tp, 100L), r -> rest.add(r.offset()), deadline)).isTrue();
        }

        assertThat(first).hasSize(40).startsWith(0L).endsWith(39L);
        assertThat(rest).hasSize(60).startsWith(40L).endsWith(99L);
    }
}
