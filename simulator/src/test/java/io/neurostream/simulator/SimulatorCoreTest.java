package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.engine.Network;
import io.neurostream.engine.SpikeChecksum;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorCoreTest {
    static final String NET = "net-1";

    static String resource(String name) {
        try (InputStream in = SimulatorCoreTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String CUBA = resource("cuba.json");

    /** Spikes of the engine alone, the reference the service must reproduce. */
    static String engineChecksum(String spec, long ticks) {
        try (Network net = Network.build(SpecParser.parse(spec, "ref"))) {
            SpikeChecksum c = new SpikeChecksum();
            for (long k = 0; k < ticks; k++) {
                net.step();
                c.add(k, net.spikes().array(), net.spikes().size());
            }
            return c.hex();
        }
    }

    @Test
    void shouldPublishTheSameSpikesAsTheEngineWhenStepped() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.step(NET, 1000));
            d.runUntilIdle();
            assertThat(d.spikeChecksum(NET)).isEqualTo(engineChecksum(CUBA, 1000));
            assertThat(d.status(NET).getTick()).isEqualTo(1000);
            assertThat(d.status(NET).getMode()).isEqualTo(RunMode.STEPPED);
        }
    }

    @Test
    void shouldPublishOneSpikeBatchAndOneFrameEveryMillisecondEvenWhenSilent() {
        String silent = "{\"name\": \"quiet\", \"dt_ms\": 0.1, \"populations\": [{\"name\": \"n\", \"count\": 10}]}";
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, silent));
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            assertThat(d.frames()).hasSize(10);
            assertThat(d.spikes()).hasSize(10);
            for (int f = 0; f < 10; f++) {
                Frame fr = d.frames().get(f);
                assertThat(fr.getFrame()).isEqualTo(f);
                assertThat(fr.getFirstTick()).isEqualTo(10L * f);
                assertThat(fr.getTicks()).isEqualTo(10);
                assertThat(fr.getAreas()).singleElement().satisfies(a -> {
                    assertThat(a.getSpikes()).isZero();
                    assertThat(a.getNeurons()).isEqualTo(10);
                    assertThat(a.getMeanVMv()).isEqualTo(-65.0);
                });
                assertThat(d.spikes().get(f).getCount()).isZero();
            }
        }
    }

    @Test
    void shouldSumFrameSpikesPerAreaAndClassToTheSpikeBatch() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.step(NET, 500));
            d.runUntilIdle();
            long fromFrames = 0;
            long inputs = 0;
            for (Frame f : d.frames()) {
                for (AreaFrame a : f.getAreas()) {
                    fromFrames += a.getSpikes();
                    inputs += a.getEInput() > 0 ? 1 : 0;
                }
                assertThat(f.getAreas()).extracting(a -> a.getEClass().name()).containsExactly("E", "I");
                assertThat(f.getAreas()).extracting(AreaFrame::getNeurons).containsExactly(3200, 800);
            }
            long fromBatches = d.spikes().stream().mapToLong(SpikeBatch::getCount).sum();
            assertThat(fromFrames).isEqualTo(fromBatches).isPositive();
            assertThat(inputs).isPositive();
        }
    }

    @Test
    void shouldTimestampRecordsWithTheRunEpochPlusSimulatedTime() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.advanceWallClock(Duration.ofMillis(1234));
            d.pipeControl(Commands.create(NET, CUBA));
            long epoch = d.status(NET).getRunEpochMs();
            assertThat(epoch % 1000).isZero();
            assertThat(epoch).isEqualTo(SimulatorTestDriver.START_MS + 1000);
            d.pipeControl(Commands.step(NET, 30));
            d.runUntilIdle();
            assertThat(d.frameTimestamps()).containsExactly(epoch, epoch + 1, epoch + 2);
        }
    }

    @Test
    void shouldPaceRealTimeRunsToTheWallClockTimesSpeed() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.start(NET, 1.0));
            d.advanceWallClock(Duration.ofMillis(50));
            assertThat(d.core().network(NET).tick()).isEqualTo(500);
            d.pipeControl(Commands.speed(NET, 2.0));
            d.advanceWallClock(Duration.ofMillis(50));
            assertThat(d.core().network(NET).tick()).isEqualTo(1500);
            d.pipeControl(Commands.pause(NET));
            d.advanceWallClock(Duration.ofMillis(50));
            assertThat(d.core().network(NET).tick()).isEqualTo(1500);
            assertThat(d.status(NET).getState()).isEqualTo(RunState.PAUSED);
            d.pipeControl(Commands.resume(NET));
            d.advanceWallClock(Duration.ofMillis(10));
            assertThat(d.core().network(NET).tick()).isEqualTo(1700);
        }
    }

    @Test
    void shouldRunAsFastAsPossibleAtSpeedZeroWithoutWaitingForTheClock() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.start(NET, 0.0));
            d.runUntilIdle(2000);
            assertThat(d.core().network(NET).tick()).isEqualTo(2000);
            assertThat(d.status(NET).getMode()).isEqualTo(RunMode.MAX);
            assertThat(d.spikeChecksum(NET)).isEqualTo(engineChecksum(CUBA, 2000));
        }
    }

    @Test
    void shouldRejectCommandsInTheWrongState() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.start(NET, 1.0));
            d.pipeControl(Commands.step(NET, 10));
            d.pipeControl(Commands.start(NET, 1.0));
            d.pipeControl(Commands.resume(NET));
            d.pipeControl(Commands.create(NET, CUBA));
            assertThat(d.rejectedReasons()).containsExactly("WRONG_STATE", "WRONG_STATE", "WRONG_STATE", "NETWORK_EXISTS");
            assertThat(d.rejected().get(0).getReason()).contains("STEP").contains("RUNNING").contains("PAUSE it first");
            assertThat(d.core().network(NET).state()).isEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void shouldApplyInputsAtTheirTickOrTheFirstTickNotYetComputed() {
        String withInput;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            d.pipeInput(Commands.current(NET, List.of("E"), 50.0, 150L, 10));
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            List<String> with = d.spikeList(NET).stream().map(Arrays::toString).toList();
            List<String> without;
            try (SimulatorTestDriver ref = new SimulatorTestDriver()) {
                ref.pipeControl(Commands.create(NET, CUBA));
                ref.pipeControl(Commands.step(NET, 200));
                ref.runUntilIdle();
                without = ref.spikeList(NET).stream().map(Arrays::toString).toList();
            }
            int firstDifference = 0;
            while (firstDifference < Math.min(with.size(), without.size())
                    && with.get(firstDifference).equals(without.get(firstDifference))) {
                firstDifference++;
            }
            assertThat(with.get(firstDifference)).as("the first spike that differs from a run without the input")
                    .startsWith("[150,");
            withInput = d.spikeChecksum(NET);
        }
        assertThat(withInput).isNotEqualTo(engineChecksum(CUBA, 200));
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            d.pipeInput(Commands.current(NET, List.of("E"), 5.0, 150L, 10));   // future: at 150
            d.pipeInput(Commands.current(NET, List.of("I"), 5.0, null, 10));   // now: at 100
            d.pipeInput(Commands.current(NET, List.of("I"), 5.0, 40L, 10));    // late: at 100
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            List<AppliedInput> inputs = d.journal().stream().filter(a -> a.getPayload() instanceof ExternalInput).toList();
            // journaled on acceptance, in arrival order, each with the tick it acts at
            assertThat(inputs).extracting(AppliedInput::getTick).containsExactly(150L, 100L, 100L);
            assertThat(inputs).extracting(a -> ((ExternalInput) a.getPayload()).getTick()).containsExactly(150L, null, 40L);
            assertThat(d.journal()).extracting(AppliedInput::getSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, d.journal().size()).boxed().toList());
        }
    }

    @Test
    void shouldJournalEnoughToReplayTheRunExactly() {
        String first;
        List<AppliedInput> journal;
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.start(NET, 1.0));
            for (int i = 0; i < 20; i++) {
                d.pipeInput(Commands.current(NET, List.of("E"), 3.0 + i, null, 7));
                d.advanceWallClock(Duration.ofMillis(3));
            }
            d.pipeControl(Commands.pause(NET));
            first = d.spikeChecksum(NET);
            journal = List.copyOf(d.journal());
        }
        // replay: the journal's controls and inputs, each at its journaled tick, stepped not paced
        try (SimulatorTestDriver r = new SimulatorTestDriver()) {
            long at = 0;
            for (AppliedInput a : journal) {
                if (a.getTick() > at) {
                    r.pipeControl(Commands.step(NET, a.getTick() - at));
                    r.runUntilIdle();
                    at = a.getTick();
                }
                if (a.getPayload() instanceof ExternalInput in) {
                    r.pipeInput(ExternalInput.newBuilder(in).setTick(a.getTick()).build());
                } else {
                    Control c = (Control) a.getPayload();
                    if (c.getCommand() == io.neurostream.schemas.avro.ControlCommand.CREATE) {
                        r.pipeControl(c);
                    }
                }
            }
            assertThat(r.spikeChecksum(NET)).isEqualTo(first);
        }
    }

    @Test
    void shouldRejectBadInputWithAReasonAndKeepRunning() {
        try (SimulatorTestDriver d = new SimulatorTestDriver(Map.of(SimulatorConfig.LATE_TOLERANCE_MS, "10"))) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.step(NET, 2000));
            d.runUntilIdle();
            d.pipeInput(Commands.current("nope", List.of("E"), 1.0, null, 1));
            d.pipeInput(Commands.current(NET, List.of("X"), 1.0, null, 1));
            d.pipeInput(Commands.current(NET, List.of("E"), Double.NaN, null, 1));
            d.pipeInput(Commands.current(NET, List.of("E"), 1.0, 5L, 1));
            d.pipeInput(Commands.current(NET, List.of("E"), 1.0, null, 0));
            d.pipeInput(Commands.currentToNeurons(NET, List.of(1, 4000), 1.0, null, 1));
            d.pipeInput("other-key", Commands.current(NET, List.of("E"), 1.0, null, 1));
            d.pipeRawInput(NET, new byte[] {1, 2, 3});
            d.pipeRawControl(NET, Arrays.copyOf(Topics.CONTROL.valueSerde().encode(Commands.pause(NET)), 12));
            assertThat(d.rejectedReasons()).containsExactly("UNKNOWN_NETWORK", "UNKNOWN_POPULATION", "NON_FINITE",
                    "TICK_IN_PAST", "BAD_DURATION", "UNKNOWN_NEURON", "KEY_MISMATCH", "UNDECODABLE", "UNDECODABLE");
            assertThat(d.rejected()).allSatisfy(r -> assertThat(r.getReason()).isNotBlank());
            assertThat(d.core().rejectedByReason()).containsEntry(RejectReason.UNDECODABLE, 2L);
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            assertThat(d.core().network(NET).tick()).isEqualTo(2100);
            assertThat(d.status(NET).getRejectedCount()).isEqualTo(6);
        }
    }

    @Test
    void shouldMapSenseMatricesOntoTheSensesArea() {
        String spec = resource("demo.json");
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, spec));
            float[][] m = new float[20][20];
            m[3][4] = 10000f; // the largest value accepted (simulator.input.max.abs.value)
            d.pipeInput(Commands.matrix(NET, "vision", 0, m, 1.0, null, 1));
            d.pipeInput(Commands.matrix(NET, "vision", 0, new float[21][20], 1.0, null, 1));
            d.pipeInput(Commands.matrix(NET, "smell", 0, m, 1.0, null, 1));
            assertThat(d.rejectedReasons()).containsExactly("BAD_SHAPE", "UNKNOWN_SENSE");
            d.pipeControl(Commands.step(NET, 1));
            d.runUntilIdle();
            int target = d.core().network(NET).network().neuronAt(3, 4, 0, 0);
            assertThat(target).isNotNegative();
            assertThat(d.spikeList(NET)).extracting(s -> s[1]).contains((long) target);
        }
    }

    @Test
    void shouldPublishTopologyOnCreateAndStatusOnEveryCommand() {
        try (SimulatorTestDriver d = new SimulatorTestDriver(Map.of())) {
            d.pipeControl(Commands.create(NET, resource("demo.json")));
            assertThat(d.topology()).singleElement().satisfies(t -> {
                assertThat(t.getNeuronCount()).isEqualTo(6000);
                assertThat(t.getAreaNames()).containsExactly("V1_like", "A1_like", "S1_like");
                assertThat(t.getCoordinates().remaining()).isEqualTo(8 * 6000);
            });
            d.pipeControl(Commands.set(NET, "V1_E", "v_threshold", -52.0));
            d.pipeControl(Commands.set(NET, "V1_E", "nonsense", 1.0));
            assertThat(d.rejectedReasons()).containsExactly("UNKNOWN_PARAMETER");
            assertThat(d.statuses()).hasSize(2);
            assertThat(d.statuses()).extracting(st -> st.getState()).containsOnly(RunState.CREATED);
        }
    }

    @Test
    void shouldPublishPeriodicStatusWithTheMeasuredRealTimeFactor() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeControl(Commands.start(NET, 0.5));
            d.advanceWallClock(Duration.ofMillis(2500));
            List<io.neurostream.schemas.avro.Status> running = d.statuses().stream()
                    .filter(st -> st.getState() == RunState.RUNNING && st.getTick() > 0).toList();
            assertThat(running).hasSizeGreaterThanOrEqualTo(2);
            assertThat(running.get(running.size() - 1).getRealtimeFactor()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02));
        }
    }

    @Test
    void shouldRejectASpecWhoseRulesAskForMoreSynapsesThanAllowed() {
        try (SimulatorTestDriver d = new SimulatorTestDriver(Map.of(SimulatorConfig.MAX_SYNAPSES_KEY, "100000"))) {
            d.pipeControl(Commands.create(NET, CUBA)); // about 320,000 synapses
            assertThat(d.rejectedReasons()).containsExactly("OVERSIZED");
            assertThat(d.rejected().get(0).getReason()).contains("synapses").contains("simulator.max.synapses");
            assertThat(d.core().network(NET)).isNull();
        }
    }

    @Test
    void shouldRejectFiniteButAbsurdValuesAndNullKeys() {
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create(NET, CUBA));
            d.pipeInput(Commands.poisson(NET, List.of("E"), 100.0, 1e308, null, 10));
            d.pipeInput(Commands.current(NET, List.of("E"), -1.7e308, null, 10));
            d.pipeControl(Commands.set(NET, "E", "v_threshold", 1e300));
            d.pipeRawInput(null, Topics.EXTERNAL_INPUT.valueSerde().encode(Commands.current(NET, List.of("E"), 1.0, null, 1)));
            assertThat(d.rejectedReasons()).containsExactly("OUT_OF_RANGE", "OUT_OF_RANGE", "OUT_OF_RANGE", "KEY_MISMATCH");
            assertThat(d.rejected().get(0).getReason()).contains(SimulatorConfig.MAX_ABS_VALUE);
            d.pipeControl(Commands.step(NET, 100));
            d.runUntilIdle();
            assertThat(d.core().network(NET).tick()).isEqualTo(100);
        }
    }

    @Test
    void shouldStopANetworkWhoseStateTurnsNonFiniteWithNumericFaultAndLeaveOthersRunning() {
        io.neurostream.engine.model.NeuronModels.register(new RunawayModel());
        String unstable = "{\"name\": \"u\", \"seed\": 1, \"dt_ms\": 0.1, \"populations\": [{\"name\": \"E\", \"count\": 10,"
                + " \"model\": \"runaway\", \"type\": \"excitatory\"}]}";
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            d.pipeControl(Commands.create("u", unstable));
            d.pipeControl(Commands.create(NET, CUBA));
            // v grows tenfold a tick: infinite after about 310 ticks
            d.pipeControl(Commands.step("u", 1000));
            d.pipeControl(Commands.step(NET, 1000));
            d.runUntilIdle();
            assertThat(d.rejected()).as("rejected").isEmpty();
            assertThat(d.status("u").getState()).isEqualTo(RunState.NUMERIC_FAULT);
            assertThat(d.status("u").getMessage()).contains("non-finite");
            assertThat(d.frames()).filteredOn(f -> f.getNetworkId().equals("u"))
                    .allSatisfy(f -> assertThat(f.getAreas()).allSatisfy(a -> assertThat(a.getMeanVMv()).isFinite()));
            assertThat(d.core().network(NET).tick()).isEqualTo(1000);
            d.pipeControl(Commands.step("u", 10));
            assertThat(d.rejectedReasons()).containsExactly("WRONG_STATE");

            // a restart replays the journal and faults again, at the same tick, instead of dropping the network
            try (SimulatorTestDriver restarted = d.restart()) {
                restarted.runUntilIdle();
                assertThat(restarted.core().network("u").state()).isEqualTo(RunState.NUMERIC_FAULT);
                assertThat(restarted.core().network("u").tick()).isEqualTo(d.core().network("u").tick());
                assertThat(restarted.core().network(NET).tick()).isEqualTo(1000);
            }
        }
    }

    @Test
    void shouldBoundEachNetworksInputQueueAndRefuseOverlongIds() {
        java.util.Map<String, Object> props = new java.util.HashMap<>();
        props.put(SimulatorConfig.INPUT_QUEUE_MAX_COUNT, 50);
        try (SimulatorTestDriver d = new SimulatorTestDriver(props)) {
            d.pipeControl(Commands.create(NET, CUBA));
            for (int i = 0; i < 60; i++) {
                d.pipeInput(Commands.current(NET, List.of("E"), 1.0, 30_000_000L + i, 1));
            }
            assertThat(d.rejectedReasons()).hasSize(10).containsOnly("QUEUE_FULL");
            assertThat(d.core().network(NET).pendingInputs()).isEqualTo(50);
            d.pipeControl(Commands.create("n".repeat(SimulatorConfig.MAX_NETWORK_ID_CHARS + 1), CUBA));
            assertThat(d.rejectedReasons()).last().isEqualTo("BAD_COMMAND");
        }
        // bytes count what a waiting input holds: an input to all 3,200 E neurons holds 12.8 KB of ids
        props.put(SimulatorConfig.INPUT_QUEUE_MAX_BYTES, 64 * 1024);
        try (SimulatorTestDriver d = new SimulatorTestDriver(props)) {
            d.pipeControl(Commands.create(NET, CUBA));
            for (int i = 0; i < 6; i++) {
                d.pipeInput(Commands.current(NET, List.of("E"), 1.0, 30_000_000L + i, 1));
            }
            assertThat(d.rejectedReasons()).containsExactly("QUEUE_FULL");
            assertThat(d.core().network(NET).pendingBytes()).isBetween(5 * 12_800L, 64 * 1024L);
        }
    }
}
