package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Recovery through the production code ({@link SimulatorTestDriver#restart()} runs the service's
 * {@link RecoveryPlan} and {@link SimulatorCore#recover}): from a run's start marker and its journal, or
 * from a checkpoint and the journal after it, a restarted simulator reaches the same state and continues
 * exactly as the one that wrote them; and the everyday sequences that used to lose a network or bring a
 * stopped one back.
 */
class RecoveryTest {
    static final String NET = "recovering";

    /** A run with commands and inputs of every kind, left paused at some tick. */
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

    /** Feeds both drivers the same records and runs them; then their output since {@code from} must be equal. */
    static void continueBoth(SimulatorTestDriver original, SimulatorTestDriver recovered, long ticks) {
        for (SimulatorTestDriver d : List.of(original, recovered)) {
            d.pipeInput(Commands.current(NET, List.of("I"), 4.0, null, 30));
            d.pipeControl(Commands.step(NET, ticks));
            d.runUntilIdle();
        }
    }

    static List<String> tail(List<long[]> spikes, int n) {
        return spikes.subList(spikes.size() - n, spikes.size()).stream().map(Arrays::toString).toList();
    }

    @Test
    void shouldReachTheSameStateFromTheRunsStartMarkerAndItsJournalAndContinueIdentically() {
        SimulatorTestDriver original = new SimulatorTestDriver();
        drive(original);
        long tick = original.core().network(NET).tick();
        int journal = original.journal().size();
        try (original; SimulatorTestDriver recovered = original.restart()) {
            recovered.runUntilIdle();
            assertThat(recovered.spikes()).as("recomputing publishes nothing").isEmpty();
            assertThat(recovered.core().network(NET).tick()).isEqualTo(tick);
            assertThat(recovered.core().network(NET).state()).isEqualTo(RunState.PAUSED);
            assertThat(recovered.core().network(NET).runEpochMs()).isEqualTo(original.core().network(NET).runEpochMs());
            assertThat(recovered.core().network(NET).journalSequence()).isEqualTo(journal);
            assertThat(recovered.core().network(NET).runId()).isEqualTo(original.core().network(NET).runId()).isZero();

            int before = original.spikes().size();
            continueBoth(original, recovered, 1500);
            List<long[]> b = recovered.spikeList(NET);
            assertThat(b).isNotEmpty();
            assertThat(b.stream().map(Arrays::toString).toList()).isEqualTo(tail(original.spikeList(NET), b.size()));
            assertThat(original.spikes().subList(before, original.spikes().size())).isEqualTo(recovered.spikes());
            assertThat(recovered.journal()).extracting(AppliedInput::getSequence)
                    .containsExactly((long) journal, (long) journal + 1);
        }
    }

    @Test
    void shouldRecoverFromACheckpointPlusTheJournalAfterItReadingTheJournalOnlyFromThere() {
        SimulatorTestDriver original = new SimulatorTestDriver();
        original.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        original.pipeControl(Commands.step(NET, 400));
        original.runUntilIdle();
        int journalAtCheckpoint = original.journalLog().size();
        assertThat(original.core().checkpointNow(NET, 0L, SimulatorTestDriver.START_MS)).isTrue();
        original.pipeInput(Commands.current(NET, List.of("E"), 9.0, 450L, 25));
        original.pipeControl(Commands.step(NET, 400));
        original.runUntilIdle();
        long tick = original.core().network(NET).tick();

        RecoveryPlan plan = RecoveryPlan.of(original.checkpointLog());
        assertThat(plan.networks().get(NET).marker()).isFalse();
        assertThat(plan.journalFrom()).as("the journal is read from the checkpoint on, not from its start")
                .containsEntry(0, (long) journalAtCheckpoint);
        try (original; SimulatorTestDriver recovered = original.restart()) {
            recovered.runUntilIdle();
            assertThat(recovered.core().network(NET).tick()).isEqualTo(tick);
            continueBoth(original, recovered, 600);
            List<long[]> b = recovered.spikeList(NET);
            assertThat(b).isNotEmpty();
            assertThat(b.stream().map(Arrays::toString).toList()).isEqualTo(tail(original.spikeList(NET), b.size()));
            assertThat(b.get(0)[0]).isGreaterThanOrEqualTo(tick);
        }
    }

    @Test
    void shouldRecoverOnlyTheNewRunAfterStopAndCreateAgainUnderTheSameId() {
        SimulatorTestDriver d = new SimulatorTestDriver();
        d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        d.pipeInput(Commands.current(NET, List.of("E"), 7.0, 100L, 200));
        d.pipeControl(Commands.step(NET, 2000));
        d.runUntilIdle();
        d.core().checkpointNow(NET, 0L, SimulatorTestDriver.START_MS);
        d.pipeControl(Commands.step(NET, 500));
        d.runUntilIdle();
        d.pipeControl(Commands.stop(NET));
        // the same id again: a new run, with its own journal from sequence 0
        d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        d.pipeControl(Commands.step(NET, 300));
        d.runUntilIdle();
        long newRun = d.core().network(NET).runId();
        assertThat(newRun).isGreaterThan(0);
        assertThat(d.journal()).filteredOn(e -> e.getRunId() == newRun).extracting(AppliedInput::getSequence)
                .startsWith(0L, 1L);

        try (d; SimulatorTestDriver restarted = d.restart()) {
            restarted.runUntilIdle();
            assertThat(restarted.core().network(NET)).as("the network of the new run is hosted").isNotNull();
            assertThat(restarted.core().network(NET).runId()).isEqualTo(newRun);
            assertThat(restarted.core().network(NET).tick()).as("the old run's 2,500 ticks are not replayed onto it")
                    .isEqualTo(300);
            assertThat(restarted.core().network(NET).state()).isEqualTo(RunState.PAUSED);
            // and it takes commands
            restarted.pipeControl(Commands.step(NET, 10));
            restarted.runUntilIdle();
            assertThat(restarted.rejected()).isEmpty();
            assertThat(restarted.status(NET).getTick()).isEqualTo(310);
            assertThat(restarted.status(NET).getRunId()).isEqualTo(newRun);
        }
    }

    @Test
    void shouldNotBringBackAStoppedNetwork() {
        SimulatorTestDriver d = new SimulatorTestDriver();
        d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        d.pipeControl(Commands.step(NET, 1000));
        d.runUntilIdle();
        d.core().checkpointNow(NET, 0L, SimulatorTestDriver.START_MS);
        d.pipeControl(Commands.stop(NET));
        assertThat(d.checkpointLog().get(d.checkpointLog().size() - 1).value()).as("STOP retires the checkpoint").isNull();
        assertThat(RecoveryPlan.of(d.checkpointLog()).networks()).isEmpty();

        try (d; SimulatorTestDriver restarted = d.restart()) {
            restarted.runUntilIdle();
            assertThat(restarted.core().networks()).isEmpty();
            assertThat(restarted.statuses()).as("no stale status of the stopped network").isEmpty();
            restarted.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            assertThat(restarted.rejected()).as("its id is free for a new run").isEmpty();
        }
    }

    @Test
    void shouldRestoreAWaitingInputAcceptedUnderARaisedLimit() {
        // 50,000 pA is beyond the default bound of 10,000 but within the raised one: the restart checks
        // the waiting input against the settings it runs with, not the defaults
        Map<String, String> raised = Map.of(SimulatorConfig.MAX_ABS_VALUE, "1e6");
        SimulatorTestDriver original = new SimulatorTestDriver(raised);
        original.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        original.pipeControl(Commands.step(NET, 100));
        original.runUntilIdle();
        original.pipeInput(Commands.currentToNeurons(NET, List.of(1, 2, 3), 50_000.0, 400L, 10));
        assertThat(original.rejected()).isEmpty();
        original.core().checkpointNow(NET, 0L, SimulatorTestDriver.START_MS);
        try (original; SimulatorTestDriver recovered = original.restart()) {
            recovered.runUntilIdle();
            assertThat(recovered.core().network(NET)).isNotNull();
            assertThat(recovered.core().network(NET).pendingInputs()).isEqualTo(1);
            continueBoth(original, recovered, 600);
            List<long[]> b = recovered.spikeList(NET);
            assertThat(b).extracting(s -> s[1]).as("the input drove neurons 1-3").contains(1L, 2L, 3L);
            assertThat(b.stream().map(Arrays::toString).toList()).isEqualTo(tail(original.spikeList(NET), b.size()));
        }
    }

    @Test
    void shouldCatchUpASliceAtATimePublishingNothingUntilItIsBack() {
        SimulatorTestDriver original = new SimulatorTestDriver();
        original.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
        original.pipeInput(Commands.current(NET, List.of("E"), 7.0, 100L, 200));
        original.pipeControl(Commands.step(NET, 20_000));
        original.runUntilIdle();
        try (original; SimulatorTestDriver recovered = original.restart()) {
            int calls = 0;
            while (!recovered.core().catchingUp().isEmpty()) {
                assertThat(recovered.doWork()).isPositive();
                calls++;
                if (!recovered.core().catchingUp().isEmpty()) {
                    assertThat(recovered.statuses()).as("nothing is said until it has caught up").isEmpty();
                }
            }
            assertThat(calls).as("2 s of simulated time are recomputed over many calls, not in one").isGreaterThan(1);
            assertThat(recovered.core().network(NET).tick()).isEqualTo(20_000);
            assertThat(recovered.spikes()).isEmpty();
            Status back = recovered.status(NET);
            assertThat(back.getTick()).isEqualTo(20_000);
            assertThat(back.getRunId()).isEqualTo(0L);
        }
    }

    @Test
    void shouldWriteARunStartMarkerWithTheCreate() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, SimulatorCoreTest.CUBA));
            List<Logged> log = d.checkpointLog();
            assertThat(log).hasSize(1);
            assertThat(log.get(0).key()).isEqualTo(Topics.chunkKey(NET, 0));
            Checkpoint marker = Topics.CHECKPOINTS.valueSerde().decode(log.get(0).value());
            assertThat(marker.getSnapshotFormat()).isZero();
            assertThat(marker.getRunId()).isZero();
            assertThat(marker.getJournalOffset()).as("before the CREATE's journal entry").isZero();
            assertThat(d.journal().get(0).getRunId()).isZero();
        }
    }
}
