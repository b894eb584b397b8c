package io.neurostream.ingest.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A {@code read_committed} consumer with no group (partitions are assigned by hand, nothing is committed)
 * that reads ranges of partitions: the simulator writes its output in transactions, and only committed
 * output is an answer (an aborted transaction's journal entry was never applied). Not thread-safe.
 */
public final class CommittedReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_RETRY = Duration.ofMillis(100);
    /** {@code fetch.max.wait.ms} unless the caller sets it, ms. */
    private static final int FETCH_MAX_WAIT_MS = 20;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Integer> partitionCounts = new HashMap<>();

    /** @param kafkaSettings Kafka client settings (bootstrap servers, security); group settings are overridden */
    public CommittedReader(Map<String, Object> kafkaSettings) {
        Map<String, Object> props = new HashMap<>(kafkaSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // an answer is awaited on partitions that are mostly idle: with Kafka's default of 500 ms the
        // broker holds each empty fetch that long: 4 commands took 3.4 s to answer on the in-JVM broker, 1.4 s with 20 ms
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The partition count of a topic (cached for the reader's life). A topic just created may take a
     * moment to appear in the metadata, so an unknown topic is asked for again until {@code timeout}.
     *
     * @throws IllegalStateException if the topic does not exist
     */
    public int partitions(String topic, Duration timeout) {
        Integer n = partitionCounts.get(topic);
        if (n == null) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            while ((infos == null || infos.isEmpty()) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(METADATA_RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(e);
                }
                infos = consumer.partitionsFor(topic, timeout);
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (is the topic prefix right, and were "
                        + "the topics created?)");
            }
            n = infos.size();
            partitionCounts.put(topic, n);
        }
        return n;
    }

    /** The committed end (last stable offset) of each partition: every committed record so far is before it. */
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return consumer.endOffsets(partitions, timeout);
    }

    /**
     * Reads every committed record of the partitions from the given offsets, handing each to {@code sink},
     * until {@code done} says so after a poll or the deadline ({@link System#nanoTime()}) passes.
     *
     * @return whether {@code done} held
     */
    public boolean readUntil(Map<TopicPartition, Long> from, Consumer<ConsumerRecord<String, byte[]>> sink,
            java.util.function.BooleanSupplier done, long deadlineNanos) {
        consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        while (!done.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(left < POLL.toNanos() ? Duration.ofNanos(left) : POLL)) {
                sink.accept(r);
            }
        }
        return true;
    }

    /**
     * Reads every committed record of the partitions from {@code from} up to {@code to} (exclusive), or
     * until the deadline passes. Only the records before {@code to} reach {@code sink}: a poll returns
     * records past it too, and a caller that reads on from {@code to} would otherwise see those twice.
     *
     * @return whether every partition was read to its end offset
     */
    public boolean readRange(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
            Consumer<ConsumerRecord<String, byte[]>> sink, long deadlineNanos) {
        Map<TopicPartition, Long> start = new HashMap<>();
        from.forEach((tp, offset) -> {
            if (offset < to.getOrDefault(tp, 0L)) {
                start.put(tp, offset);
            }
        });
        if (start.isEmpty()) {
            return true;
        }
        // the position passes aborted records and transaction markers too, so it reaches the end offset
        Consumer<ConsumerRecord<String, byte[]>> inRange = r -> {
            if (r.offset() < to.get(new TopicPartition(r.topic(), r.partition()))) {
                sink.accept(r);
            }
        };
        return readUntil(start, inRange, () -> start.keySet().stream().allMatch(tp -> consumer.position(tp) >= to.get(tp)),
                deadlineNanos);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
