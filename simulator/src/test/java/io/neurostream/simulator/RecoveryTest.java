package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.RunState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recovery without a checkpoint, or after one: the journal alone brings a fresh simulator to the same
 * state, and it then continues exactly as the simulator that wrote the journal.
 */
class RecoveryTest {
    static final String NET = "recovering";

    /** A run with commands and inputs of every kind; returns the driver, left paused at some tick. */
    static void drive(SimulatorTestDriver d) {
        d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        d.pipeControl(Commands.start(NET, 1.0));
        for (int i = 0; i < 10; i++) {
            d.pipeInput(Commands.current(NET, List.of("E"), 2.0 + i, null, 20));
            d.advanceWallClock(Duration.ofMillis(7));
        }
        d.pipeInput(Commands.poisson(NET, List.of("I"), 500.0, 2.0, 1200L, 100));
        d.pipeControl(Commands.set(NET, "E", "v_threshold", -50.5));
        d.pipeControl(Commands.pause(NET));
        d.pipeControl(Commands.step(NET, 333));
        d.runUntilIdle();
        d.pipeControl(Commands.resume(NET));
        d.advanceWallClock(Duration.ofMillis(50));
        d.pipeControl(Commands.pause(NET));
    }

    @Test
    void shouldReachTheSameStateFromTheJournalAloneAndContinueIdentically() {
        try (SimulatorTestDriver original = new SimulatorTestDriver();
                SimulatorTestDriver recovered = new SimulatorTestDriver()) {
            drive(original);
            long tick = original.core().network(NET).tick();
            List<AppliedInput> journal = List.copyOf(original.journal());
            for (int i = 0; i < journal.size(); i++) {
                recovered.core().replay(journal.get(i), original.journalTimestamps().get(i));
            }
            recovered.core().catchUp(NET, tick, 0L);
            assertThat(recovered.spikes()).as("replay publishes nothing").isEmpty();
            assertThat(recovered.core().network(NET).tick()).isEqualTo(tick);
            assertThat(recovered.core().network(NET).state()).isEqualTo(RunState.PAUSED);
            assertThat(recovered.core().network(NET).runEpochMs()).isEqualTo(original.core().network(NET).runEpochMs());
            assertThat(recovered.core().network(NET).journalSequence()).isEqualTo(journal.size());

            int before = original.spikes().size();
            for (SimulatorTestDriver d : List.of(original, recovered)) {
                d.pipeInput(Commands.current(NET, List.of("I"), 4.0, null, 30));
                d.pipeControl(Commands.step(NET, 1500));
                d.runUntilIdle();
            }
            List<long[]> a = original.spikeList(NET);
            List<long[]> b = recovered.spikeList(NET);
            List<String> after = a.subList(a.size() - b.size(), a.size()).stream().map(java.util.Arrays::toString).toList();
            assertThat(b.stream().map(java.util.Arrays::toString).toList()).isEqualTo(after);
            assertThat(original.spikes().subList(before, original.spikes().size())).isEqualTo(recovered.spikes());
            assertThat(original.frames().subList(original.frames().size() - recovered.frames().size(), original.frames().size()))
                    .isEqualTo(recovered.frames());
            assertThat(recovered.journal()).extracting(AppliedInput::getSequence)
                    .containsExactly((long) journal.size(), (long) journal.size() + 1);
        }
    }

    @Test
    void shouldRecoverFromACheckpointPlusTheJournalAfterIt() throws Exception {
        try (SimulatorTestDriver original = new SimulatorTestDriver();
                SimulatorTestDriver recovered = new SimulatorTestDriver()) {
            original.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            original.pipeControl(Commands.step(NET, 400));
            original.runUntilIdle();
            byte[] checkpoint = original.core().checkpoint(NET);
            long journalAtCheckpoint = original.core().network(NET).journalSequence();
            original.pipeInput(Commands.current(NET, List.of("E"), 9.0, 450L, 25));
            original.pipeControl(Commands.step(NET, 400));
            original.runUntilIdle();
            long tick = original.core().network(NET).tick();

            recovered.core().restore(NET, checkpoint, 0L, SimulatorTestDriver.START_MS);
            List<AppliedInput> journal = original.journal();
            for (int i = 0; i < journal.size(); i++) {
                if (journal.get(i).getSequence() >= journalAtCheckpoint) {
                    recovered.core().replay(journal.get(i), original.journalTimestamps().get(i));
                }
            }
            recovered.core().catchUp(NET, tick, 0L);
            for (SimulatorTestDriver d : List.of(original, recovered)) {
                d.pipeControl(Commands.step(NET, 600));
                d.runUntilIdle();
            }
            List<long[]> a = original.spikeList(NET);
            List<long[]> b = recovered.spikeList(NET);
            assertThat(b).isNotEmpty();
            assertThat(b.stream().map(java.util.Arrays::toString).toList())
                    .isEqualTo(a.subList(a.size() - b.size(), a.size()).stream().map(java.util.Arrays::toString).toList());
            assertThat(b.get(0)[0]).isGreaterThanOrEqualTo(tick);
        }
    }
}
