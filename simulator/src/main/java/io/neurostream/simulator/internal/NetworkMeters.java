package io.neurostream.simulator.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one hosted network (tag {@code network}): ticks, spikes, tick duration, real-time factor,
 * inputs applied and late. They are updated once per frame or per input, never per spike or neuron, on
 * the simulator's loop thread; a scrape reads them from another thread. {@link #remove} takes them out of
 * the registry when the network leaves the instance, so a long-lived simulator does not accumulate series.
 */
public final class NetworkMeters {
    /** Counter of ticks computed and published; Prometheus: {@code neurostream_simulator_ticks_total}. */
    public static final String TICKS = "neurostream.simulator.ticks";
    /** Counter of spikes published; Prometheus: {@code neurostream_simulator_spikes_total}. */
    public static final String SPIKES = "neurostream.simulator.spikes";
    /** Timer of the wall time per tick; Prometheus: {@code neurostream_simulator_tick_duration_seconds}. */
    public static final String TICK_DURATION = "neurostream.simulator.tick.duration";
    /** Gauge of simulated time / wall time; Prometheus: {@code neurostream_simulator_realtime_factor}. */
    public static final String REALTIME_FACTOR = "neurostream.simulator.realtime.factor";
    /** Counter of external inputs applied; Prometheus: {@code neurostream_simulator_inputs_applied_total}. */
    public static final String INPUTS_APPLIED = "neurostream.simulator.inputs.applied";
    /** Counter of inputs applied after their tick; Prometheus: {@code neurostream_simulator_inputs_late_total}. */
    public static final String INPUTS_LATE = "neurostream.simulator.inputs.late";

    /**
     * The histogram's buckets (upper bounds): a fixed few, from 10 µs (a small network) to 1 s (far slower than
     * real time at dt 0.1 ms), so each network adds a bounded number of series.
     */
    static final Duration[] TICK_BUCKETS = millis(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000);

    /** Durations of so many milliseconds (fractions allowed). */
    public static Duration[] millis(double... ms) {
        Duration[] d = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            d[i] = Duration.ofNanos(Math.round(ms[i] * 1e6));
        }
        return d;
    }

    /** Meters that go nowhere: a network not (yet) hosted by a core, or a core without a registry. */
    public static final NetworkMeters NONE = new NetworkMeters(new CompositeMeterRegistry(), "", "");

    private final Counter ticks;
    private final Counter spikes;
    private final Timer tickDuration;
    private final Gauge realtimeFactor;
    private final Counter applied;
    private final Counter late;
    private volatile double realtimeFactorValue;

    /** Registers the meters of network {@code network} of simulator instance {@code instance}. */
    public NetworkMeters(MeterRegistry registry, String instance, String network) {
        Tags tags = Tags.of("instance", instance, "network", network);
        ticks = Counter.builder(TICKS).description("Ticks computed and published (ticks/s = rate())")
                .tags(tags).register(registry);
        spikes = Counter.builder(SPIKES).description("Spikes published").tags(tags).register(registry);
        tickDuration = Timer.builder(TICK_DURATION)
                .description("Wall time to compute one tick: one observation per frame, its compute time divided by its ticks")
                .serviceLevelObjectives(TICK_BUCKETS).tags(tags).register(registry);
        realtimeFactor = Gauge.builder(REALTIME_FACTOR, this, m -> m.realtimeFactorValue)
                .description("Simulated time / wall time over the last status interval, as status shows it (0 unless RUNNING)")
                .tags(tags).strongReference(true).register(registry);
        applied = Counter.builder(INPUTS_APPLIED).description("External inputs applied to the network (at their tick)")
                .tags(tags).register(registry);
        late = Counter.builder(INPUTS_LATE)
                .description("External inputs that arrived after their tick and were applied late, at the first tick not yet "
                        + "computed (within simulator.input.late.tolerance.ms); later ones are rejected_total{reason=\"TICK_IN_PAST\"}")
                .tags(tags).register(registry);
    }

    /** A frame of {@code ticks} ticks with {@code spikes} spikes, computed in {@code computeNanos} of wall time, was published. */
    public void frame(int ticks, int spikes, long computeNanos) {
        if (ticks <= 0) {
            return;
        }
        this.ticks.increment(ticks);
        this.spikes.increment(spikes);
        tickDuration.record(computeNanos / ticks, TimeUnit.NANOSECONDS);
    }

    /** An external input was applied. */
    public void applied() {
        applied.increment();
    }

    /** An external input arrived after its tick and will be applied late. */
    public void late() {
        late.increment();
    }

    /** The network's real-time factor was measured anew. */
    public void realtimeFactor(double value) {
        realtimeFactorValue = value;
    }

    /** Takes these meters out of {@code registry} (the network stopped or left the instance). */
    public void remove(MeterRegistry registry) {
        for (Meter m : List.<Meter>of(ticks, spikes, tickDuration, realtimeFactor, applied, late)) {
            registry.remove(m);
        }
    }
}
