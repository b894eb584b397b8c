package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.simulator.internal.NetworkMeters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's meters count what its frames, inputs and rejections say, and per-network series leave with the network. */
class SimulatorMetersTest {
    static final String NET = "net-1";
    static final String INSTANCE = "sim-meters";

    private static SimulatorTestDriver driver(SimpleMeterRegistry registry) {
        // 10 ms of late tolerance = 100 ticks of CUBA (dt 0.1 ms)
        return new SimulatorTestDriver(Map.of(SimulatorConfig.INSTANCE_ID, INSTANCE, SimulatorConfig.LATE_TOLERANCE_MS, "10"),
                registry);
    }

    private static double count(SimpleMeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).counter().count();
    }

    @Test
    void shouldCountExactlyTheTicksAndSpikesTheFramesCarry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SimulatorTestDriver d = driver(registry)) {
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.step(NET, 1000));
            d.runUntilIdle();
            d.pipeControl(Commands.step(NET, 35)); // ends inside a frame: a short frame
            d.runUntilIdle();

            long ticks = d.frames().stream().mapToLong(Frame::getTicks).sum();
            long spikes = d.spikes().stream().mapToLong(SpikeBatch::getCount).sum();
            long areaSpikes = d.frames().stream().flatMap(f -> f.getAreas().stream()).mapToLong(a -> a.getSpikes()).sum();
            assertThat(ticks).isEqualTo(1035);
            assertThat(spikes).isPositive().isEqualTo(areaSpikes).isEqualTo(d.spikeList(NET).size());
            assertThat(count(registry, NetworkMeters.TICKS, "network", NET, "instance", INSTANCE)).isEqualTo(ticks);
            assertThat(count(registry, NetworkMeters.SPIKES, "network", NET, "instance", INSTANCE)).isEqualTo(spikes);
            var tickDuration = registry.get(NetworkMeters.TICK_DURATION).tag("network", NET).timer();
            assertThat(tickDuration.count()).isEqualTo(d.frames().size());
            assertThat(tickDuration.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.get(SimulatorMeters.NETWORKS_HOSTED).gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldCountInputsAppliedLateAndRejectedByReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SimulatorTestDriver d = driver(registry)) {
            for (RejectReason reason : RejectReason.values()) {
                assertThat(count(registry, SimulatorMeters.REJECTED, "reason", reason.name())).isZero();
            }
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.step(NET, 1000));
            d.runUntilIdle();
            List<String> e = List.of("E");
            d.pipeInput(Commands.current(NET, e, 1.0, null, 10));     // applied at the next tick
            d.pipeInput(Commands.current(NET, e, 1.0, 1200L, 10));    // applied at its tick, ahead
            d.pipeInput(Commands.current(NET, e, 1.0, 950L, 10));     // 50 ticks late: applied late
            d.pipeInput(Commands.current(NET, e, 1.0, 100L, 10));     // 900 ticks late: TICK_IN_PAST
            d.pipeInput(Commands.current("nobody", e, 1.0, null, 10)); // UNKNOWN_NETWORK
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            String[] net = {"network", NET};
            assertThat(count(registry, NetworkMeters.INPUTS_APPLIED, net)).isEqualTo(2); // the one at 1200 is still waiting
            assertThat(count(registry, NetworkMeters.INPUTS_LATE, net)).isEqualTo(1);
            d.pipeControl(Commands.step(NET, 200));
            d.runUntilIdle();
            assertThat(count(registry, NetworkMeters.INPUTS_APPLIED, net)).isEqualTo(3);
            assertThat(count(registry, SimulatorMeters.REJECTED, "reason", "TICK_IN_PAST")).isEqualTo(1);
            assertThat(count(registry, SimulatorMeters.REJECTED, "reason", "UNKNOWN_NETWORK")).isEqualTo(1);
            double rejected = registry.find(SimulatorMeters.REJECTED).counters().stream().mapToDouble(c -> c.count()).sum();
            assertThat(rejected).isEqualTo(d.rejected().size()).isEqualTo(2);
        }
    }

    @Test
    void shouldRemoveTheSeriesOfAStoppedNetworkAndKeepTheOthers() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SimulatorTestDriver d = driver(registry)) {
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.create("net-2", SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.start(NET, 1.0));
            d.pipeControl(Commands.start("net-2", 1.0));
            d.advanceWallClock(Duration.ofMillis(20));
            assertThat(registry.get(SimulatorMeters.NETWORKS_HOSTED).gauge().value()).isEqualTo(2.0);
            assertThat(networksWithSeries(registry)).containsExactlyInAnyOrder(NET, "net-2");

            d.pipeControl(Commands.stop(NET));
            assertThat(networksWithSeries(registry)).containsExactly("net-2");
            assertThat(registry.get(SimulatorMeters.NETWORKS_HOSTED).gauge().value()).isEqualTo(1.0);
            assertThat(registry.find(SimulatorMeters.REJECTED).counters()).hasSize(RejectReason.values().length);

            // hosted again under the same id: counting starts over from 0
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            assertThat(count(registry, NetworkMeters.TICKS, "network", NET)).isZero();
        }
    }

    @Test
    void shouldNotCountTheFramesRecomputedAfterARestartTwice() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SimulatorTestDriver first = driver(registry);
        first.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        first.pipeControl(Commands.step(NET, 500));
        first.runUntilIdle();
        SimulatorTestDriver second = first.restart();
        first.close();
        try (second) {
            second.pipeControl(Commands.step(NET, 100));
            second.runUntilIdle();
            // the restart recomputes the 500 ticks silently; only the 600 published are counted
            assertThat(count(registry, NetworkMeters.TICKS, "network", NET)).isEqualTo(600);
        }
    }

    private static List<String> networksWithSeries(SimpleMeterRegistry registry) {
        return registry.getMeters().stream().map(Meter::getId).filter(id -> id.getTag("network") != null)
                .map(id -> id.getTag("network")).distinct().toList();
    }
}
