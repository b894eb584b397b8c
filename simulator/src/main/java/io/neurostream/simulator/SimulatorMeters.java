package io.neurostream.simulator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.neurostream.simulator.internal.NetworkMeters;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The simulator's meters in a Micrometer registry (docs/metrics.md lists them with their Prometheus names).
 * Every meter carries the tag {@code instance} (the simulator instance id); per-network meters also carry
 * {@code network} and are removed when the network stops or leaves the instance. No meter has a neuron tag.
 *
 * <p>Instance-wide: {@value #REJECTED} by {@code reason} (every {@link RejectReason} from the start, at 0, so
 * a rate() never misses its first increment), {@value #NETWORKS_HOSTED}, {@value #COMMIT_DURATION} and
 * {@value #PUBLISH_LATENCY}. Per network: {@link NetworkMeters}.
 *
 * <p>Updated on the simulator's threads (the loop, the commit thread); registered meters may be read from
 * any thread, as a scrape does.
 */
public final class SimulatorMeters {
    /** Counter of records sent to {@code rejected}, by reason; Prometheus: {@code neurostream_simulator_rejected_total}. */
    public static final String REJECTED = "neurostream.simulator.rejected";
    /** Gauge of networks hosted now; Prometheus: {@code neurostream_simulator_networks_hosted}. */
    public static final String NETWORKS_HOSTED = "neurostream.simulator.networks.hosted";
    /**
     * Counter of at-least-once commits for which the loop stopped to flush the producer, because the records
     * of 64 commit intervals were still unacknowledged; Prometheus: {@code neurostream_simulator_commits_stalled_total}.
     */
    public static final String COMMITS_STALLED = "neurostream.simulator.commits.stalled";
    /** Timer of a transaction's commit; Prometheus: {@code neurostream_simulator_commit_duration_seconds}. */
    public static final String COMMIT_DURATION = "neurostream.simulator.commit.duration";
    /**
     * Timer from a frame's computation ending to the commit that makes it visible to read_committed readers;
     * Prometheus: {@code neurostream_simulator_publish_latency_seconds}.
     */
    public static final String PUBLISH_LATENCY = "neurostream.simulator.publish.latency";

    /**
     * Commit histogram buckets, 1 ms to 30 s: around the default transaction.timeout.ms of 10 s the buckets
     * tell a commit that nears it.
     */
    static final Duration[] COMMIT_BUCKETS = NetworkMeters.millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            7500, 10_000, 30_000);
    /** Publish latency buckets, 5 ms to 30 s: a frame waits up to a commit interval (100 ms) plus the commit. */
    static final Duration[] PUBLISH_BUCKETS = NetworkMeters.millis(5, 10, 25, 50, 100, 150, 200, 300, 500, 1000, 2500, 5000,
            10_000, 30_000);

    private final MeterRegistry registry;
    private final String instance;
    private final EnumMap<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Timer commitDuration;
    private final Counter commitsStalled;
    private final Timer publishLatency;
    /** Per network, by id; touched by the loop thread only. */
    private final Map<String, NetworkMeters> networks = new HashMap<>();
    private volatile int networksHosted;

    /**
     * Registers the instance-wide meters of simulator instance {@code instance} in {@code registry}.
     * Registering twice in one registry (a core built again) finds the same meters: counts go on.
     */
    public SimulatorMeters(MeterRegistry registry, String instance) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.instance = Objects.requireNonNull(instance, "instance");
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder(REJECTED).description("Records the simulator sent to the rejected topic, by reason")
                    .tag("reason", reason.name()).tag("instance", instance).register(registry));
        }
        Gauge.builder(NETWORKS_HOSTED, this, m -> m.networksHosted).description("Networks this simulator instance hosts now")
                .tag("instance", instance).strongReference(true).register(registry);
        commitDuration = Timer.builder(COMMIT_DURATION)
                .description("One transaction commit: sendOffsetsToTransaction and commitTransaction (at least once: from the "
                        + "end of the interval until its offsets are committed, its records acknowledged first)")
                .serviceLevelObjectives(COMMIT_BUCKETS).tag("instance", instance).register(registry);
        commitsStalled = Counter.builder(COMMITS_STALLED)
                .description("At least once: commits for which the loop stopped to flush, the broker not having acknowledged "
                        + "64 intervals' records").tag("instance", instance).register(registry);
        publishLatency = Timer.builder(PUBLISH_LATENCY)
                .description("From a frame's computation ending to the commit that makes it visible to read_committed readers")
                .serviceLevelObjectives(PUBLISH_BUCKETS).tag("instance", instance).register(registry);
    }

    /** Meters that cost nothing: a registry that keeps nothing. */
    static SimulatorMeters none(String instance) {
        return new SimulatorMeters(new CompositeMeterRegistry(), instance);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    Timer commitDuration() {
        return commitDuration;
    }

    void commitStalled() {
        commitsStalled.increment();
    }

    Timer publishLatency() {
        return publishLatency;
    }

    /** The meters of a network now hosted (the same ones if it was hosted already, e.g. restored in place). */
    NetworkMeters hosted(String networkId, int hostedNow) {
        networksHosted = hostedNow;
        return networks.computeIfAbsent(networkId, id -> new NetworkMeters(registry, instance, id));
    }

    /** A network left the instance (stopped, handed over, failed over): its series go. */
    void left(String networkId, int hostedNow) {
        networksHosted = hostedNow;
        NetworkMeters m = networks.remove(networkId);
        if (m != null) {
            m.remove(registry);
        }
    }
}
