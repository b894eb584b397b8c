package io.neurostream.schemas;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic of the registry ({@link Topics}): its base name, the serdes of its keys and values, and the
 * topic-level configuration {@link TopicAdmin} gives it. The full name is a prefix (default
 * {@value Topics#DEFAULT_PREFIX}) followed by the base name.
 *
 * @param <V> the generated Avro class of its values
 */
public final class Topic<V extends SpecificRecord> {

    /** What Kafka does with old records. */
    public enum Cleanup {
        /** Deletes segments older than the retention time (or beyond the retention size). */
        DELETE("delete"),
        /** Keeps the latest record of every key; a null value (tombstone) deletes the key. */
        COMPACT("compact");

        private final String config;

        Cleanup(String config) {
            this.config = config;
        }

        /** The value of {@code cleanup.policy}. */
        public String config() {
            return config;
        }
    }

    /** How records are keyed. */
    public enum Keys {
        /** Key = network id, so one network lives on one partition. */
        NETWORK_ID,
        /**
         * Key = {@link Topics#chunkKey network id + "/" + chunk}, written to the network's partition
         * ({@link Topics#partitionOf}): compaction keeps every chunk, one network still lives on one partition.
         */
        NETWORK_ID_AND_CHUNK
    }

    private final String baseName;
    private final Class<V> valueType;
    private final Keys keys;
    private final Cleanup cleanup;
    /**
     * {@code max.message.bytes} of every topic: Kafka's default (1 MiB plus the 12 bytes of a batch's
     * log overhead), set explicitly so that a cluster with a lower broker default still takes what the
     * clients' default {@code max.request.size} of 1 MiB lets them send, such as the simulator's
     * 512 KiB checkpoint chunks.
     */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

    private final Duration retention;
    private final long retentionBytes;
    private final long segmentBytes;
    private final String doc;

    /**
     * @param retention      how long a deleting topic keeps records, null = forever; null for compacted ones
     * @param retentionBytes how much a deleting topic keeps per partition; -1 for compacted ones, which
     *                       must keep every key's latest record whatever its size
     * @param segmentBytes   the segment size: retention deletes and compaction cleans whole closed segments
     *                       only, so a partition holds up to {@code retentionBytes + segmentBytes}
     */
    Topic(String baseName, Class<V> valueType, Keys keys, Cleanup cleanup, Duration retention, long retentionBytes,
            long segmentBytes, String doc) {
        if (cleanup == Cleanup.DELETE && retentionBytes <= 0) {
            throw new IllegalArgumentException(baseName + ": a deleting topic needs a size bound");
        }
        if (cleanup == Cleanup.COMPACT && (retention != null || retentionBytes > 0)) {
            throw new IllegalArgumentException(baseName + ": a compacted topic keeps every key's latest record");
        }
        if (segmentBytes < MAX_MESSAGE_BYTES || cleanup == Cleanup.DELETE && segmentBytes > retentionBytes / 4) {
            throw new IllegalArgumentException(baseName + ": segment.bytes " + segmentBytes + " must hold the largest "
                    + "record and be at most a quarter of retention.bytes");
        }
        this.baseName = baseName;
        this.valueType = valueType;
        this.keys = keys;
        this.cleanup = cleanup;
        this.retention = retention;
        this.retentionBytes = retentionBytes;
        this.segmentBytes = segmentBytes;
        this.doc = doc;
    }

    /** The name without prefix, e.g. {@code spikes}. */
    public String baseName() {
        return baseName;
    }

    /** The full name with the default prefix, e.g. {@code neurostream.spikes}. */
    public String name() {
        return Topics.DEFAULT_PREFIX + baseName;
    }

    /**
     * The full name with a prefix, e.g. {@code lab1.spikes} for prefix {@code lab1.}.
     *
     * @throws IllegalArgumentException if the result is not a legal Kafka topic name
     */
    public String name(String prefix) {
        return Topics.checkedName(prefix, baseName);
    }

    /** The serde of keys: UTF-8 strings (network ids, or chunk keys, see {@link #keys()}). */
    public Serde<String> keySerde() {
        return Serdes.String();
    }

    /** How records are keyed. */
    public Keys keys() {
        return keys;
    }

    /** The serde of values. */
    public AvroSerde<V> valueSerde() {
        return AvroSerde.of(valueType);
    }

    /** The generated Avro class of values. */
    public Class<V> valueType() {
        return valueType;
    }

    /** The cleanup policy. */
    public Cleanup cleanupPolicy() {
        return cleanup;
    }

    /** Whether compacted. */
    public boolean compacted() {
        return cleanup == Cleanup.COMPACT;
    }

    /** How long records are kept by a {@link Cleanup#DELETE} topic; empty if forever, or if compacted. */
    public Optional<Duration> retention() {
        return Optional.ofNullable(retention);
    }

    /**
     * How many bytes a {@link Cleanup#DELETE} topic keeps per partition before it deletes its oldest
     * segment; empty if compacted.
     */
    public OptionalLong retentionBytes() {
        return retentionBytes > 0 ? OptionalLong.of(retentionBytes) : OptionalLong.empty();
    }

    /** The size at which a partition's active segment is closed ({@code segment.bytes}). */
    public long segmentBytes() {
        return segmentBytes;
    }

    /** The default partition count of a new topic ({@link Topics#DEFAULT_PARTITIONS}). */
    public int defaultPartitions() {
        return Topics.DEFAULT_PARTITIONS;
    }

    /** What flows on the topic and who writes it. */
    public String doc() {
        return doc;
    }

    /**
     * The topic-level configuration {@link TopicAdmin} sets and keeps: {@code cleanup.policy};
     * {@code retention.ms} (-1 = forever) and {@code retention.bytes} (per partition) for deleting topics;
     * {@code segment.ms} of one hour for compacted ones, so compaction is not held back by a week-long
     * active segment; {@code segment.bytes} everywhere, small enough that size-based retention and
     * compaction have closed segments to work on (Kafka's default is 1 GiB);
     * {@code max.message.bytes} = {@link #MAX_MESSAGE_BYTES}; and
     * {@code message.timestamp.after.max.ms} = {@link Long#MAX_VALUE} everywhere,
     * because record timestamps are the run's epoch plus simulated time, which runs ahead of the wall
     * clock in as-fast-as-possible mode, and since Kafka 4.0 brokers refuse timestamps more than one
     * hour in the future by default.
     */
    public Map<String, String> configs() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanup.config());
        if (cleanup == Cleanup.DELETE) {
            c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention == null ? -1 : retention.toMillis()));
            c.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(retentionBytes));
        } else {
            c.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()));
        }
        c.put(TopicConfig.SEGMENT_BYTES_CONFIG, Long.toString(segmentBytes));
        c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES));
        c.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
        return Collections.unmodifiableMap(c);
    }

    @Override
    public String toString() {
        return baseName;
    }
}
