package io.neurostream.simulator;

import io.neurostream.engine.SpikeChecksum;
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
 *
 * <p>What the simulator writes to its own topics (journal, checkpoints, status) is also kept as the
 * encoded records a restart would read back; {@link #restart()} starts a simulator on them that recovers
 * exactly as the Kafka service does after a crash, through the same code.
 */
public final class SimulatorTestDriver implements AutoCloseable {
    /** Wall clock the driver starts at, ms since the epoch. */
    public static final long START_MS = 1_767_225_600_000L;

    private final SimulatorConfig config;
    private final SimulatorCore core;
    private final Logs logs;
    private final Recorder recorder;
    private long nowNanos = 1_000_000_000L;
    private long nowMs = START_MS;

    public SimulatorTestDriver() {
        this(new Properties());
    }

    public SimulatorTestDriver(Map<?, ?> config) {
        this(config, new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
    }

    /** A driver whose simulator counts into {@code registry} as the service does ({@link SimulatorMeters}). */
    public SimulatorTestDriver(Map<?, ?> config, io.micrometer.core.instrument.MeterRegistry registry) {
        this(new SimulatorConfig(config), new Logs(), registry);
    }

    private SimulatorTestDriver(SimulatorConfig config, Logs logs, io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.logs = logs;
        this.registry = registry;
        this.recorder = new Recorder(logs);
        this.core = new SimulatorCore(this.config, recorder, new SimulatorMeters(registry, config.instanceId()));
    }

    private final io.micrometer.core.instrument.MeterRegistry registry;

    /**
     * A simulator started again, with the same settings, on what this one wrote, as after a crash of
     * this one at the current instant: it recovers through the service's recovery code
     * ({@link RecoveryPlan}, {@link SimulatorCore#recover}) and catches up as the loop runs. Its clock
     * continues this one's; offsets of control and input continue too. This driver should not be used
     * any more (close it).
     */
    public SimulatorTestDriver restart() {
        SimulatorTestDriver next = new SimulatorTestDriver(config, logs, registry);
        next.nowNanos = nowNanos;
        next.nowMs = nowMs;
        RecoveryPlan plan = RecoveryPlan.of(List.copyOf(logs.checkpoints));
        next.core.recover(plan, from(logs.journal, plan.journalFrom()), from(logs.status, plan.statusFrom()), nowMs, nowNanos);
        return next;
    }

    private static List<Logged> from(List<Logged> log, Map<Integer, Long> from) {
        Long offset = from.get(0);
        return offset == null ? List.of() : List.copyOf(log.subList((int) Math.min(offset, log.size()), log.size()));
    }

    /** The checkpoints topic as written so far (partition 0; null values are tombstones). */
    public List<Logged> checkpointLog() {
        return logs.checkpoints;
    }

    /** The journal topic as written so far (partition 0). */
    public List<Logged> journalLog() {
        return logs.journal;
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
        pipeRawControl(key, Topics.CONTROL.valueSerde().encode(c));
    }

    /** Feeds an external input (keyed by its network id). */
    public void pipeInput(ExternalInput in) {
        pipeInput(in.getNetworkId(), in);
    }

    public void pipeInput(String key, ExternalInput in) {
        pipeRawInput(key, Topics.EXTERNAL_INPUT.valueSerde().encode(in));
    }

    /** Feeds raw bytes (null: a tombstone) as the service would receive them on the control topic. */
    public void pipeRawControl(String key, byte[] value) {
        core.onRecord(new Source(name(Topics.CONTROL.baseName()), 0, logs.controlOffset++), key, value, nowMs, nowNanos);
    }

    /** Feeds raw bytes (null: a tombstone) as the service would receive them on the external-input topic. */
    public void pipeRawInput(String key, byte[] value) {
        core.onRecord(new Source(name(Topics.EXTERNAL_INPUT.baseName()), 0, logs.inputOffset++), key, value, nowMs, nowNanos);
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

    /** The simulator's own topics as a restart reads them, and the offsets of the input topics; shared across restarts. */
    private static final class Logs {
        final List<Logged> journal = new ArrayList<>();
        final List<Logged> checkpoints = new ArrayList<>();
        final List<Logged> status = new ArrayList<>();
        long controlOffset;
        long inputOffset;

        static void append(List<Logged> log, String key, byte[] value, long timestampMs) {
            log.add(new Logged(0, log.size(), timestampMs, key, value));
        }
    }

    private static final class Recorder implements SimulatorOutput {
        final Logs logs;

        Recorder(Logs logs) {
            this.logs = logs;
        }

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
            Logs.append(logs.journal, networkId, Topics.JOURNAL.valueSerde().encode(applied), timestampMs);
        }

        @Override
        public void topology(String networkId, Topology chunk, long timestampMs) {
            topology.add(chunk);
        }

        @Override
        public void status(String networkId, Status status, long timestampMs) {
            statuses.add(status);
            Logs.append(logs.status, networkId, Topics.STATUS.valueSerde().encode(status), timestampMs);
        }

        @Override
        public void checkpoint(String networkId, io.neurostream.schemas.avro.Checkpoint chunk, long timestampMs) {
            Logs.append(logs.checkpoints, Topics.chunkKey(networkId, chunk.getChunk()), Topics.CHECKPOINTS.valueSerde().encode(chunk),
                    timestampMs);
        }

        @Override
        public void retireCheckpoint(String networkId, int chunk, long timestampMs) {
            Logs.append(logs.checkpoints, Topics.chunkKey(networkId, chunk), null, timestampMs);
        }

        @Override
        public long nextOffsetAtLeast(io.neurostream.schemas.Topic<?> topic, String networkId) {
            if (topic == Topics.JOURNAL) {
                return logs.journal.size();
            }
            return topic == Topics.STATUS ? logs.status.size() : 0L;
        }

        @Override
        public void rejected(String key, Rejected rejected, long timestampMs) {
            this.rejected.add(rejected);
        }
    }
}
