package io.neurostream.simulator;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The simulator's settings, each a constant with its documentation (rendered by {@code --help} and
 * {@code docs/cli.md}). Keys that are not the simulator's are Kafka client settings and pass through
 * to the consumer and producer (bootstrap servers, security, SASL, SSL).
 */
public final class SimulatorConfig extends AbstractConfig {
    public static final String TOPIC_PREFIX = "neurostream.topic.prefix";
    public static final String INSTANCE_ID = "simulator.instance.id";
    public static final String GROUP_ID = "simulator.group.id";
    public static final String FRAME_MS = "simulator.frame.ms";
    public static final String COMMIT_INTERVAL_MS = "simulator.commit.interval.ms";
    public static final String CHECKPOINT_INTERVAL_FRAMES = "simulator.checkpoint.interval.frames";
    public static final String STATUS_INTERVAL_MS = "simulator.status.interval.ms";
    public static final String LATE_TOLERANCE_MS = "simulator.input.late.tolerance.ms";
    public static final String MAX_AHEAD_MS = "simulator.input.max.ahead.ms";
    public static final String MAX_INPUT_NEURONS = "simulator.input.max.neurons";
    public static final String MAX_MATRIX_VALUES = "simulator.input.max.matrix.values";
    public static final String MAX_LAG_MS = "simulator.max.lag.ms";
    public static final String MAX_NEURONS_KEY = "simulator.max.neurons";
    public static final String EXACTLY_ONCE = "simulator.exactly.once";
    public static final String MAX_SYNAPSES_KEY = "simulator.max.synapses";
    public static final String RECORD_MAX_BYTES = "simulator.record.max.bytes";
    public static final String INPUT_QUEUE_MAX_COUNT = "simulator.input.queue.max.count";
    public static final String INPUT_QUEUE_MAX_BYTES = "simulator.input.queue.max.bytes";
    public static final String MAX_ABS_VALUE = "simulator.input.max.abs.value";
    public static final String PROBE_MAX_VALUES_PER_S = "simulator.probe.max.values.per.second";
    public static final String MEMORY_BUDGET_FRACTION = "simulator.memory.budget.fraction";
    public static final String UNPACED_MAX_BYTES_PER_COMMIT = "simulator.unpaced.max.bytes.per.commit";

    /** Longest network id, in characters: ids are record keys and appear in every record of the network. */
    public static final int MAX_NETWORK_ID_CHARS = 200;

    /** Default cap on the neurons of one network. */
    public static final long MAX_NEURONS = 10_000_000L;

    public static final ConfigDef DEF = new ConfigDef()
            .define(TOPIC_PREFIX, Type.STRING, "neurostream.", Importance.HIGH,
                    "Prefix of every NeuroStream topic (external-input becomes <prefix>external-input).")
            .define(INSTANCE_ID, Type.STRING, defaultInstanceId(), Importance.MEDIUM,
                    "This simulator instance's id, unique per instance: its transactional id is <group>-<instance>, and its "
                            + "consumer joins the group as a static member under it (group.instance.id), so an instance "
                            + "restarted under the same id takes its partitions back at once, also after a crash. Give each "
                            + "instance a stable id; the default changes with every process.")
            .define(GROUP_ID, Type.STRING, null, Importance.MEDIUM,
                    "Consumer group of the simulator instances that share the networks, and the start of their "
                            + "transactional ids (<group>-<instance>). Unset: <prefix>simulator (neurostream.simulator), "
                            + "so deployments with different topic prefixes on one cluster never share a group or fence "
                            + "each other's transactions.")
            .define(FRAME_MS, Type.DOUBLE, 1.0, Range.between(0.0001, 1000.0), Importance.MEDIUM,
                    "Simulated milliseconds per frame: one SpikeBatch and one Frame per network per frame.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.between(1L, 60_000L), Importance.MEDIUM,
                    "Wall-clock milliseconds a transaction spans: the frames computed in it, their journal entries and "
                            + "the offsets they consumed commit together.")
            .define(CHECKPOINT_INTERVAL_FRAMES, Type.LONG, 10_000L, Range.atLeast(1L), Importance.MEDIUM,
                    "A network is checkpointed every this many frames, and on clean shutdown.")
            .define(STATUS_INTERVAL_MS, Type.LONG, 1000L, Range.between(10L, 3_600_000L), Importance.LOW,
                    "Wall-clock milliseconds between the periodic Status records of each network; what paces the "
                            + "statuses of a network that is not computing (CREATED, PAUSED, BUILDING). A network that "
                            + "computes (RUNNING, or stepping) also gets a Status at the end of every transaction, "
                            + "every simulator.commit.interval.ms, which recovery relies on: while it runs, this "
                            + "setting only matters if it is shorter than the commit interval.")
            .define(LATE_TOLERANCE_MS, Type.DOUBLE, 1000.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "An input whose tick is already computed applies at the first tick not yet computed if it is at most "
                            + "this many simulated ms late; older ones are rejected (TICK_IN_PAST).")
            .define(MAX_AHEAD_MS, Type.DOUBLE, 3_600_000.0, Range.atLeast(0.0), Importance.LOW,
                    "Inputs for ticks more than this many simulated ms ahead are rejected (TICK_TOO_FAR).")
            .define(MAX_INPUT_NEURONS, Type.INT, 1_000_000, Range.atLeast(1), Importance.LOW,
                    "Most neurons or coordinates one input may name (OVERSIZED beyond).")
            .define(MAX_MATRIX_VALUES, Type.INT, 1 << 20, Range.atLeast(1), Importance.LOW,
                    "Most values one sense matrix may hold (OVERSIZED beyond).")
            .define(MAX_LAG_MS, Type.DOUBLE, 1000.0, Range.atLeast(0.0), Importance.LOW,
                    "A real-time network that falls this many simulated ms behind the wall clock x speed stops catching up "
                            + "and continues from now; the gap is added to Status.stalled_ms.")
            .define(MAX_NEURONS_KEY, Type.LONG, MAX_NEURONS, Range.atLeast(1L), Importance.LOW,
                    "Largest network (in neurons) a CREATE may ask for.")
            .define(MAX_SYNAPSES_KEY, Type.LONG, 500_000_000L, Range.atLeast(0L), Importance.LOW,
                    "Largest network (in expected synapses of its connection rules) a CREATE may ask for; about 9 bytes each.")
            .define(RECORD_MAX_BYTES, Type.INT, null, Importance.LOW,
                    "Largest record the simulator writes, in bytes (key, value and Kafka's per-record overhead). Unset: the "
                            + "smaller of the producer's max.request.size and the max.message.bytes of the output topics, read "
                            + "from the cluster at startup. Spike batches and membrane samples larger than this are split into "
                            + "parts of the same frame; an input whose journal entry would be larger is rejected (OVERSIZED).")
            .define(INPUT_QUEUE_MAX_COUNT, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM,
                    "Most inputs one network holds waiting for their tick, or, while it is BUILDING, records waiting for the "
                            + "build; past it, inputs are rejected (QUEUE_FULL) and the network's neighbours are not affected.")
            .define(INPUT_QUEUE_MAX_BYTES, Type.LONG, 16L * 1024 * 1024, Range.atLeast(1024L), Importance.MEDIUM,
                    "Most bytes of inputs one network holds waiting for their tick, each counted as the larger of its "
                            + "record and its engine form (a population or area target is every neuron id of it, 4 bytes "
                            + "each); past it, inputs are rejected (QUEUE_FULL). Waiting inputs are also in checkpoints.")
            .define(MAX_ABS_VALUE, Type.DOUBLE, 1.0e4, Range.between(1.0, 1.0e300), Importance.LOW,
                    "Largest magnitude of an input's current, Poisson weight or sense-matrix value (each times scale), in "
                            + "the model's input unit, and of a SET value; larger finite values are not physical and are "
                            + "rejected (OUT_OF_RANGE). 1e4 is a hundred times the drive that makes a LIF neuron fire every tick.")
            .define(PROBE_MAX_VALUES_PER_S, Type.LONG, 1_000_000L, Range.atLeast(1L), Importance.LOW,
                    "Most membrane values a network's probe may produce per second of simulated time (probed neurons x "
                            + "variables / sampling interval); a PROBE asking for more is rejected (OVERSIZED).")
            .define(MEMORY_BUDGET_FRACTION, Type.DOUBLE, 0.6, Range.between(0.05, 0.95), Importance.MEDIUM,
                    "Share of the JVM's maximum heap (-Xmx) the hosted networks may take together, by the estimate made "
                            + "before a CREATE or RESET is built (neurons, expected synapses, delay rings, probes); a spec that "
                            + "does not fit what is left is rejected (INSUFFICIENT_MEMORY).")
            .define(UNPACED_MAX_BYTES_PER_COMMIT, Type.LONG, 1L << 20, Range.atLeast(1024L), Importance.LOW,
                    "Bytes of output one transaction may carry before networks without a deadline (as fast as possible, "
                            + "or stepping) wait for the next commit; real-time networks are never held. What the loop writes "
                            + "the broker must take and the commit must flush, so on a small machine a network writing "
                            + "megabytes a frame at full speed slows the real-time ones; 1 MiB per 100 ms commit is 10 MB/s.")
            .define(EXACTLY_ONCE, Type.BOOLEAN, true, Importance.HIGH,
                    "Transactional output (exactly once). false: idempotent producer, at-least-once.");

    private final Map<String, Object> kafka;

    public SimulatorConfig(Map<?, ?> props) {
        super(DEF, props, false);
        Map<String, Object> k = new HashMap<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!DEF.names().contains(key)) {
                k.put(key, e.getValue());
            }
        }
        this.kafka = k;
    }

    /** Defaults only. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(new Properties());
    }

    private static String defaultInstanceId() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        return "sim-" + name.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /** The settings that are not the simulator's: passed to Kafka clients. */
    public Map<String, Object> kafkaProperties() {
        return new HashMap<>(kafka);
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    public String instanceId() {
        return getString(INSTANCE_ID);
    }

    /** {@code simulator.group.id}, or the topic prefix followed by {@code simulator} when it is unset. */
    public String groupId() {
        String group = getString(GROUP_ID);
        return group == null || group.isBlank() ? topicPrefix() + "simulator" : group;
    }

    public double frameMs() {
        return getDouble(FRAME_MS);
    }

    public long commitIntervalMs() {
        return getLong(COMMIT_INTERVAL_MS);
    }

    public long checkpointIntervalFrames() {
        return getLong(CHECKPOINT_INTERVAL_FRAMES);
    }

    public long statusIntervalMs() {
        return getLong(STATUS_INTERVAL_MS);
    }

    public double lateToleranceMs() {
        return getDouble(LATE_TOLERANCE_MS);
    }

    public double maxAheadMs() {
        return getDouble(MAX_AHEAD_MS);
    }

    public int maxInputNeurons() {
        return getInt(MAX_INPUT_NEURONS);
    }

    public int maxMatrixValues() {
        return getInt(MAX_MATRIX_VALUES);
    }

    public double maxLagMs() {
        return getDouble(MAX_LAG_MS);
    }

    public long maxNeurons() {
        return getLong(MAX_NEURONS_KEY);
    }

    public long maxSynapses() {
        return getLong(MAX_SYNAPSES_KEY);
    }

    /** {@code simulator.record.max.bytes}, or null when it is to be derived from the producer and the topics. */
    public Integer recordMaxBytes() {
        return getInt(RECORD_MAX_BYTES);
    }

    public int inputQueueMaxCount() {
        return getInt(INPUT_QUEUE_MAX_COUNT);
    }

    public long inputQueueMaxBytes() {
        return getLong(INPUT_QUEUE_MAX_BYTES);
    }

    public double maxAbsValue() {
        return getDouble(MAX_ABS_VALUE);
    }

    public long probeMaxValuesPerSecond() {
        return getLong(PROBE_MAX_VALUES_PER_S);
    }

    public double memoryBudgetFraction() {
        return getDouble(MEMORY_BUDGET_FRACTION);
    }

    public long unpacedMaxBytesPerCommit() {
        return getLong(UNPACED_MAX_BYTES_PER_COMMIT);
    }

    public boolean exactlyOnce() {
        return getBoolean(EXACTLY_ONCE);
    }
}
