package io.neurostream.simulator;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Runs the simulator with no Kafka, the way Kafka's {@code TopologyTestDriver} runs a topology: pipe
 * control and input records (typed, or as raw bytes to see how bad ones are rejected), move a fake
 * wall clock, and read what the simulator published, per topic, in order.
 *
 * <pre>{@code
 * try (SimulatorTestDriver driver = new SimulatorTestDriver()) {
 *     driver.pipeControl(Controls.create("net-1", specJson));
 *     driver.pipeControl(Controls.step("net-1", 100));
 *     driver.runUntilIdle();
 *     List<long[]> spikes = driver.spikeList("net-1");   // {tick, neuron}, sorted
 * }
 * }</pre>
 *
 * The clock starts at a fixed instant (2026-01-01T00:00:00Z) so timestamps are reproducible.
 */
public final class SimulatorTestDriver implements AutoCloseable {
    /** Wall clock the driver starts at, ms since the epoch. */
    public static final long START_MS = 1_767_225_600_000L;

    private final SimulatorConfig config;
    private final SimulatorCore core;
    private final Recorder recorder = new Recorder();
    private long nowNanos = 1_000_000_000L;
    private long nowMs = START_MS;
    private long controlOffset;
    private long inputOffset;

    public SimulatorTestDriver() {
        this(new Properties());
    }

    public SimulatorTestDriver(Map<?, ?> config) {
        this.config = new SimulatorConfig(config);
        this.core = new SimulatorCore(this.config, recorder);
    }

    public SimulatorCore core() {
        return core;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Current fake wall clock, ms since the epoch. */
    public long wallClockMs() {
        return nowMs;
    }

    // ------------------------------------------------------------------ in

    /** Feeds a control record (keyed by its network id). */
    public void pipeControl(Control c) {
        pipeControl(c.getNetworkId(), c);
    }

    /** Feeds a control record with an explicit key. */
    public void pipeControl(String key, Control c) {
        byte[] raw = Topics.CONTROL.valueSerde().encode(c);
        core.onControl(new Source(name(Topics.CONTROL.baseName()), 0, controlOffset++), key, c, raw, nowMs, nowNanos);
    }

    /** Feeds an external input (keyed by its network id). */
    public void pipeInput(ExternalInput in) {
        pipeInput(in.getNetworkId(), in);
    }

    public void pipeInput(String key, ExternalInput in) {
        byte[] raw = Topics.EXTERNAL_INPUT.valueSerde().encode(in);
        core.onInput(new Source(name(Topics.EXTERNAL_INPUT.baseName()), 0, inputOffset++), key, in, raw, nowMs);
    }

    /** Feeds raw bytes as the service would receive them on the control topic. */
    public void pipeRawControl(String key, byte[] value) {
        Source src = new Source(name(Topics.CONTROL.baseName()), 0, controlOffset++);
        Control c;
        try {
            c = Topics.CONTROL.valueSerde().decode(value);
        } catch (BadRecordException e) {
            core.onUndecodable(src, key, value, e.getMessage(), nowMs);
            return;
        }
        core.onControl(src, key, c, value, nowMs, nowNanos);
    }

    /** Feeds raw bytes as the service would receive them on the external-input topic. */
    public void pipeRawInput(String key, byte[] value) {
        Source src = new Source(name(Topics.EXTERNAL_INPUT.baseName()), 0, inputOffset++);
        ExternalInput in;
        try {
            in = Topics.EXTERNAL_INPUT.valueSerde().decode(value);
        } catch (BadRecordException e) {
            core.onUndecodable(src, key, value, e.getMessage(), nowMs);
            return;
        }
        core.onInput(src, key, in, value, nowMs);
    }

    private String name(String base) {
        return config.topicPrefix() + base;
    }

    // ------------------------------------------------------------------ time

    /** One round of the simulator loop at the current fake time; returns the ticks computed. */
    public int doWork() {
        return core.doWork(nowNanos, nowMs);
    }

    /**
     * Runs the loop until nothing is due at the current fake time (real-time networks wait for the
     * clock; stepping and as-fast-as-possible networks run at most {@code maxTicks} ticks).
     */
    public long runUntilIdle(long maxTicks) {
        long total = 0;
        while (total < maxTicks) {
            int w = doWork();
            if (w == 0) {
                break;
            }
            total += w;
        }
        return total;
    }

    /** {@link #runUntilIdle(long)} with a bound of ten million ticks. */
    public long runUntilIdle() {
        return runUntilIdle(10_000_000L);
    }

    /** Moves the fake wall clock forward, running the loop as time passes (in 1 ms steps). */
    public void advanceWallClock(Duration d) {
        long end = nowNanos + d.toNanos();
        while (nowNanos < end) {
            long step = Math.min(1_000_000L, end - nowNanos);
            nowNanos += step;
            nowMs = START_MS + (nowNanos - 1_000_000_000L) / 1_000_000L;
            runUntilIdle();
        }
    }

    // ------------------------------------------------------------------ out

    public List<SpikeBatch> spikes() {
        return recorder.spikes;
    }

    public List<Frame> frames() {
        return recorder.frames;
    }

    public List<MembraneSample> membrane() {
        return recorder.membrane;
    }

    public List<AppliedInput> journal() {
        return recorder.journal;
    }

    /** Record timestamps of the journal entries, in publication order. */
    public List<Long> journalTimestamps() {
        return recorder.journalTimestamps;
    }

    public List<Topology> topology() {
        return recorder.topology;
    }

    public List<Status> statuses() {
        return recorder.statuses;
    }

    public List<Rejected> rejected() {
        return recorder.rejected;
    }

    /** Record timestamps of the frames, in publication order. */
    public List<Long> frameTimestamps() {
        return recorder.frameTimestamps;
    }

    /** The newest status of a network, or null. */
    public Status status(String networkId) {
        Status last = null;
        for (Status s : recorder.statuses) {
            if (s.getNetworkId().equals(networkId)) {
                last = s;
            }
        }
        return last;
    }

    /** Every spike published for a network, as {tick, neuron}, in publication order (sorted). */
    public List<long[]> spikeList(String networkId) {
        List<long[]> out = new ArrayList<>();
        for (SpikeBatch b : recorder.spikes) {
            if (!b.getNetworkId().equals(networkId)) {
                continue;
            }
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offs = SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                out.add(new long[] {b.getFirstTick() + offs[i], ids[i]});
            }
        }
        return out;
    }

    /** The checksum of a network's published spikes ({@link SpikeChecksum}). */
    public String spikeChecksum(String networkId) {
        SpikeChecksum c = new SpikeChecksum();
        for (long[] s : spikeList(networkId)) {
            c.add(s[0], (int) s[1]);
        }
        return c.hex();
    }

    /** Rejected records' reason codes, in order. */
    public List<String> rejectedReasons() {
        return recorder.rejected.stream().map(Rejected::getReasonCode).collect(Collectors.toList());
    }

    @Override
    public void close() {
        for (io.neurostream.simulator.internal.HostedNetwork h : core.networks()) {
            h.network().close();
        }
    }

    private static final class Recorder implements SimulatorOutput {
        final List<SpikeBatch> spikes = new ArrayList<>();
        final List<Frame> frames = new ArrayList<>();
        final List<Long> frameTimestamps = new ArrayList<>();
        final List<MembraneSample> membrane = new ArrayList<>();
        final List<AppliedInput> journal = new ArrayList<>();
        final List<Long> journalTimestamps = new ArrayList<>();
        final List<Topology> topology = new ArrayList<>();
        final List<Status> statuses = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();

        @Override
        public void spikes(String networkId, SpikeBatch batch, long timestampMs) {
            spikes.add(batch);
        }

        @Override
        public void frame(String networkId, Frame frame, long timestampMs) {
            frames.add(frame);
            frameTimestamps.add(timestampMs);
        }

        @Override
        public void membrane(String networkId, MembraneSample sample, long timestampMs) {
            membrane.add(sample);
        }

        @Override
        public void journal(String networkId, AppliedInput applied, long timestampMs) {
            journal.add(AppliedInput.newBuilder(applied).build());
            journalTimestamps.add(timestampMs);
        }

        @Override
        public void topology(String networkId, Topology chunk, long timestampMs) {
            topology.add(chunk);
        }

        @Override
        public void status(String networkId, Status status, long timestampMs) {
            statuses.add(status);
        }

        @Override
        public void rejected(String key, Rejected rejected, long timestampMs) {
            this.rejected.add(rejected);
        }
    }
}
