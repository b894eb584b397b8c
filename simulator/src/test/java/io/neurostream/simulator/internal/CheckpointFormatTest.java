package io.neurostream.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorTestDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.neurostream.schemas.avro.AppliedInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint byte format, pinned by golden files ({@code checkpoints/v<version>.nsck} in test
 * resources), each written by the writer of its version from the same small deterministic
 * {@link #scenario}: every version this build reads restores the network as it was (tick, run state,
 * mode, probes, inputs waiting for their tick) and it continues spike for spike as the network that
 * wrote it; the current writer reproduces its golden file byte for byte, so that a change of the
 * format cannot slip in without a new version.
 *
 * <p>After a deliberate change of the format (a new {@link CheckpointCodec#VERSION}, or a new engine
 * snapshot version, which the checkpoint ends with), write the current golden file once with
 * {@code mvn -B -ntp -o -q -pl simulator -am verify -Dtest=CheckpointFormatTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.write=true}
 * and commit it; the files of older versions are never rewritten (they were written by the old writer).
 */
class CheckpointFormatTest {
    static final String NET = "golden";

    /** 20 LIF neurons that fire on their own, exp_current synapses of one tick, a Poisson input in the spec. */
    static final String TINY = "{\"name\": \"golden-checkpoint\", \"seed\": 7, \"dt_ms\": 0.1,"
            + " \"populations\": ["
            + "  {\"name\": \"E\", \"count\": 16, \"model\": \"lif\", \"type\": \"excitatory\","
            + "   \"params\": {\"v_rest\": -49.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"tau_membrane\": 20.0,"
            + "              \"refractory_ms\": 5.0, \"integration\": \"exact\"},"
            + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}},"
            + "  {\"name\": \"I\", \"count\": 4, \"model\": \"lif\", \"type\": \"inhibitory\","
            + "   \"params\": {\"v_rest\": -49.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"tau_membrane\": 20.0,"
            + "              \"refractory_ms\": 5.0, \"integration\": \"exact\"},"
            + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}}],"
            + " \"synapse\": {\"kind\": \"exp_current\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
            + " \"connections\": ["
            + "  {\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.3, \"weight\": 1.62, \"delay_ms\": 0.1},"
            + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.3, \"weight\": 9.0, \"delay_ms\": 0.1}],"
            + " \"inputs\": [{\"target\": {\"population\": \"E\"}, \"poisson\": {\"rate_hz\": 500.0, \"weight\": 1.0}}]}";

    /** Ticks both networks are stepped after the checkpoint, compared spike for spike. */
    static final int CONTINUE_TICKS = 600;

    /** Every checkpoint version this build reads, each with its golden file. */
    static List<Integer> readableVersions() {
        return List.of(1, 2);
    }

    /**
     * The simulator every golden file was written from: the network started at speed 2 for 3 ms of wall
     * clock (60 ticks), paused, probed, a threshold changed, a Poisson input for its next tick and two
     * currents for ticks 90 and 120, all three waiting in its queue. State PAUSED and mode REALTIME: their v1 ordinals (2, 0)
     * differ from each other and from the defaults.
     */
    static SimulatorTestDriver scenario() {
        SimulatorTestDriver d = new SimulatorTestDriver();
        d.pipeControl(Commands.create(NET, TINY));
        d.runUntilIdle();
        d.pipeControl(Commands.start(NET, 2.0));
        d.advanceWallClock(Duration.ofMillis(3));
        d.pipeControl(Commands.pause(NET));
        d.pipeControl(Commands.probe(NET, List.of(1, 5, 17), List.of("v"), 5));
        d.pipeControl(Commands.set(NET, "E", "v_threshold", -51.0));
        d.pipeInput(Commands.poisson(NET, List.of("I"), 800.0, 2.0, null, 100));
        d.pipeInput(Commands.current(NET, List.of("E"), 8.0, 90L, 20));
        d.pipeInput(Commands.currentToNeurons(NET, List.of(2, 3), -4.0, 120L, 30));
        d.runUntilIdle();
        return d;
    }

    static Path path(int version) {
        return Path.of(System.getProperty("basedir", "."), "src/test/resources/checkpoints/v" + version + ".nsck");
    }

    static byte[] golden(int version) throws IOException {
        Path p = path(version);
        assertThat(p).as("golden file (write it with -Dgolden.write=true, see this class)").exists();
        return Files.readAllBytes(p);
    }

    @Test
    void shouldWriteTheCurrentVersionsGoldenFileByteForByte() throws IOException {
        byte[] bytes;
        try (SimulatorTestDriver d = scenario()) {
            bytes = d.core().checkpoint(NET);
        }
        if (Boolean.getBoolean("golden.write")) {
            Files.createDirectories(path(CheckpointCodec.VERSION).getParent());
            Files.write(path(CheckpointCodec.VERSION), bytes);
        }
        assertThat(bytes).as("checkpoint format changed; give it a new VERSION (see this class)")
                .isEqualTo(golden(CheckpointCodec.VERSION));
    }

    @ParameterizedTest(name = "v{0}")
    @MethodSource("readableVersions")
    void shouldRestoreEveryReadableGoldenFileAsTheNetworkThatWroteIt(int version) throws IOException {
        byte[] bytes = golden(version);
        try (SimulatorTestDriver expected = scenario(); SimulatorTestDriver restored = new SimulatorTestDriver()) {
            restored.core().restore(NET, bytes, 1_000_000_000L, SimulatorTestDriver.START_MS);
            HostedNetwork want = expected.core().network(NET);
            HostedNetwork got = restored.core().network(NET);
            assertThat(got.state()).isEqualTo(RunState.PAUSED).isEqualTo(want.state());
            assertThat(got.mode()).isEqualTo(RunMode.REALTIME).isEqualTo(want.mode());
            assertSameHost(got, want);
            long from = want.tick();
            int membraneBefore = expected.membrane().size();

            expected.pipeControl(Commands.step(NET, CONTINUE_TICKS));
            expected.runUntilIdle();
            restored.pipeControl(Commands.step(NET, CONTINUE_TICKS));
            restored.runUntilIdle();
            assertThat(got.tick()).isEqualTo(want.tick()).isEqualTo(from + CONTINUE_TICKS);
            List<long[]> wantSpikes = expected.spikeList(NET).stream().filter(s -> s[0] >= from).toList();
            assertThat(restored.spikeList(NET)).usingElementComparator(Arrays::compare).isEqualTo(wantSpikes);
            assertThat(wantSpikes).as("spikes after the checkpoint, or the comparison proves nothing").hasSizeGreaterThan(20);
            List<MembraneSample> wantMembrane = expected.membrane().subList(membraneBefore, expected.membrane().size());
            assertThat(restored.membrane()).as("probes").isEqualTo(wantMembrane).isNotEmpty();
            assertThat(got.pendingInputs()).as("the waiting inputs were applied").isZero();
        }
    }

    @Test
    void shouldWriteFromAVersion1CheckpointTheCurrentGoldenFile() throws IOException {
        // what a restored version 1 checkpoint is checkpointed as again: the same state, the current format
        try (SimulatorTestDriver d = new SimulatorTestDriver()) {
            HostedNetwork h = d.core().restore(NET, golden(1), 1_000_000_000L, SimulatorTestDriver.START_MS);
            // the run comes from the Checkpoint record, as recovery sets it; version 1 was written before runs
            h.runId(0);
            assertThat(d.core().checkpoint(NET)).isEqualTo(golden(CheckpointCodec.VERSION));
        }
    }

    @Test
    void shouldReadTheVersionFromTheHeader() throws IOException {
        assertThat(CheckpointCodec.version(golden(1))).isEqualTo(1);
        assertThat(CheckpointCodec.version(golden(2))).isEqualTo(2);
        byte[] snapshotNotCheckpoint = Arrays.copyOfRange(golden(1), golden(1).length - 1000, golden(1).length);
        assertThatThrownBy(() -> CheckpointCodec.version(snapshotNotCheckpoint)).isInstanceOf(IOException.class)
                .hasMessageContaining("bad magic");
        assertThatThrownBy(() -> CheckpointCodec.version(new byte[] {0x4E, 0x53, 0x43, 0x4B})).isInstanceOf(IOException.class)
                .hasMessageContaining("shorter than its header");
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {0, 3, 0x7FFFFFFF})
    void shouldRefuseAVersionItDoesNotReadNamingItAndThoseItReads(int version) throws IOException {
        byte[] bytes = golden(CheckpointCodec.VERSION);
        ByteBuffer.wrap(bytes).putInt(4, version);
        assertThat(CheckpointCodec.version(bytes)).isEqualTo(version);
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("format version " + version + ",")
                .hasMessageContaining("it reads versions 1 to 2");
    }

    /** Version 1 ordinals as they were written: Status v2's symbol order, which also reads checkpoints of before it. */
    static final List<String> V1_STATES = List.of("CREATED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "BUILDING",
            "NUMERIC_FAULT", "UNKNOWN");
    static final List<String> V1_MODES = List.of("REALTIME", "MAX", "STEPPED", "UNKNOWN");

    @Test
    void shouldMapEveryVersion1OrdinalToTheSymbolItMeantThenAndRefuseOthers() throws IOException {
        byte[] bytes = golden(1);
        int stateAt = 12 + ByteBuffer.wrap(bytes).getInt(8);
        assertThat(bytes[stateAt]).as("PAUSED in the golden file").isEqualTo((byte) 2);
        assertThat(bytes[stateAt + 1]).as("REALTIME in the golden file").isEqualTo((byte) 0);
        for (int ordinal = 0; ordinal < V1_STATES.size(); ordinal++) {
            bytes[stateAt] = (byte) ordinal;
            assertThat(read(bytes).state().name()).isEqualTo(V1_STATES.get(ordinal));
        }
        bytes[stateAt] = 2;
        for (int ordinal = 0; ordinal < V1_MODES.size(); ordinal++) {
            bytes[stateAt + 1] = (byte) ordinal;
            assertThat(read(bytes).mode().name()).isEqualTo(V1_MODES.get(ordinal));
        }
        bytes[stateAt + 1] = (byte) V1_MODES.size();
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("run mode 4, which format 1 never had");
        bytes[stateAt + 1] = 0;
        bytes[stateAt] = (byte) 0xFF;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("run state 255, which format 1 never had");
    }

    @Test
    void shouldRefuseARunStateOrModeNameItDoesNotKnow() throws IOException {
        byte[] bytes = golden(2);
        int stateAt = 12 + ByteBuffer.wrap(bytes).getInt(8);
        byte[] paused = {0, 6, 'P', 'A', 'U', 'S', 'E', 'D', 0, 8, 'R', 'E', 'A', 'L', 'T', 'I', 'M', 'E'};
        assertThat(Arrays.copyOfRange(bytes, stateAt, stateAt + paused.length)).as("PAUSED, REALTIME by name").isEqualTo(paused);
        bytes[stateAt + 4] = 'W';
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("run state 'PAWSED', which this build does not know");
        bytes[stateAt + 4] = 'U';
        bytes[stateAt + 10] = 'S';
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("run mode 'SEALTIME', which this build does not know");
    }

    static HostedNetwork read(byte[] bytes) throws IOException {
        SimulatorConfig config = new SimulatorConfig(new Properties());
        return CheckpointCodec.read(NET, bytes, config.frameMs(), config);
    }

    /** Everything the checkpoint holds of the host, field by field. */
    static void assertSameHost(HostedNetwork got, HostedNetwork want) {
        assertThat(got.tick()).as("tick").isEqualTo(want.tick()).isGreaterThan(0);
        assertThat(got.speed).as("speed").isEqualTo(want.speed).isEqualTo(2.0);
        assertThat(got.runEpochMs).as("run epoch").isEqualTo(want.runEpochMs);
        assertThat(got.journalSequence).as("journal sequence").isEqualTo(want.journalSequence);
        assertThat(got.rejectedCount).as("rejected").isEqualTo(want.rejectedCount);
        assertThat(got.stalledMs).as("stalled ms").isEqualTo(want.stalledMs);
        assertThat(got.stepBudget).as("step budget").isEqualTo(want.stepBudget);
        assertThat(got.arrivals).as("arrivals").isEqualTo(want.arrivals);
        assertThat(got.probeIds).as("probe ids").isEqualTo(want.probeIds).containsExactly(1, 5, 17);
        assertThat(got.probeVars).as("probe variables").isEqualTo(want.probeVars).containsExactly("v");
        assertThat(got.probeEvery).as("probe every").isEqualTo(want.probeEvery).isEqualTo(5);
        List<String> wantPending = pending(want);
        assertThat(pending(got)).as("inputs waiting for their tick").isEqualTo(wantPending).hasSize(3);
        assertThat(got.pendingBytes).as("their bytes").isEqualTo(want.pendingBytes);
    }

    /** The waiting inputs in queue order, as text: tick, arrival, journal entry, engine input's ticks and neurons. */
    static List<String> pending(HostedNetwork h) {
        List<HostedNetwork.Pending> list = new ArrayList<>(h.pending);
        list.sort(Comparator.naturalOrder());
        List<String> out = new ArrayList<>();
        for (HostedNetwork.Pending p : list) {
            // the run of a waiting entry is its network's, which the Checkpoint record carries, not the bytes compared here
            out.add(p.tick + " " + p.arrival + " " + AppliedInput.newBuilder(p.journal).setRunId(-1L).build() + " [" + p.input.fromTick() + ", " + p.input.toTick()
                    + ") " + p.input.kind() + " " + Arrays.toString(p.input.neurons()));
        }
        return out;
    }
}
