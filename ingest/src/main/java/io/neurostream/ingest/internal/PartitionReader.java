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
 * A consumer with no group (partitions are assigned by hand, nothing is committed) that reads ranges of
 * partitions, {@code read_committed} unless asked otherwise: the simulator writes its output in
 * transactions, and only committed output is an answer (an aborted transaction's journal entry was
 * never applied). The one raw reader of the client library: {@code NeuroStreamClient} awaits answers
 * and reads statuses with it, {@code OutputReader} reads outputs with it. Not thread-safe.
 */
public final class PartitionReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_RETRY = Duration.ofMillis(100);
    /**
     * {@code max.partition.fetch.bytes} unless the caller sets it: a checkpoint chunk is up to 1 MiB, and
     * a fetch of several of them in one go reads a topic to its end in fewer round trips.
     */
    private static final int MAX_PARTITION_FETCH_BYTES = 4 * 1024 * 1024;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Integer> partitionCounts = new HashMap<>();

    /**
     * @param kafkaSettings Kafka client settings (bootstrap servers, security); group and transaction
     *                      settings are dropped
     * @param committed     read committed records only ({@code read_committed}), else every record
     */
    public PartitionReader(Map<String, Object> kafkaSettings, boolean committed) {
        Map<String, Object> props = new HashMap<>(kafkaSettings);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.remove("transactional.id");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_PARTITION_FETCH_BYTES);
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

    /**
     * Assigns the partitions and puts each at its beginning or its end; the positions are resolved
     * before this returns, so that "from the end" means records written from now on.
     */
    public void start(List<TopicPartition> partitions, boolean fromBeginning, Duration timeout) {
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(tp -> consumer.position(tp, timeout));
    }

    /**
     * Assigns the partitions and puts each at its first record whose timestamp is at or after
     * {@code timestampMs} (the broker's time index), or at its end if it has none; resolved before this returns.
     */
    public void startAt(List<TopicPartition> partitions, long timestampMs, Duration timeout) {
        consumer.assign(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, timestampMs));
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        for (TopicPartition tp : partitions) {
            org.apache.kafka.clients.consumer.OffsetAndTimestamp at = found.get(tp);
            consumer.seek(tp, at == null ? end.get(tp) : at.offset());
        }
        partitions.forEach(tp -> consumer.position(tp, timeout));
    }

    /**
     * Moves a partition's position forward, from where {@link #startAt} put it, to near the first record of
     * {@code ours} whose timestamp is at or after {@code timestampMs}: the time index finds the first batch
     * whose timestamp reaches it, and a transaction marker (stamped with the commit's wall-clock time) or
     * another key's record may reach it long before this key's records do (a run slower than real time lags
     * the wall clock). A binary search over offsets on the timestamps of {@code ours}, which must not go down
     * with the offset; it stops within {@value #REFINE_SPAN} offsets, never past the first such record.
     */
    public void refineStart(TopicPartition tp, java.util.function.Predicate<ConsumerRecord<String, byte[]>> ours,
            long timestampMs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lo = consumer.position(tp, timeout);
        long hi = consumer.endOffsets(List.of(tp), timeout).get(tp);
        // the first record of ours at or after the timestamp is at an offset in [lo, hi] (hi: none)
        while (hi - lo > REFINE_SPAN && System.nanoTime() < deadline) {
            long mid = lo + (hi - lo) / 2;
            ConsumerRecord<String, byte[]> r = firstFrom(tp, mid, hi, ours, deadline);
            if (r == null || r.offset() >= hi) {
                hi = mid; // nothing of ours in [mid, hi): starting at mid reads the same as at hi
            } else if (r.timestamp() >= timestampMs) {
                hi = r.offset();
            } else {
                lo = r.offset() + 1;
            }
        }
        consumer.seek(tp, lo);
    }

    private static final long REFINE_SPAN = 256;

    /** The first record of {@code ours} at an offset in [from, limit), or null (or at the deadline). */
    private ConsumerRecord<String, byte[]> firstFrom(TopicPartition tp, long from, long limit,
            java.util.function.Predicate<ConsumerRecord<String, byte[]>> ours, long deadline) {
        consumer.seek(tp, from);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
                if (r.offset() >= limit) {
                    return null;
                }
                if (ours.test(r)) {
                    return r;
                }
            }
            if (consumer.position(tp) >= limit) {
                return null;
            }
        }
        return null;
    }

    /** Assigns the partitions and puts each at the given offset. */
    public void seek(Map<TopicPartition, Long> positions) {
        consumer.assign(positions.keySet());
        positions.forEach(consumer::seek);
    }

    /** The next records of the partitions assigned by {@link #start}, waiting up to {@code max} for some. */
    public Iterable<ConsumerRecord<String, byte[]>> poll(Duration max) {
        return consumer.poll(max);
    }

    /** The position of an assigned partition: the offset of the next record to read. */
    public long position(TopicPartition partition, Duration timeout) {
        return consumer.position(partition, timeout);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
