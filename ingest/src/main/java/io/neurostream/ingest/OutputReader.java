package io.neurostream.ingest;

import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one NeuroStream topic from another Java program, decoded: the simulator's and analytics' outputs
 * ({@link Topics#SPIKES spikes}, {@link Topics#FRAMES frames}, {@link Topics#MEMBRANE membrane} samples,
 * {@link Topics#RATES rates}, {@link Topics#BALANCE balance}, {@link Topics#ALERTS alerts}) or any other
 * topic of {@link Topics}, with no Kafka or Avro code on the caller's side.
 *
 * <pre>{@code
 * try (OutputReader<Rate> rates = OutputReader.open(settings, Topics.RATES, OutputReader.Options.fromNow().network("v1"))) {
 *     for (OutputReader.Output<Rate> r : rates.poll(Duration.ofSeconds(1))) {
 *         System.out.println(r.value().getArea() + " " + r.value().getRateHz());
 *     }
 * }
 * }</pre>
 *
 * <p>No consumer group: the reader assigns the topic's partitions (only the network's with
 * {@link Options#network}) and commits nothing, so it never disturbs the services' groups and any number
 * of readers may read at once. Committed records only by default ({@code read_committed}: the simulator
 * writes in transactions, and an aborted one's records never happened); {@link Isolation#UNCOMMITTED} is
 * the low-latency view, which may show records of a transaction that is later aborted.
 *
 * <p>Settings: Kafka client settings (e.g. {@code bootstrap.servers}) and optionally
 * {@link NeuroStreamClient#TOPIC_PREFIX}. Not thread-safe: one reader, one thread.
 */
public final class OutputReader<T extends SpecificRecord> implements AutoCloseable {

    /** Which records a reader sees. */
    public enum Isolation {
        /** Committed records only ({@code read_committed}). */
        COMMITTED,
        /** Every record, also of open transactions that may yet be aborted ({@code read_uncommitted}). */
        UNCOMMITTED
    }

    /**
     * Where to start, which network's records, which isolation.
     *
     * @param atBeginning   start at the oldest record kept, else at the end (records written from now on);
     *                      ignored when {@code startAtMs} is given
     * @param networkId     only this network's records (and only its partition is read), or null for all
     * @param isolation     committed records only, or every record
     * @param startAtMs     start at the first record whose timestamp is at or after this (epoch ms; for simulator
     *                      output: run epoch + simulated ms), or at the end if there is none; null for
     *                      {@code atBeginning}'s choice
     */
    public record Options(boolean atBeginning, String networkId, Isolation isolation, Long startAtMs) {
        public Options {
            Objects.requireNonNull(isolation, "isolation");
        }

        /** Without a start timestamp. */
        public Options(boolean atBeginning, String networkId, Isolation isolation) {
            this(atBeginning, networkId, isolation, null);
        }

        /** From the oldest record kept, every network, committed records. */
        public static Options fromBeginning() {
            return new Options(true, null, Isolation.COMMITTED);
        }

        /** From the end (records written from now on), every network, committed records. */
        public static Options fromNow() {
            return new Options(false, null, Isolation.COMMITTED);
        }

        /**
         * From the first record whose timestamp is at or after {@code timestampMs} (epoch ms), every network,
         * committed records: e.g. a run's outputs from simulated time T on, at run epoch + T. Found with the
         * broker's time index and, with {@link #network}, refined by a binary search on the network's own
         * records (the index finds the first batch whose timestamp reaches T, and a transaction's marker carries
         * the wall-clock time of its commit, ahead of a run slower than real time), so little before is read: the
         * start may be up to a few hundred records before the network's first record at T, never after it. A
         * reader that wants exactly [T, ...) also checks {@link Output#timestampMs()}.
         */
        public static Options fromTimestamp(long timestampMs) {
            return new Options(false, null, Isolation.COMMITTED, timestampMs);
        }

        /** Only the network's records. */
        public Options network(String id) {
            return new Options(atBeginning, Objects.requireNonNull(id, "id"), isolation, startAtMs);
        }

        /** With this isolation. */
        public Options isolation(Isolation i) {
            return new Options(atBeginning, networkId, i, startAtMs);
        }
    }

    /**
     * One record: where it is, its key, and its value, decoded when asked for ({@link #value()}), so that a
     * record that does not decode is seen as such without stopping the reading.
     */
    public static final class Output<T extends SpecificRecord> {
        private final Topic<T> topic;
        private final ConsumerRecord<String, byte[]> record;

        Output(Topic<T> topic, ConsumerRecord<String, byte[]> record) {
            this.topic = topic;
            this.record = record;
        }

        /** The record's key: the network id (or {@code network/chunk} on chunked topics), or null. */
        public String key() {
            return record.key();
        }

        /** The topic's partition. */
        public int partition() {
            return record.partition();
        }

        /** The record's offset in its partition. */
        public long offset() {
            return record.offset();
        }

        /** The record's timestamp, epoch ms (for simulator output: run epoch + simulated ms). */
        public long timestampMs() {
            return record.timestamp();
        }

        /** Whether the record is a tombstone (no value: the key was deleted). */
        public boolean isTombstone() {
            return record.value() == null;
        }

        /** The encoded value (Avro single-object encoding), or null for a tombstone. */
        public byte[] bytes() {
            return record.value();
        }

        /**
         * The decoded value, or null for a tombstone.
         *
         * @throws BadRecordException if the bytes are not a record of the topic's schema (or of a version
         *                            this build reads)
         */
        public T value() {
            return record.value() == null ? null : topic.valueSerde().decode(record.value());
        }
    }

    /** How long metadata and offset look-ups may take. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Topic<T> topic;
    private final String name;
    private final String networkId;
    private final PartitionReader reader;
    private final List<TopicPartition> partitions;

    private OutputReader(Topic<T> topic, String name, String networkId, PartitionReader reader,
            List<TopicPartition> partitions) {
        this.topic = topic;
        this.name = name;
        this.networkId = networkId;
        this.reader = reader;
        this.partitions = partitions;
    }

    /**
     * Opens a reader of {@code topic} and puts it at its start.
     *
     * @throws KafkaException        if Kafka cannot be reached or refuses the settings
     * @throws IllegalStateException if the topic does not exist (a wrong topic prefix?)
     */
    public static <T extends SpecificRecord> OutputReader<T> open(Map<String, ?> settings, Topic<T> topic,
            Options options) {
        Map<String, Object> kafka = new HashMap<>(settings);
        Object p = kafka.remove(NeuroStreamClient.TOPIC_PREFIX);
        kafka.remove(NeuroStreamClient.ANSWER_TIMEOUT_MS);
        String name = topic.name(Topics.checkPrefix(p == null ? Topics.DEFAULT_PREFIX : p.toString()));
        PartitionReader reader = new PartitionReader(kafka, options.isolation() == Isolation.COMMITTED);
        try {
            int n = reader.partitions(name, REQUEST_TIMEOUT);
            List<TopicPartition> tps = new ArrayList<>();
            if (options.networkId() != null) {
                tps.add(new TopicPartition(name, Topics.partitionOf(options.networkId(), n)));
            } else {
                for (int i = 0; i < n; i++) {
                    tps.add(new TopicPartition(name, i));
                }
            }
            if (options.startAtMs() != null) {
                reader.startAt(tps, options.startAtMs(), REQUEST_TIMEOUT);
                if (options.networkId() != null) {
                    // the time index may start long before the network's own records reach the time: refine
                    String id = options.networkId();
                    reader.refineStart(tps.get(0), r -> r.value() != null && matches(topic, id, r.key()),
                            options.startAtMs(), REQUEST_TIMEOUT);
                }
            } else {
                reader.start(tps, options.atBeginning(), REQUEST_TIMEOUT);
            }
            return new OutputReader<>(topic, name, options.networkId(), reader, List.copyOf(tps));
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** The full name of the topic read (with its prefix). */
    public String topicName() {
        return name;
    }

    /** The partitions read, in order. */
    public List<Integer> partitions() {
        return partitions.stream().map(TopicPartition::partition).toList();
    }

    /** The next records (of the network, if one was given), waiting up to {@code max} for some; maybe none. */
    public List<Output<T>> poll(Duration max) {
        List<Output<T>> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : reader.poll(max)) {
            if (matches(r.key())) {
                out.add(new Output<>(topic, r));
            }
        }
        return out;
    }

    /**
     * Reads from where the reader is to the end the partitions have now (the last stable offset when
     * committed), handing each record to {@code sink}; records written meanwhile are left for later.
     *
     * @throws KafkaException if the end is not reached within {@code timeout}
     */
    public void readToEnd(Consumer<Output<T>> sink, Duration timeout) {
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, REQUEST_TIMEOUT);
        Map<TopicPartition, Long> from = new HashMap<>();
        partitions.forEach(tp -> from.put(tp, reader.position(tp, REQUEST_TIMEOUT)));
        boolean complete = reader.readRange(from, end, r -> {
            if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && matches(r.key())) {
                sink.accept(new Output<>(topic, r));
            }
        }, System.nanoTime() + timeout.toNanos());
        if (!complete) {
            throw new KafkaException("could not read " + name + " to its end within " + timeout.toSeconds() + " s");
        }
        reader.seek(end); // every partition again, each just after what was handed over
    }

    /**
     * The committed end (last stable offset when committed) of each partition read, by partition: how far
     * {@link #readToEnd} would read now.
     */
    public Map<Integer, Long> endOffsets() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        reader.endOffsets(partitions, REQUEST_TIMEOUT).forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    /** The offset of the next record each partition will give, by partition. */
    public Map<Integer, Long> positions() {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        partitions.forEach(tp -> out.put(tp.partition(), reader.position(tp, REQUEST_TIMEOUT)));
        return out;
    }

    /** Whether a record's key is the network's (any key without a network). */
    private boolean matches(String key) {
        return matches(topic, networkId, key);
    }

    private static boolean matches(Topic<?> topic, String networkId, String key) {
        if (networkId == null) {
            return true;
        }
        if (key == null) {
            return false;
        }
        if (topic.keys() == Topic.Keys.NETWORK_ID_AND_CHUNK) {
            return key.lastIndexOf('/') >= 0 && networkId.equals(Topics.networkIdOfChunkKey(key));
        }
        return networkId.equals(key);
    }

    @Override
    public void close() {
        reader.close();
    }
}
