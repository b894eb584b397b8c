package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.checksum;
import static io.neurostream.engine.TestNetworks.resource;
import static io.neurostream.engine.TestNetworks.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.neurostream.engine.spec.Dist;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Same spec, seed and inputs ⇒ the same spikes, bit for bit: across runs, thread counts, and a
 * snapshot taken and restored into a fresh network.
 */
class DeterminismTest {

    /**
     * 13,000 LIF neurons (10,400 E in chunks of 4096, 4096, 2208; 2,600 I), exp_current synapses with
     * drawn weights and per-synapse delays, noise currents drawn per neuron and tick, Poisson input.
     */
    private static String bigLif(long seed) {
        String params = "\"v_rest\": -60.0, \"v_threshold\": -50.0, \"v_reset\": -60.0, \"refractory_ms\": ";
        return "{\"name\": \"det\", \"seed\": " + seed + ", \"dt_ms\": 0.1,"
                + " \"populations\": ["
                + "  {\"name\": \"E\", \"count\": 10400, \"type\": \"excitatory\", \"params\": {" + params + "5.0, \"tau_membrane\": 20.0},"
                + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}},"
                + "  {\"name\": \"I\", \"count\": 2600, \"type\": \"inhibitory\", \"params\": {" + params + "2.0, \"tau_membrane\": 10.0},"
                + "   \"init\": {\"v\": {\"uniform\": [-60.0, -50.0]}}}],"
                + " \"synapse\": {\"kind\": \"exp_current\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
                + " \"connections\": ["
                + "  {\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.01, \"weight\": {\"uniform\": [0.1, 0.4]},"
                + "   \"delay_ms\": {\"uniform\": [0.5, 3.0]}},"
                + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.01, \"weight\": {\"uniform\": [0.5, 1.5]}, \"delay_ms\": 1.0}],"
                + " \"inputs\": [{\"target\": {\"population\": [\"E\", \"I\"]}, \"current\": {\"normal\": [7.0, 6.0]}},"
                + "   {\"target\": {\"population\": \"E\"}, \"poisson\": {\"rate_hz\": 400.0, \"weight\": 1.5}}]}";
    }

    @Test
    void shouldGiveIdenticalChecksumForSameSpecAndSeedAndDifferentForAnotherSeed() {
        String cuba = resource("/specs/cuba.json");
        SpikeChecksum a = checksum(build(cuba), 1000);
        SpikeChecksum b = checksum(build(cuba), 1000);
        assertThat(a.count()).isGreaterThan(1000);
        assertThat(b.hex()).isEqualTo(a.hex());
        assertThat(b.count()).isEqualTo(a.count());
        SpikeChecksum other = checksum(build(cuba.replace("\"seed\": 1234", "\"seed\": 1235")), 1000);
        assertThat(other.hex()).isNotEqualTo(a.hex());
    }

    @Test
    void shouldGiveIdenticalSpikesWithOneTwoAndThreeThreads() {
        String json = bigLif(7);
        SpikeChecksum[] cs = new SpikeChecksum[3];
        long[] events = new long[3];
        for (int threads = 1; threads <= 3; threads++) {
            try (Network net = build(json)) {
                assertThat(net.size()).isGreaterThan(3 * 4096);
                net.setThreads(threads);
                assertThat(net.deliveryThreads()).as("delivery split by target").isEqualTo(threads);
                cs[threads - 1] = checksum(net, 2000); // 200 ms
                events[threads - 1] = net.totalSynapticEvents();
            }
        }
        // a busy network, so that a race or a reordering would show: ~33,000 spikes, ~4.3 million synaptic events
        assertThat(cs[0].count()).isGreaterThan(10_000);
        assertThat(events[0]).isGreaterThan(1_000_000);
        assertThat(cs[1].hex()).isEqualTo(cs[0].hex());
        assertThat(cs[2].hex()).isEqualTo(cs[0].hex());
        assertThat(events[1]).isEqualTo(events[0]);
        assertThat(events[2]).isEqualTo(events[0]);
    }

    /**
     * On several threads, a tick's spikes reach the ring or the neurons (direct delivery) in the next tick's
     * round: with per-synapse delays, one delay for all, and one tick of delay (direct), on one to three threads,
     * the spikes, the state between ticks and a snapshot taken between ticks are those of one thread.
     */
    @ParameterizedTest(name = "delays: {0}")
    @ValueSource(strings = {"per-synapse", "uniform", "direct"})
    void shouldLeaveTheSameStateBetweenTicksWhateverTheThreadsAndTheDelays(String delays) throws IOException {
        String json = bigLif(5);
        if (!delays.equals("per-synapse")) {
            String d = delays.equals("uniform") ? "1.0" : "0.1";
            json = json.replace("\"delay_ms\": {\"uniform\": [0.5, 3.0]}", "\"delay_ms\": " + d).replace("\"delay_ms\": 1.0", "\"delay_ms\": " + d);
        }
        String[] reference = null;
        double[][] state = null;
        byte[] snap = null;
        for (int threads = 1; threads <= 3; threads++) {
            try (Network net = build(json)) {
                net.setThreads(threads);
                SpikeChecksum before = checksum(net, 700);
                byte[] mid = snapshot(net);            // between ticks, with the last tick's spikes in flight
                SpikeChecksum after = checksum(net, 300);
                String[] spikes = {before.hex(), after.hex()};
                double[][] now = {net.state().v.clone(), net.state().ge.clone(), net.state().gi.clone()};
                if (threads == 1) {
                    reference = spikes;
                    state = now;
                    snap = mid;
                    assertThat(before.count() + after.count()).as("a busy network").isGreaterThan(5_000);
                } else {
                    assertThat(spikes).as("spikes on %d threads", threads).isEqualTo(reference);
                    assertThat(now).as("state on %d threads", threads).isEqualTo(state);
                    assertThat(mid).as("snapshot on %d threads", threads).isEqualTo(snap);
                }
            }
        }
    }

    /**
     * The synapses are built in blocks of presynaptic neurons on several threads: they must be exactly those the
     * one-threaded builder made (the values below are its, for this network of four blocks: ids, targets, weights
     * and delays hashed in order).
     */
    @Test
    void shouldBuildTheSameSynapsesAsTheOneThreadedBuilder() {
        try (Network net = build(bigLif(7))) {
            long h = 1;
            for (int pre = 0; pre <= net.size(); pre++) {
                h = 31 * h + (pre < net.size() ? net.synapsesFrom(pre) : net.synapseCount());
            }
            for (int s = 0; s < net.synapseCount(); s++) {
                h = 31 * h + net.synapseTarget(s);
                h = 31 * h + Float.floatToIntBits(net.synapseWeight(s));
                h = 31 * h + net.synapseDelayTicks(s);
            }
            assertThat(net.synapseCount()).isEqualTo(1_689_499L);
            assertThat(h).isEqualTo(-8_480_992_961_261_369_368L);
        }
    }

    // ------------------------------------------------------------------ snapshots

    private static byte[] snapshot(Network net) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        net.writeSnapshot(out);
        return out.toByteArray();
    }

    private static float[] weights(Network net) {
        float[] w = new float[(int) net.synapseCount()];
        for (int s = 0; s < w.length; s++) {
            w[s] = net.synapseWeight(s);
        }
        return w;
    }

    /** Steps up to {@code ticks}, calling {@code hook} just before tick 100 is computed. */
    private static List<int[]> runWithHook(Network net, int ticks, Consumer<Network> hook) {
        List<int[]> before = run(net, 100 - net.tick());
        hook.accept(net);
        before.addAll(run(net, ticks - 100));
        return before;
    }

    /**
     * An uninterrupted run of 300 ticks against a second run snapshotted at tick 150 and restored into
     * a freshly built network that continues (on {@code restoreThreads} threads): the spikes of ticks
     * 150..299, the final potentials and the weights must be identical. Returns the uninterrupted run.
     */
    private static List<int[]> assertRestoreContinuesExactly(String json, Consumer<Network> hook, int restoreThreads)
            throws IOException {
        Network full = build(json);
        List<int[]> expected = runWithHook(full, 300, hook);

        Network first = build(json);
        List<int[]> firstHalf = runWithHook(first, 150, hook);
        byte[] snap = snapshot(first);
        for (int k = 0; k < 150; k++) {
            assertThat(firstHalf.get(k)).isEqualTo(expected.get(k));
        }

        try (Network restored = build(json)) {
            restored.setThreads(restoreThreads);
            restored.restoreSnapshot(new ByteArrayInputStream(snap));
            assertThat(restored.tick()).isEqualTo(150);
            List<int[]> continued = run(restored, 150);
            for (int k = 0; k < 150; k++) {
                assertThat(continued.get(k)).as("spikes of tick %d", 150 + k).isEqualTo(expected.get(150 + k));
            }
            assertThat(restored.state().v).isEqualTo(full.state().v);
            assertThat(restored.state().u).isEqualTo(full.state().u);
            assertThat(restored.state().ge).isEqualTo(full.state().ge);
            assertThat(restored.state().gi).isEqualTo(full.state().gi);
            assertThat(weights(restored)).isEqualTo(weights(full));
            assertThat(restored.totalSpikes()).isEqualTo(full.totalSpikes());
        }
        // writing a snapshot does not disturb the network it was taken of
        List<int[]> rest = run(first, 150);
        for (int k = 0; k < 150; k++) {
            assertThat(rest.get(k)).isEqualTo(expected.get(150 + k));
        }
        assertThat(expected.subList(150, 300).stream().mapToInt(s -> s.length).sum())
                .as("spikes after the snapshot, or the comparison proves nothing").isGreaterThan(50);
        return expected;
    }

    private static final Consumer<Network> NOTHING = net -> { };

    @ParameterizedTest(name = "restored network on {0} thread(s)")
    @ValueSource(ints = {1, 2})
    void shouldContinueCubaWithExpCurrentExactlyAfterRestore(int threads) throws IOException {
        assertRestoreContinuesExactly(resource("/specs/cuba.json"), NOTHING, threads);
    }

    /**
     * A snapshot restored into a network that has run on its own (so its models hold state of their own about
     * it, such as LIF's list of refractory neurons) continues exactly as an uninterrupted run.
     */
    @ParameterizedTest(name = "on {0} thread(s)")
    @ValueSource(ints = {1, 2})
    void shouldContinueExactlyAfterRestoringIntoANetworkThatHasRunItself(int threads) throws IOException {
        String cuba = resource("/specs/cuba.json");
        Network full = build(cuba);
        List<int[]> expected = run(full, 300);
        Network first = build(cuba);
        run(first, 150);
        byte[] snap = snapshot(first);
        try (Network busy = build(cuba)) {
            busy.setThreads(threads);
            run(busy, 237); // its own refractory neurons now, not the snapshot's
            busy.restoreSnapshot(new ByteArrayInputStream(snap));
            List<int[]> continued = run(busy, 150);
            for (int k = 0; k < 150; k++) {
                assertThat(continued.get(k)).as("spikes of tick %d", 150 + k).isEqualTo(expected.get(150 + k));
            }
            assertThat(busy.state().v).isEqualTo(full.state().v);
            assertThat(busy.state().refractory).isEqualTo(full.state().refractory);
        }
    }

    @Test
    void shouldContinueIzhikevichWithNoiseExactlyAfterRestore() throws IOException {
        assertRestoreContinuesExactly(resource("/specs/izhikevich2003.json"), NOTHING, 1);
    }

    private static final String STDP = "{\"name\": \"stdp-net\", \"seed\": 11, \"dt_ms\": 0.5,"
            + " \"populations\": [{\"name\": \"E\", \"count\": 800, \"type\": \"excitatory\", \"params\": {\"tau_membrane\": 20.0},"
            + "   \"init\": {\"v\": {\"uniform\": [-65.0, -52.0]}}},"
            + "  {\"name\": \"I\", \"count\": 200, \"type\": \"inhibitory\"}],"
            + " \"synapse\": {\"kind\": \"exp_current\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
            + " \"connections\": [{\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.05, \"weight\": {\"uniform\": [0.2, 0.8]},"
            + "   \"delay_ms\": {\"uniform\": [0.5, 4.0]}},"
            + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.05, \"weight\": 2.0, \"delay_ms\": 1.0}],"
            + " \"plasticity\": {\"rule\": \"stdp\", \"from\": \"E\", \"a_plus\": 0.02, \"a_minus\": 0.021, \"w_max\": 1.0},"
            + " \"inputs\": [{\"target\": {\"population\": [\"E\", \"I\"]}, \"poisson\": {\"rate_hz\": 3000.0, \"weight\": 1.2}}]}";

    @Test
    void shouldContinueWithStdpExactlyAfterRestore() throws IOException {
        Network before = build(STDP);
        float[] initial = weights(before);
        run(before, 300);
        assertThat(weights(before)).as("STDP changed the weights").isNotEqualTo(initial);
        assertRestoreContinuesExactly(STDP, NOTHING, 1);
    }

    private static final String SMALL = "{\"name\": \"small\", \"seed\": 5, \"dt_ms\": 1.0,"
            + " \"populations\": [{\"name\": \"E\", \"count\": 400, \"type\": \"excitatory\"},"
            + "  {\"name\": \"I\", \"count\": 100, \"type\": \"inhibitory\"}],"
            + " \"connections\": [{\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.05, \"weight\": 1.0,"
            + "   \"delay_ms\": {\"uniform\": [1.0, 5.0]}},"
            + "  {\"from\": \"I\", \"to\": [\"E\", \"I\"], \"probability\": 0.05, \"weight\": 3.0, \"delay_ms\": 2.0}],"
            + " \"inputs\": [{\"target\": {\"population\": [\"E\", \"I\"]}, \"poisson\": {\"rate_hz\": 2000.0, \"weight\": 8.0}}]}";

    /** Adds, before tick 100, a current of 5 into neurons 0..199 for ticks [100, 250), and a noise current. */
    private static final Consumer<Network> ADD_INPUT = net -> {
        int[] ids = new int[200];
        Arrays.setAll(ids, i -> i);
        net.addInput(Input.current(ids, Dist.constant(5.0), 100, 250));
        net.addInput(Input.current(new int[] {300, 301, 302}, Dist.normal(0.0, 10.0), 100, 260));
    };

    @Test
    void shouldContinueWithRunTimeInputActiveAcrossTheSnapshot() throws IOException {
        List<int[]> with = assertRestoreContinuesExactly(SMALL, ADD_INPUT, 1);
        // the input matters after tick 150, so the snapshot must have carried it
        List<int[]> without = run(build(SMALL), 300);
        boolean differs = false;
        for (int k = 150; k < 250; k++) {
            differs |= !Arrays.equals(with.get(k), without.get(k));
        }
        assertThat(differs).isTrue();
    }

    @Test
    void shouldContinueWithRunTimeParameterChangeAfterRestore() throws IOException {
        List<int[]> changed = assertRestoreContinuesExactly(SMALL, net -> net.setParameter("E", "v_threshold", -53.0), 1);
        List<int[]> unchanged = run(build(SMALL), 300);
        assertThat(changed.subList(150, 300).stream().mapToInt(s -> s.length).sum())
                .isNotEqualTo(unchanged.subList(150, 300).stream().mapToInt(s -> s.length).sum());
    }

    @Test
    void shouldRestoreSpecParametersIntoANetworkWhoseParametersChanged() throws IOException {
        Network full = build(SMALL);
        run(full, 100);
        byte[] snap = snapshot(full);
        List<int[]> expected = run(full, 100);
        Network reused = build(SMALL);
        reused.setParameter("E", "v_threshold", -55.0);
        run(reused, 30);
        reused.restoreSnapshot(new ByteArrayInputStream(snap));
        List<int[]> continued = run(reused, 100);
        for (int k = 0; k < 100; k++) {
            assertThat(continued.get(k)).as("spikes of tick %d", 100 + k).isEqualTo(expected.get(k));
        }
    }

    @Test
    void shouldRefuseSnapshotOfAnotherSpec() throws IOException {
        Network cuba = build(resource("/specs/cuba.json"));
        run(cuba, 10);
        byte[] snap = snapshot(cuba);
        IOException e = catchThrowableOfType(IOException.class,
                () -> build(resource("/specs/izhikevich2003.json")).restoreSnapshot(new ByteArrayInputStream(snap)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("different network spec");
        // the same network with another seed is another spec too
        IOException seed = catchThrowableOfType(IOException.class,
                () -> build(resource("/specs/cuba.json").replace("1234", "4321")).restoreSnapshot(new ByteArrayInputStream(snap)));
        assertThat(seed).isNotNull();
        assertThat(seed.getMessage()).contains("different network spec");
    }

    @Test
    void shouldRefuseSnapshotOfAnotherFormatVersionOrNotASnapshot() throws IOException {
        Network net = build(SMALL);
        run(net, 10);
        byte[] snap = snapshot(net);
        byte[] version = snap.clone();
        version[7] = 99;
        IOException v = catchThrowableOfType(IOException.class, () -> build(SMALL).restoreSnapshot(new ByteArrayInputStream(version)));
        assertThat(v.getMessage()).contains("version 99");
        byte[] magic = snap.clone();
        magic[0] = 'X';
        IOException m = catchThrowableOfType(IOException.class, () -> build(SMALL).restoreSnapshot(new ByteArrayInputStream(magic)));
        assertThat(m.getMessage()).contains("not a NeuroStream snapshot");
    }

    @Test
    void shouldRefuseTruncatedSnapshot() throws IOException {
        Network net = build(SMALL);
        run(net, 120);
        byte[] snap = snapshot(net);
        for (int cut : new int[] {0, 6, 30, snap.length / 2, snap.length - 5, snap.length - 1}) {
            byte[] part = Arrays.copyOf(snap, cut);
            IOException e = catchThrowableOfType(IOException.class, () -> build(SMALL).restoreSnapshot(new ByteArrayInputStream(part)));
            assertThat(e).as("cut at %d of %d bytes", cut, snap.length).isNotNull();
        }
        // a corrupt end marker is refused as well
        byte[] corrupt = snap.clone();
        corrupt[corrupt.length - 1] ^= 0x5A;
        IOException e = catchThrowableOfType(IOException.class, () -> build(SMALL).restoreSnapshot(new ByteArrayInputStream(corrupt)));
        assertThat(e.getMessage()).contains("truncated or corrupt");
    }

    @Test
    void shouldSayTruncatedWhenRefusingTruncatedSnapshot() throws IOException {
        Network net = build(SMALL);
        run(net, 120);
        byte[] snap = snapshot(net);
        byte[] part = Arrays.copyOf(snap, snap.length / 2);
        IOException e = catchThrowableOfType(IOException.class, () -> build(SMALL).restoreSnapshot(new ByteArrayInputStream(part)));
        assertThat(e).as("refused").isNotNull().hasMessageContaining("truncated");
    }
}
