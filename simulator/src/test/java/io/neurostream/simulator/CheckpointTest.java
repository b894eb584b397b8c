package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A network checkpointed by one simulator and restored by another continues as if never moved. */
class CheckpointTest {
    static final String NET = "moving";

    @Test
    void shouldContinueExactlyAfterCheckpointAndRestoreElsewhere() throws Exception {
        String uninterrupted;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            d.pipeControl(Commands.step(NET, 500));
            d.runUntilIdle();
            d.pipeInput(Commands.current(NET, List.of("E"), 8.0, 700L, 50));
            d.pipeControl(Commands.probe(NET, List.of(1, 2, 3), List.of("v"), 10));
            d.pipeControl(Commands.step(NET, 1000));
            d.runUntilIdle();
            uninterrupted = d.spikeChecksum(NET);
        }
        byte[] checkpoint;
        String firstPart;
        try (SimulatorTestDriver a = new SimulatorTestDriver()) {
            a.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            a.pipeControl(Commands.step(NET, 500));
            a.runUntilIdle();
            a.pipeInput(Commands.current(NET, List.of("E"), 8.0, 700L, 50));   // still waiting for its tick
            a.pipeControl(Commands.probe(NET, List.of(1, 2, 3), List.of("v"), 10));
            checkpoint = a.core().checkpoint(NET);
            firstPart = a.spikeChecksum(NET);
            assertThat(a.journal()).anyMatch(j -> j.getTick() == 700);
            assertThat(a.spikeList(NET)).isNotEmpty();
        }
        try (SimulatorTestDriver b = new SimulatorTestDriver()) {
            b.core().restore(NET, checkpoint, 0L, SimulatorTestDriver.START_MS);
            assertThat(b.core().network(NET).tick()).isEqualTo(500);
            assertThat(b.core().network(NET).state()).isEqualTo(RunState.PAUSED);
            b.pipeControl(Commands.step(NET, 1000));
            b.runUntilIdle();
            assertThat(b.membrane()).isNotEmpty();
            // the restored run's spikes from tick 500 on, after those of the first simulator, equal the whole run
            io.neurostream.engine.SpikeChecksum c = new io.neurostream.engine.SpikeChecksum();
            try (SimulatorTestDriver again = new SimulatorTestDriver()) {
                again.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
                again.pipeControl(Commands.step(NET, 500));
                again.runUntilIdle();
                for (long[] s : again.spikeList(NET)) {
                    c.add(s[0], (int) s[1]);
                }
                assertThat(c.hex()).isEqualTo(firstPart);
            }
            for (long[] s : b.spikeList(NET)) {
                c.add(s[0], (int) s[1]);
            }
            assertThat(c.hex()).isEqualTo(uninterrupted);
        }
    }

    @Test
    void shouldKeepRunStateModeAndEpochAcrossRestore() throws Exception {
        byte[] checkpoint;
        long epoch;
        try (SimulatorTestDriver a = new SimulatorTestDriver()) {
            a.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            a.pipeControl(Commands.start(NET, 2.0));
            a.advanceWallClock(Duration.ofMillis(20));
            epoch = a.status(NET).getRunEpochMs();
            checkpoint = a.core().checkpoint(NET);
        }
        try (SimulatorTestDriver b = new SimulatorTestDriver()) {
            b.core().restore(NET, checkpoint, 1_000_000_000L, SimulatorTestDriver.START_MS);
            assertThat(b.status(NET).getState()).isEqualTo(RunState.RUNNING);
            assertThat(b.status(NET).getMode()).isEqualTo(RunMode.REALTIME);
            assertThat(b.status(NET).getSpeed()).isEqualTo(2.0);
            assertThat(b.status(NET).getRunEpochMs()).isEqualTo(epoch);
            assertThat(b.status(NET).getTick()).isEqualTo(400);
            b.advanceWallClock(Duration.ofMillis(10));
            assertThat(b.core().network(NET).tick()).isEqualTo(600);
            assertThat(b.frameTimestamps().get(0)).isEqualTo(epoch + 40);
        }
    }

    @Test
    void shouldCheckpointStaticNetworksInSpaceThatDoesNotGrowWithSynapses() throws Exception {
        // static weights are rebuilt from spec and seed, so ten times the synapses leave the checkpoint as it is
        String sparse = SimulatorCoreTest.CUBA;
        String dense = SimulatorCoreTest.CUBA.replace("\"probability\": 0.02", "\"probability\": 0.2");
        int[] sizes = new int[2];
        long[] synapses = new long[2];
        int k = 0;
        for (String spec : List.of(sparse, dense)) {
            try (SimulatorTestDriver d = new SimulatorTestDriver()) {
                d.pipeControl(Commands.create(NET, spec));
                d.pipeControl(Commands.step(NET, 50));
                d.runUntilIdle();
                synapses[k] = d.core().network(NET).network().synapseCount();
                sizes[k++] = d.core().checkpoint(NET).length - spec.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
        }
        assertThat(synapses[1]).isGreaterThan(9 * synapses[0]);
        assertThat(sizes[1]).isEqualTo(sizes[0]);
        assertThat(sizes[0]).as("about 40 bytes per neuron").isLessThan(4000 * 64);
    }

    @Test
    void shouldKeepAStallInTheCheckpointOfANetworkThatFellBehind() throws Exception {
        try (SimulatorTestDriver a = new SimulatorTestDriver(); SimulatorTestDriver b = new SimulatorTestDriver()) {
            a.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            a.pipeControl(Commands.start(NET, 1.0));
            a.advanceWallClock(Duration.ofMillis(20));
            // the loop did not run for 5 s (Kafka away, say) and the network is checkpointed then
            long stalledAt = 1_000_000_000L + Duration.ofMillis(5020).toNanos();
            byte[] checkpoint = a.core().checkpoint(NET, stalledAt);
            b.core().restore(NET, checkpoint, stalledAt, SimulatorTestDriver.START_MS + 5020);
            assertThat(b.status(NET).getStalledMs()).isBetween(4990L, 5000L);
        }
    }
}
