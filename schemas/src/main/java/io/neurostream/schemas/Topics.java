package io.neurostream.schemas;

import io.neurostream.schemas.Topic.Cleanup;
import io.neurostream.schemas.Topic.Keys;
import io.neurostream.schemas.avro.Alert;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * The topic registry: every topic NeuroStream reads or writes, with its serdes and configuration. Every
 * module takes topic names and serdes from here, and {@link TopicAdmin} creates them.
 *
 * <pre>{@code
 * String prefix = "neurostream.";                        // configurable; Topics.DEFAULT_PREFIX
 * Producer<String, SpikeBatch> p = new KafkaProducer<>(props,
 *         Topics.SPIKES.keySerde().serializer(), Topics.SPIKES.valueSerde());
 * p.send(new ProducerRecord<>(Topics.SPIKES.name(prefix), null, timestampMs, networkId, batch));
 * }</pre>
 *
 * <p>Keys are network ids (UTF-8), so one network lives on one partition of every topic; the two
 * chunked compacted topics key by {@link #chunkKey} and pick the network's partition explicitly with
 * {@link #partitionOf}. All topics keyed by network must have the same partition count (the simulator
 * consumes a network's input and control from the same partition number, and analytics joins by key).
 *
 * <p>Record timestamps of everything the simulator and analytics write are the run's epoch plus
 * simulated time, so retention by time counts simulated time: a run that goes faster than the wall
 * clock writes records "in the future" that time-based retention keeps until the wall clock catches up,
 * which is one reason every deleting topic also carries a size limit per partition; the compacted
 * ones keep every key's latest record and are bounded by compaction (docs/topics.md, "Disk bounds").
 */
public final class Topics {

    /** The default prefix of topic names. */
    public static final String DEFAULT_PREFIX = "neurostream.";

    /** The default partition count of new topics. */
    public static final int DEFAULT_PARTITIONS = 6;

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    /** Inputs for running networks (from ingest, replays, clients). */
    public static final Topic<ExternalInput> EXTERNAL_INPUT = new Topic<>("external-input", ExternalInput.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(7), 128 * MIB, 16 * MIB,
            "Inputs for running networks, from ingest, replays and clients; read by the simulator.");
    /** Commands for networks (ops CLI, dashboard). */
    public static final Topic<Control> CONTROL = new Topic<>("control", Control.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(7), 64 * MIB, 8 * MIB,
            "Commands for networks (create, start, pause, step, speed, probe, set, checkpoint, stop); read by the simulator.");
    /** Every spike, one packed batch per frame. */
    public static final Topic<SpikeBatch> SPIKES = new Topic<>("spikes", SpikeBatch.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(1), 256 * MIB, 32 * MIB,
            "Every spike, one packed SpikeBatch per network and frame; written by the simulator.");
    /** Sampled state variables of probed neurons. */
    public static final Topic<MembraneSample> MEMBRANE = new Topic<>("membrane", MembraneSample.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(1), 256 * MIB, 32 * MIB,
            "Sampled state variables of probed neurons; written by the simulator.");
    /** Per-frame summaries, also the heartbeat that closes analytics windows. */
    public static final Topic<Frame> FRAMES = new Topic<>("frames", Frame.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(1), 256 * MIB, 32 * MIB,
            "One Frame summary per network and frame (per area and E/I class), the heartbeat of analytics; written by the simulator.");
    /** Every applied input with its tick: what replay and recovery use. No time limit; a generous size limit. */
    public static final Topic<AppliedInput> JOURNAL = new Topic<>("journal", AppliedInput.class,
            Keys.NETWORK_ID, Cleanup.DELETE, null, 2 * GIB, 128 * MIB,
            "Every input and command the simulator applied, with its tick; recovery replays what follows a network's newest checkpoint, replay reads it all. Kept without a time limit, up to 2 GiB per partition.");
    /** Where each neuron sits, chunked, compacted. */
    public static final Topic<Topology> TOPOLOGY = new Topic<>("topology", Topology.class,
            Keys.NETWORK_ID_AND_CHUNK, Cleanup.COMPACT, null, -1, 64 * MIB,
            "Each network's neurons (area, population, class, coordinates) in chunks; compacted; written by the simulator.");
    /** The latest status of each network, compacted. */
    public static final Topic<Status> STATUS = new Topic<>("status", Status.class,
            Keys.NETWORK_ID, Cleanup.COMPACT, null, -1, 16 * MIB,
            "The latest Status of each network; compacted; written by the simulator.");
    /** The latest checkpoint of each network, chunked, compacted. */
    public static final Topic<Checkpoint> CHECKPOINTS = new Topic<>("checkpoints", Checkpoint.class,
            Keys.NETWORK_ID_AND_CHUNK, Cleanup.COMPACT, null, -1, 128 * MIB,
            "The latest checkpoint of each network in chunks; compacted; written and read by the simulator.");
    /** Records the simulator could not use, with the reason. */
    public static final Topic<Rejected> REJECTED = new Topic<>("rejected", Rejected.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(7), 64 * MIB, 8 * MIB,
            "Records the simulator could not use, and frames the analytics would not count, with a reason; written by "
                    + "the simulator and the analytics.");
    /** Windowed firing rates. */
    public static final Topic<Rate> RATES = new Topic<>("rates", Rate.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(7), 128 * MIB, 16 * MIB,
            "Firing rates per window, area and E/I class; written by analytics.");
    /** Windowed E-I balance. */
    public static final Topic<Balance> BALANCE = new Topic<>("balance", Balance.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(7), 128 * MIB, 16 * MIB,
            "E-I balance per window and area; written by analytics.");
    /** Alerts raised and cleared. */
    public static final Topic<Alert> ALERTS = new Topic<>("alerts", Alert.class,
            Keys.NETWORK_ID, Cleanup.DELETE, Duration.ofDays(30), 64 * MIB, 8 * MIB,
            "Alerts raised and cleared (E-I ratio, runaway, silence); written by analytics.");

    private static final List<Topic<?>> ALL = List.of(EXTERNAL_INPUT, CONTROL, SPIKES, MEMBRANE, FRAMES, JOURNAL,
            TOPOLOGY, STATUS, CHECKPOINTS, REJECTED, RATES, BALANCE, ALERTS);

    private Topics() {
    }

    /** Every topic, inputs first. */
    public static List<Topic<?>> all() {
        return ALL;
    }

    /** The topic with this base name (e.g. {@code spikes}). */
    public static Optional<Topic<?>> byBaseName(String baseName) {
        return ALL.stream().filter(t -> t.baseName().equals(baseName)).findFirst();
    }

    /** The topic whose values are of this type. */
    @SuppressWarnings("unchecked")
    public static <V extends SpecificRecord> Optional<Topic<V>> byValueType(Class<V> type) {
        return ALL.stream().filter(t -> t.valueType() == type).map(t -> (Topic<V>) t).findFirst();
    }

    /**
     * The partition Kafka's default partitioner gives key {@code networkId}: murmur2 of its UTF-8 bytes.
     * Records keyed by {@link #chunkKey} are sent to this partition explicitly, so a network's chunks sit
     * with the rest of its records.
     */
    public static int partitionOf(String networkId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(networkId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The key of chunk {@code chunk} of a network on a chunked compacted topic: {@code networkId + "/" + chunk}. */
    public static String chunkKey(String networkId, int chunk) {
        if (chunk < 0) {
            throw new IllegalArgumentException("chunk must be >= 0, got " + chunk);
        }
        return networkId + "/" + chunk;
    }

    /** The network id of a {@link #chunkKey} (everything before the last '/'). */
    public static String networkIdOfChunkKey(String key) {
        int slash = key.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a chunk key (network/chunk): " + key);
        }
        return key.substring(0, slash);
    }

    /**
     * Checks a prefix: what Kafka allows in topic names (ASCII letters, digits, '.', '_', '-'), possibly
     * empty, and short enough for every base name (names are at most 249 characters).
     *
     * @throws IllegalArgumentException if the prefix is not usable
     */
    public static String checkPrefix(String prefix) {
        for (Topic<?> t : ALL) {
            checkedName(prefix, t.baseName());
        }
        return prefix;
    }

    static String checkedName(String prefix, String baseName) {
        if (prefix == null) {
            throw new IllegalArgumentException("topic prefix is null (use \"\" for none)");
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("topic prefix '" + prefix + "' has '" + c
                        + "'; topic names take only ASCII letters, digits, '.', '_' and '-'");
            }
        }
        String name = prefix + baseName;
        if (name.length() > 249) {
            throw new IllegalArgumentException("topic name " + name + " is longer than Kafka's 249 characters");
        }
        return name;
    }
}
