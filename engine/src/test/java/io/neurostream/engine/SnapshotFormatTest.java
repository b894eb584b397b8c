package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.engine.spec.Dist;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The snapshot byte format, pinned by golden files ({@code snapshots/v<version>-<case>.nsnp} in test
 * resources), each written by the writer of its version from the same small deterministic
 * {@link #scenario}: every version this build reads still restores into a network that continues as
 * the one that wrote it, and the current writer reproduces its golden files byte for byte, so that
 * a change of the format cannot slip in without a new version.
 *
 * <p>After a deliberate change of the format (a new {@link Snapshot#VERSION}), write the new
 * version's files once with
 * {@code mvn -B -ntp -o -q -pl engine verify -Dtest=SnapshotFormatTest -Dgolden.write=true} and commit
 * them; the files of older versions are never rewritten (they were written by the old writer).
 */
class SnapshotFormatTest {

    /** 20 LIF neurons, exp_current synapses with one-tick delays: direct delivery (next tick's input kept). */
    static final String DIRECT = "{\"name\": \"golden-direct\", \"seed\": 7, \"dt_ms\": 0.1,"
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
            + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.3, \"weight\": 9.0, \"delay_ms\": 0.1}]}";

    /** 20 neurons, drawn delays and STDP: the ring buffer, plastic weights and their traces. */
    static final String PLASTIC = "{\"name\": \"golden-plastic\", \"seed\": 11, \"dt_ms\": 0.5,"
            + " \"populations\": [{\"name\": \"E\", \"count\": 16, \"type\": \"excitatory\", \"params\": {\"tau_membrane\": 20.0},"
            + "   \"init\": {\"v\": {\"uniform\": [-65.0, -52.0]}}},"
            + "  {\"name\": \"I\", \"count\": 4, \"type\": \"inhibitory\"}],"
            + " \"synapse\": {\"kind\": \"exp_current\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
            + " \"connections\": [{\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.3,"
            + "   \"weight\": {\"uniform\": [0.2, 0.8]}, \"delay_ms\": {\"uniform\": [0.5, 4.0]}},"
            + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.3, \"weight\": 2.0, \"delay_ms\": 1.0}],"
            + " \"plasticity\": {\"rule\": \"stdp\", \"from\": \"E\", \"a_plus\": 0.02, \"a_minus\": 0.021, \"w_max\": 1.0},"
            + " \"inputs\": [{\"target\": {\"population\": [\"E\", \"I\"]}, \"poisson\": {\"rate_hz\": 3000.0, \"weight\": 1.2}}]}";

    /** Tick from which on the golden snapshots are taken, at the first tick after one with spikes. */
    static final long SNAPSHOT_TICK = 40;
    /** Ticks both networks run after the snapshot, compared spike for spike. */
    static final int CONTINUE_TICKS = 600;

    /** Every snapshot version this build reads, each with its golden files. */
    static final int[] READABLE_VERSIONS = {2, 3};

    static List<Arguments> cases() {
        return List.of(Arguments.of("direct", DIRECT), Arguments.of("plastic", PLASTIC));
    }

    static List<Arguments> goldenFiles() {
        return Arrays.stream(READABLE_VERSIONS).boxed()
                .flatMap(v -> cases().stream().map(c -> Arguments.of(v, c.get()[0], c.get()[1])))
                .toList();
    }

    /**
     * The network every golden file was written from: {@code spec} run to tick 20, then inputs of every
     * kind added (a current drawn per neuron and tick, per-neuron values, Poisson trains) and a
     * threshold changed, then run to {@link #SNAPSHOT_TICK} and on until a tick in which some neuron
     * spiked, so that the snapshot holds spikes on their way (next tick's input, the ring buffer).
     */
    static Network scenario(String spec) {
        Network net = build(spec);
        run(net, 20);
        net.addInput(Input.current(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Dist.normal(2.0, 5.0), 20, 300));
        net.addInput(Input.current(new int[] {10, 11}, Dist.uniform(-1.0, 3.0), 25, 90));
        net.addInput(Input.values(new int[] {12, 3, 7}, new double[] {6.5, 4.0, -2.0}, 20, 120));
        net.addInput(Input.poisson(new int[] {0, 1, 2, 3, 17}, 800.0, 2.0, 30, Input.FOREVER));
        net.setParameter("E", "v_threshold", -51.0);
        run(net, SNAPSHOT_TICK - 20);
        while (net.spikes().size() == 0 && net.tick() < 10 * SNAPSHOT_TICK) {
            net.step();
        }
        return net;
    }

    static byte[] snapshot(Network net) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        net.writeSnapshot(out);
        return out.toByteArray();
    }

    static String file(int version, String name) {
        return "snapshots/v" + version + "-" + name + ".nsnp";
    }

    /** Where golden files live: read from the source tree, so that a run that writes them also checks them. */
    static Path path(int version, String name) {
        return Path.of(System.getProperty("basedir", "."), "src/test/resources", file(version, name));
    }

    static byte[] golden(int version, String name) throws IOException {
        Path p = path(version, name);
        assertThat(p).as("golden file (write it with -Dgolden.write=true, see this class)").exists();
        return Files.readAllBytes(p);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cases")
    void shouldWriteTheCurrentVersionsGoldenFileByteForByte(String name, String spec) throws IOException {
        byte[] bytes;
        try (Network net = scenario(spec)) {
            bytes = snapshot(net);
        }
        String file = file(Snapshot.VERSION, name);
        if (Boolean.getBoolean("golden.write")) {
            Path target = path(Snapshot.VERSION, name);
            Files.createDirectories(target.getParent());
            Files.write(target, bytes);
        }
        assertThat(bytes).as("%s: the snapshot format changed; give it a new Snapshot.VERSION (see this class)", file)
                .isEqualTo(golden(Snapshot.VERSION, name));
    }

    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("goldenFiles")
    void shouldContinueFromEveryReadableGoldenFileAsTheNetworkThatWroteIt(int version, String name, String spec)
            throws IOException {
        byte[] bytes = golden(version, name);
        assertThat(readInt(bytes, 0)).as("magic").isEqualTo(Snapshot.MAGIC);
        assertThat(readInt(bytes, 4)).as("version in the header of %s", file(version, name)).isEqualTo(version);
        try (Network expected = scenario(spec); Network restored = build(spec)) {
            restored.restoreSnapshot(new ByteArrayInputStream(bytes));
            assertThat(restored.tick()).isEqualTo(expected.tick()).isGreaterThanOrEqualTo(SNAPSHOT_TICK);
            assertThat(restored.state().v).isEqualTo(expected.state().v);
            assertThat(restored.state().u).isEqualTo(expected.state().u);
            assertThat(restored.state().ge).isEqualTo(expected.state().ge);
            assertThat(restored.state().gi).isEqualTo(expected.state().gi);
            assertThat(restored.state().refractory).isEqualTo(expected.state().refractory);
            assertThat(restored.totalSpikes()).isEqualTo(expected.totalSpikes());
            assertThat(restored.totalSynapticEvents()).isEqualTo(expected.totalSynapticEvents());
            List<int[]> want = run(expected, CONTINUE_TICKS);
            List<int[]> got = run(restored, CONTINUE_TICKS);
            for (int k = 0; k < CONTINUE_TICKS; k++) {
                assertThat(got.get(k)).as("spikes of tick %d", expected.tick() - CONTINUE_TICKS + k).isEqualTo(want.get(k));
            }
            assertThat(want.stream().mapToInt(s -> s.length).sum())
                    .as("spikes after the snapshot, or the comparison proves nothing").isGreaterThan(20);
            assertThat(restored.state().v).isEqualTo(expected.state().v);
            for (int s = 0; s < expected.synapseCount(); s++) {
                assertThat(restored.synapseWeight(s)).as("weight %d", s).isEqualTo(expected.synapseWeight(s));
            }
        }
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 4, -1})
    void shouldRefuseAVersionItDoesNotReadSayingWhichItReads(int version) throws IOException {
        byte[] bytes = golden(Snapshot.VERSION, "direct");
        ByteBuffer.wrap(bytes).putInt(4, version);
        try (Network net = build(DIRECT)) {
            assertThatThrownBy(() -> net.restoreSnapshot(new ByteArrayInputStream(bytes)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("version " + version + " is not supported")
                    .hasMessageContaining("versions 2 to 3");
            assertThat(net.tick()).as("a refused snapshot leaves the network as it was").isZero();
        }
    }

    @Test
    void shouldRefuseAnInputKindItDoesNotKnowByName() throws IOException {
        byte[] bytes = golden(Snapshot.VERSION, "direct");
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\u0000\u0007POISSON");
        assertThat(at).as("the input kind, by name").isPositive();
        byte[] future = text.replace("\u0000\u0007POISSON", "\u0000\u0007PLAYBAK").getBytes(StandardCharsets.ISO_8859_1);
        try (Network net = build(DIRECT)) {
            assertThatThrownBy(() -> net.restoreSnapshot(new ByteArrayInputStream(future)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("kind 'PLAYBAK' this build does not know");
        }
    }

    @Test
    void shouldRefuseAnInputKindOrdinalOfFormat2ThatNeverExisted() throws IOException {
        // format 2: an input starts with its kind's ordinal byte, then from, to, stream; the only POISSON
        // input of the direct scenario is (2, from 30, to FOREVER)
        byte[] bytes = golden(2, "direct");
        byte[] poisson = ByteBuffer.allocate(17).put((byte) 2).putLong(30).putLong(Input.FOREVER).array();
        int at = indexOf(bytes, poisson);
        assertThat(at).isPositive();
        bytes[at] = 3;
        try (Network net = build(DIRECT)) {
            byte[] corrupt = bytes;
            assertThatThrownBy(() -> net.restoreSnapshot(new ByteArrayInputStream(corrupt)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("input kind 3 of format 2 does not exist");
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
