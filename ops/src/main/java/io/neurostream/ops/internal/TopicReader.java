package io.neurostream.ops.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic once, every partition from its beginning to the end offsets it had when the
 * read started, committed records only ({@code read_committed}: what a simulator's recovery sees; an
 * open transaction's records, and everything after them, are not read). No group, nothing committed.
 */
public final class TopicReader {

    /** Takes each record, in offset order within a partition. */
    @FunctionalInterface
    public interface Sink {
        void accept(int partition, long offset, String key, byte[] value);
    }

    private TopicReader() {
    }

    /**
     * Reads {@code topic} to its end offsets.
     *
     * @throws KafkaException if the topic does not exist or cannot be read to its end within {@code timeout}
     */
    public static void readAll(Map<String, Object> client, String topic, Duration timeout, Sink sink) {
        Map<String, Object> c = new HashMap<>(client);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new KafkaException("there is no topic " + topic + " (neurostream topics creates it; is "
                        + "neurostream.topic.prefix right?)");
            }
            List<TopicPartition> tps = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
            while (tps.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        sink.accept(r.partition(), r.offset(), r.key(), r.value());
                    }
                }
            }
        }
    }
}
