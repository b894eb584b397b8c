package io.neurostream.simulator;

import io.neurostream.engine.Network;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.Rejections;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.internal.Admission;
import io.neurostream.simulator.internal.CheckpointCodec;
import io.neurostream.simulator.internal.HostedNetwork;
import io.neurostream.simulator.internal.InputCheck;
import io.neurostream.simulator.internal.Rejection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulator without Kafka: hosts networks by id, applies control commands and external inputs at
 * tick boundaries (journaling each with its tick), advances running networks in real time × speed, as
 * fast as possible or by steps, and hands every record it produces to a {@link SimulatorOutput}.
 *
 * <p>Everything happens on the caller's thread: {@link #onControl}, {@link #onInput} and
 * {@link #doWork} are called by one loop (the Kafka service's, or {@link SimulatorTestDriver}'s).
 * {@link #doWork} computes at most one frame per network per call and never waits; the caller paces
 * itself with {@link #nanosUntilWork}. Bad records never throw: they go to {@code rejected} with a
 * {@link RejectReason} and a sentence, and are counted.
 */
public final class SimulatorCore {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorCore.class);
    private final SimulatorConfig config;
    private final SimulatorOutput publishing;
    /** Where records go: {@link #publishing}, or nowhere while replaying a journal. */
    private SimulatorOutput out;
    private final Map<String, HostedNetwork> networks = new LinkedHashMap<>();
    /** CREATEs being built off this thread, by network id. */
    private final Map<String, Building> building = new LinkedHashMap<>();
    /** Records for a BUILDING network, in arrival order, applied when it is built. */
    private final Map<String, ArrayDeque<Deferred>> waiting = new HashMap<>();
    /** Encoded bytes of each network's waiting records. */
    private final Map<String, Long> waitingBytes = new HashMap<>();
    /** While replaying a journal: entries deferred during a build, by source, not yet resolved by a later entry. */
    private final Map<Source, AppliedInput> unresolved = new LinkedHashMap<>();
    private final EnumMap<RejectReason, Long> rejectedByReason = new EnumMap<>(RejectReason.class);
    private final SimulatorMeters meters;
    private final Executor builds;
    private int maxRecordBytes;
    private boolean replaying;
    /** The waiting record being applied after its network's build, or null. */
    private Deferred applyingDeferred;
    private long lastStatusMs;

    /** A core that builds networks on the caller's thread (the test driver, tools). */
    public SimulatorCore(SimulatorConfig config, SimulatorOutput out) {
        this(config, out, Runnable::run);
    }

    /** A core that builds networks on the caller's thread and counts into {@code meters}. */
    public SimulatorCore(SimulatorConfig config, SimulatorOutput out, SimulatorMeters meters) {
        this(config, out, Runnable::run, meters);
    }

    /** {@link #SimulatorCore(SimulatorConfig, SimulatorOutput, Executor, SimulatorMeters)} with meters that keep nothing. */
    public SimulatorCore(SimulatorConfig config, SimulatorOutput out, Executor builds) {
        this(config, out, builds, SimulatorMeters.none(config.instanceId()));
    }

    /**
     * A core that builds networks (CREATE, RESET) on {@code builds}: until a build is done the network is
     * BUILDING, and records for it wait, so the loop goes on serving the other networks. It counts ticks,
     * spikes, inputs and rejections into {@code meters}, and registers and removes each network's meters
     * as the network comes and goes.
     */
    public SimulatorCore(SimulatorConfig config, SimulatorOutput out, Executor builds, SimulatorMeters meters) {
        this.config = config;
        this.meters = java.util.Objects.requireNonNull(meters, "meters");
        this.publishing = out;
        this.out = out;
        this.builds = builds;
        Integer limit = config.recordMaxBytes();
        this.maxRecordBytes = limit != null ? limit : HostedNetwork.DEFAULT_RECORD_MAX_BYTES;
    }

    /**
     * Sets the largest record the simulator writes (the service derives it from the producer's and the
     * topics' limits): spike batches, membrane samples and topology are split below it, inputs whose
     * journal entry would exceed it are rejected.
     */
    public void limitRecords(int bytes) {
        this.maxRecordBytes = bytes;
        for (HostedNetwork h : networks.values()) {
            h.limitRecords(bytes);
        }
    }

    /** The largest record the simulator writes, bytes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Ids of the networks being built (state BUILDING after a CREATE), in creation order. */
    public java.util.Set<String> building() {
        return java.util.Collections.unmodifiableSet(building.keySet());
    }

    /** The networks hosted here, by id, in creation order. */
    public Collection<HostedNetwork> networks() {
        return networks.values();
    }

    /** The hosted network of that id, or {@code null}. */
    public HostedNetwork network(String id) {
        return networks.get(id);
    }

    /** Records rejected so far, by reason. */
    public Map<RejectReason, Long> rejectedByReason() {
        return new EnumMap<>(rejectedByReason);
    }

    // ------------------------------------------------------------------ checkpoints and hand-over

    /**
     * The checkpoint bytes of a hosted network at {@code nowNanos}: a stall the network is in (it has
     * fallen behind real time, e.g. while Kafka was away) is counted into its stalled_ms first, so that
     * the checkpoint, and whoever restores it, keeps it.
     */
    public byte[] checkpoint(String id, long nowNanos) throws java.io.IOException {
        HostedNetwork h = networks.get(id);
        if (h != null) {
            h.accountStall(nowNanos, config);
        }
        return checkpoint(id);
    }

    /**
     * The checkpoint bytes of a hosted network. Checkpoints are taken between frames: a frame still open
     * (computed in slices) is computed to its end and published first.
     */
    public byte[] checkpoint(String id) throws java.io.IOException {
        HostedNetwork h = networks.get(id);
        if (h == null) {
            throw new IllegalArgumentException("no network '" + id + "' is hosted here");
        }
        h.finishOpenFrame(out);
        return CheckpointCodec.write(h);
    }

    /** Largest checkpoint chunk (the schema allows 512 KiB). */
    static final int CHECKPOINT_CHUNK = 512 * 1024;

    /**
     * Checkpoints a hosted network now (CHECKPOINT, a partition handed over, shutdown): its bytes go out in
     * chunks that fit the record limit, as the next checkpoint of its run. Not while it is BUILDING (its
     * RESET is replayed from the journal instead), catching up after a restart, or after a NUMERIC_FAULT
     * (its last good checkpoint stays the one restored). Returns whether it was written.
     *
     * <p>The checkpoint streams: a first pass only counts its bytes (every chunk carries the chunk count),
     * the second cuts them into chunks as they are written, so no more than one chunk is held at a time —
     * a network of a million neurons does not need its whole state twice over in memory to be saved.
     */
    public boolean checkpointNow(String id, long nowNanos, long nowMs) {
        HostedNetwork h = networks.get(id);
        if (h == null || !checkpointable(h)) {
            return false;
        }
        h.accountStall(nowNanos, config);
        long size;
        try {
            h.finishOpenFrame(out);
            size = CheckpointCodec.size(h);
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof SimulatorOutput.PublishException p) {
                throw p;
            }
            LOG.error("checkpoint of network {} failed", id, e);
            return false;
        }
        int chunkBytes = Math.min(CHECKPOINT_CHUNK, maxRecordBytes - 4096);
        long chunkCount = Math.max(1, (size + chunkBytes - 1) / chunkBytes);
        if (chunkCount > Integer.MAX_VALUE) {
            LOG.error("checkpoint of network {} failed: {} bytes make more than {} chunks", id, size, Integer.MAX_VALUE);
            return false;
        }
        int chunks = (int) chunkCount;
        long journalOffset = out.nextOffsetAtLeast(Topics.JOURNAL, id);
        long statusOffset = out.nextOffsetAtLeast(Topics.STATUS, id);
        long checkpointId = h.takeCheckpointId(chunks);
        CheckpointChunks stream = new CheckpointChunks(chunkBytes, (c, data) -> out.checkpoint(id,
                io.neurostream.schemas.avro.Checkpoint.newBuilder().setNetworkId(id).setCheckpointId(checkpointId)
                        .setTick(h.tick()).setJournalSequence(h.journalSequence() - 1).setRunEpochMs(h.runEpochMs())
                        .setSpecHash(Long.toHexString(h.network().specHash())).setSnapshotFormat(CheckpointCodec.VERSION)
                        .setChunk(c).setChunks(chunks).setData(java.nio.ByteBuffer.wrap(data)).setTakenAtMs(nowMs)
                        .setRunId(h.runId()).setJournalOffset(journalOffset).setStatusOffset(statusOffset).build(), nowMs));
        try {
            CheckpointCodec.write(h, stream);
            stream.finish();
        } catch (java.io.IOException e) {
            LOG.error("checkpoint {} of network {} failed after {} of its {} chunks; recovery keeps to the one before",
                    checkpointId, id, stream.chunks(), chunks, e);
            return false;
        }
        if (stream.chunks() != chunks || stream.bytes() != size) {
            // cannot happen while the network stands still between the two passes; if it ever does, the
            // chunk counts disagree and recovery does not take this checkpoint for a complete one
            LOG.error("checkpoint {} of network {} wrote {} bytes in {} chunks where counting found {} bytes in {}",
                    checkpointId, id, stream.bytes(), stream.chunks(), size, chunks);
            return false;
        }
        return true;
    }

    /** Checkpoints every network that asked for it (CHECKPOINT) or has computed a checkpoint interval of frames. */
    private void checkpointWhereDue(long nowNanos, long nowMs) {
        for (HostedNetwork h : new ArrayList<>(networks.values())) {
            if (!checkpointable(h) || h.frameOpen()) {
                continue; // a periodic checkpoint waits for the open frame to close
            }
            if (h.checkpointRequested() || h.framesSinceCheckpoint() >= config.checkpointIntervalFrames()) {
                checkpointNow(h.id(), nowNanos, nowMs);
            }
        }
    }

    private static boolean checkpointable(HostedNetwork h) {
        return h.state() != RunState.BUILDING && h.state() != RunState.NUMERIC_FAULT && !h.catchingUp();
    }

    /**
     * A run's start marker, written with its CREATE: the checkpoint a restart finds before the network's
     * first real one, saying "build it from the CREATE in the journal, at or after this offset".
     */
    private void writeRunMarker(String id, long runId, long epochMs, long nowMs) {
        out.checkpoint(id, io.neurostream.schemas.avro.Checkpoint.newBuilder().setNetworkId(id).setCheckpointId(0).setTick(0)
                .setJournalSequence(-1).setRunEpochMs(epochMs).setSpecHash("").setSnapshotFormat(0).setChunk(0)
                .setChunks(1).setData(java.nio.ByteBuffer.allocate(0)).setTakenAtMs(nowMs).setRunId(runId)
                .setJournalOffset(out.nextOffsetAtLeast(Topics.JOURNAL, id))
                .setStatusOffset(out.nextOffsetAtLeast(Topics.STATUS, id)).build(), nowMs);
    }

    /** STOP: tombstones for every checkpoint chunk key of the network, so a restart does not bring it back. */
    private void retireCheckpoints(HostedNetwork h, long nowMs) {
        for (int c = 0; c < Math.max(1, h.chunkKeys()); c++) {
            out.retireCheckpoint(h.id(), c, nowMs);
        }
    }

    /**
     * Ends a commit interval: publishes the Status of every network that advanced since the last one, so
     * the newest committed Status of a network tells a successor how far its committed output reaches.
     */
    public void onCommit(long nowMs) {
        for (HostedNetwork h : networks.values()) {
            if (!h.catchingUp() && h.advancedSinceCommit()) {
                out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
            }
        }
    }

    /** Hosts a network again from checkpoint bytes (replacing one of the same id), anchored at {@code nowNanos}. */
    public HostedNetwork restore(String id, byte[] data, long nowNanos, long nowMs) throws java.io.IOException {
        HostedNetwork h = restoreQuietly(CheckpointCodec.read(id, data, config.frameMs(), config), nowNanos);
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        return h;
    }

    private HostedNetwork restoreQuietly(HostedNetwork h, long nowNanos) {
        String id = h.id();
        h.limitRecords(maxRecordBytes);
        h.admittedWith(Admission.estimateBytes(h.spec()));
        HostedNetwork old = networks.put(id, h);
        if (old != null) {
            old.network().close();
        }
        h.meters(meters.hosted(id, networks.size()));
        h.reanchor(nowNanos);
        return h;
    }

    /** Stops hosting a network here (its partition moved away); returns whether it was hosted. */
    public boolean release(String id) {
        HostedNetwork h = networks.remove(id);
        if (h != null) {
            h.cancelRebuild();
            h.network().close();
            meters.left(id, networks.size());
        }
        Building b = building.remove(id);
        if (b != null) {
            b.future.cancel(true);
        }
        waiting.remove(id);
        waitingBytes.remove(id);
        return h != null || b != null;
    }

    /**
     * Fails a hosted network for a reason found outside it (a record it made cannot be published); it
     * computes no more, and the others go on. Returns whether it was hosted.
     */
    public boolean fail(String id, String why, long nowMs) {
        HostedNetwork h = networks.get(id);
        if (h == null || h.state() == RunState.FAILED) {
            return false;
        }
        h.fail(why);
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        return true;
    }

    /**
     * Fails a network now and whenever it is hosted again by this core (created from a record read
     * again, restored, replayed), until it is STOPped: for a network whose output the broker refused,
     * so that reading its records again after the abort does not produce the same refused record.
     */
    public void poison(String id, String why, long nowMs) {
        poisoned.put(id, why);
        fail(id, why, nowMs);
    }

    /** Networks that fail as soon as they are hosted here, with why. */
    private final Map<String, String> poisoned = new HashMap<>();

    private void failIfPoisoned(HostedNetwork h, long nowMs) {
        String why = poisoned.get(h.id());
        if (why != null && !replaying) {
            h.fail(why);
            out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
        }
    }

    // ------------------------------------------------------------------ recovery

    /**
     * Takes over the networks of a {@link RecoveryPlan} (made from the checkpoints topic of the partitions
     * taken over): restores each from its checkpoint, or from nothing if its run has only a start marker;
     * re-applies the journal entries of its run after the checkpoint's journal position; and sets it to
     * catch up, silently, to the tick of its newest committed Status of that run (one is written in every
     * commit that advanced it), which {@link #doWork} does a slice at a time. The output that follows
     * continues the committed output exactly. Publishes nothing: a network says it is back when it has
     * caught up.
     *
     * @param journal  the journal records of the plan's partitions from {@link RecoveryPlan#journalFrom()} on
     * @param statuses the status records of the plan's partitions from {@link RecoveryPlan#statusFrom()} on
     */
    public void recover(RecoveryPlan plan, List<Logged> journal, List<Logged> statuses, long nowMs, long nowNanos) {
        plan.problems().forEach(p -> LOG.warn("recovery: {}", p));
        Map<String, Long> replayFrom = new HashMap<>();
        Map<String, Integer> reapplied = new HashMap<>();
        java.util.Set<String> lost = new java.util.HashSet<>();
        for (RecoveryPlan.Planned p : plan.networks().values()) {
            String id = p.networkId();
            release(id);
            replayFrom.put(id, p.journalSequence() + 1);
            reapplied.put(id, 0);
            if (p.marker()) {
                continue; // built from its CREATE, which is in the journal read
            }
            try {
                HostedNetwork h;
                try (java.io.InputStream bytes = p.data().open()) {
                    h = restoreQuietly(CheckpointCodec.read(id, bytes, p.data().size(), config.frameMs(), config), nowNanos);
                }
                h.runId(p.runId());
                h.checkpointsSoFar(p.checkpointId() + 1, p.chunkKeys());
                LOG.info("restored network {} (run {}) at tick {} from checkpoint {} taken at {}", id, p.runId(), h.tick(),
                        p.checkpointId(), java.time.Instant.ofEpochMilli(p.takenAtMs()));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("could not restore network {} from its checkpoint {}; it is not recovered (`neurostream state "
                        + "list` shows it, `neurostream state drop {}` retires it)", id, p.checkpointId(), id, e);
                release(id);
                lost.add(id);
            }
        }
        for (Logged r : journal) {
            AppliedInput entry = decodeOrNull(Topics.JOURNAL, r);
            if (entry == null) {
                continue;
            }
            String id = entry.getNetworkId();
            RecoveryPlan.Planned p = plan.networks().get(id);
            if (p == null || lost.contains(id) || entry.getRunId() != p.runId() || entry.getSequence() < replayFrom.get(id)) {
                continue; // another network's, an older run's, or already in the checkpoint
            }
            try {
                replay(entry, r.timestampMs());
                reapplied.merge(id, 1, Integer::sum);
                HostedNetwork h = networks.get(id);
                if (h != null && entry.getSequence() == 0) {
                    h.checkpointsSoFar(p.checkpointId() + 1, p.chunkKeys());
                }
            } catch (RuntimeException e) {
                LOG.error("journal replay failed; network {} is not recovered", id, e);
                release(id);
                lost.add(id);
            }
        }
        finishReplay(nowMs, nowNanos);
        Map<String, Long> lastTicks = new HashMap<>();
        for (Logged r : statuses) {
            Status st = decodeOrNull(Topics.STATUS, r);
            RecoveryPlan.Planned p = st == null ? null : plan.networks().get(st.getNetworkId());
            if (p != null && st.getRunId() == p.runId()) {
                lastTicks.put(st.getNetworkId(), st.getTick());
            }
        }
        for (RecoveryPlan.Planned p : plan.networks().values()) {
            HostedNetwork h = networks.get(p.networkId());
            if (h == null) {
                if (!lost.contains(p.networkId()) && !building.containsKey(p.networkId())) {
                    LOG.warn("network {}: the CREATE of its run {} was not found in the journal from offset {}; it is not "
                            + "recovered", p.networkId(), p.runId(), p.journalOffset());
                }
                continue;
            }
            long last = lastTicks.getOrDefault(h.id(), h.tick());
            h.catchUpTo(last);
            h.advancedSinceCommit(); // its committed Status is the one read
            String why = poisoned.get(h.id());
            if (why != null) {
                h.fail(why);
            }
            LOG.info("network {} (run {}) recovered: {} journal entries re-applied; recomputing ticks {} .. {} before it goes on",
                    h.id(), h.runId(), reapplied.get(h.id()), h.tick(), Math.max(h.tick(), last));
        }
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> V decodeOrNull(io.neurostream.schemas.Topic<V> topic,
            Logged r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return topic.valueSerde().decode(r.value());
        } catch (io.neurostream.schemas.BadRecordException e) {
            LOG.warn("recovery skips an unreadable {} record at partition {} offset {}: {}", topic.baseName(), r.partition(),
                    r.offset(), e.getMessage());
            return null;
        }
    }

    /**
     * A record for a network still catching up acts after its committed output: the catch-up is finished
     * first (the Kafka service pauses such a network's partitions, so there it does not happen).
     */
    private void finishCatchUp(String id) {
        HostedNetwork h = id == null ? null : networks.get(id);
        if (h != null && h.catchingUp()) {
            h.finishCatchUp(lastNanos);
        }
    }

    /** Ids of the networks still recomputing up to where their committed output ends (after a restart). */
    public java.util.Set<String> catchingUp() {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (HostedNetwork h : networks.values()) {
            if (h.catchingUp()) {
                ids.add(h.id());
            }
        }
        return ids;
    }

    /**
     * Re-applies one journal entry of a network without publishing anything (its effects were
     * published, and committed, before): first computes, silently, up to the entry's tick, then applies
     * it as it was applied then. CREATE and RESET take their run epoch from {@code recordTimestampMs},
     * the journal record's timestamp. Entries must come in sequence order.
     */
    void replay(AppliedInput entry, long recordTimestampMs) {
        SimulatorOutput saved = out;
        out = SimulatorOutput.DISCARD;
        replaying = true;
        try {
            String id = entry.getNetworkId();
            HostedNetwork h = networks.get(id);
            Source src = new Source(entry.getSourceTopic(), entry.getSourcePartition(), entry.getSourceOffset());
            if (entry.getTick() == REJECTED_AFTER_BUILD_TICK) {
                unresolved.remove(src);
                if (h != null) {
                    h.journalPosition(entry.getSequence() + 1);
                }
                return;
            }
            if (entry.getTick() == DEFERRED_TICK) {
                // a record that arrived while the network was building: what became of it is a later entry
                // (or, if the build never finished here, it is applied when the replay ends)
                unresolved.put(src, entry);
                if (h != null) {
                    h.journalPosition(entry.getSequence() + 1);
                }
                return;
            }
            unresolved.remove(src);
            // a command acted at its tick: compute up to it first; an input only joins the queue (its
            // tick, fixed when it was accepted, may lie ahead)
            if (h != null && entry.getPayload() instanceof Control) {
                h.computeSilently(entry.getTick());
            }
            if (entry.getPayload() instanceof Control) {
                Control c = (Control) entry.getPayload();
                if (c.getCommand() == io.neurostream.schemas.avro.ControlCommand.CREATE) {
                    if (h == null) {
                        create(src, c, recordTimestampMs);
                    }
                } else if (h != null) {
                    h.control(c, config, recordTimestampMs, 0L);
                    if (h.state() == RunState.STOPPED) {
                        release(id);
                    }
                }
            } else if (h != null) {
                InputCheck.requeue(h, entry, entry.getTick(), h.nextArrival(), config);
            }
            HostedNetwork now = networks.get(id);
            if (now != null) {
                now.journalPosition(entry.getSequence() + 1);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot replay journal entry " + entry.getSequence() + " of network "
                    + entry.getNetworkId() + ": " + e.getMessage(), e);
        } finally {
            out = saved;
            replaying = false;
        }
    }

    /**
     * Ends a journal replay: records that arrived while a network was building and whose fate the
     * journal does not tell (the simulator stopped before the build finished) are applied now, in
     * order, as if they had just arrived.
     */
    public void finishReplay(long nowMs, long nowNanos) {
        List<AppliedInput> left = new ArrayList<>(unresolved.values());
        unresolved.clear();
        for (AppliedInput e : left) {
            Source src = new Source(e.getSourceTopic(), e.getSourcePartition(), e.getSourceOffset());
            if (e.getPayload() instanceof Control c) {
                onControl(src, e.getNetworkId(), c, Topics.CONTROL.valueSerde().encode(c), nowMs, nowNanos);
            } else if (e.getPayload() instanceof ExternalInput in) {
                onInput(src, e.getNetworkId(), in, Topics.EXTERNAL_INPUT.valueSerde().encode(in), nowMs);
            }
        }
    }

    /** Publishes a network's Status now. */
    public void publishStatus(String id, long nowMs) {
        HostedNetwork h = networks.get(id);
        if (h != null) {
            out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        }
    }

    /** Computes, without publishing, up to {@code tick} (the tick of the newest committed output). */
    public void catchUp(String id, long tick, long nowNanos) {
        HostedNetwork h = networks.get(id);
        if (h == null) {
            return;
        }
        h.computeSilently(tick);
        h.reanchor(nowNanos);
    }

    // ------------------------------------------------------------------ rejecting

    /**
     * Routes a record whose handling failed inside the simulator (a defect, not bad input) to
     * {@code rejected}: it is skipped, and its offset is committed like any other, so a restart never
     * meets it again.
     */
    public void onFailedToApply(Source src, String key, byte[] value, Throwable error, long nowMs) {
        LOG.error("a record at {}-{}@{} could not be applied; it is skipped", src.topic(), src.partition(), src.offset(), error);
        reject(src, key, null, value, RejectReason.INTERNAL_ERROR, "the simulator failed to apply this record (" + error
                + "); it was skipped", nowMs);
    }

    /**
     * Handles one record as read from {@code control} or {@code external-input} (by {@code src.topic()}):
     * decodes it, applies it, or rejects it with a reason. Never throws for a bad or strange record; a
     * record whose handling fails inside the simulator (a defect) is rejected as INTERNAL_ERROR and skipped,
     * so a restart does not meet it again. Only a failure of the output itself
     * ({@link SimulatorOutput.PublishException}, or the output's own runtime exceptions) goes through.
     *
     * @param value the record's value as received; {@code null} for a tombstone
     */
    public void onRecord(Source src, String key, byte[] value, long nowMs, long nowNanos) {
        boolean control = src.topic().equals(Topics.CONTROL.name(config.topicPrefix()));
        if (value == null) {
            onUndecodable(src, key, new byte[0], "an empty (tombstone) value is not a record", nowMs);
            return;
        }
        try {
            if (control) {
                Control c = Topics.CONTROL.valueSerde().decode(value);
                onControl(src, key, c, value, nowMs, nowNanos);
            } else {
                ExternalInput in = Topics.EXTERNAL_INPUT.valueSerde().decode(value);
                onInput(src, key, in, value, nowMs);
            }
        } catch (io.neurostream.schemas.BadRecordException e) {
            onUndecodable(src, key, value, e.getMessage(), nowMs);
        } catch (SimulatorOutput.PublishException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            if (isOutputFailure(e)) {
                throw (RuntimeException) e; // a failed send: the loop that owns the output recovers from it
            }
            onFailedToApply(src, key, value, e, nowMs);
        }
    }

    /** Tells the output's own failures (which the loop must see) from defects met by a record. */
    public void treatAsOutputFailure(java.util.function.Predicate<Throwable> test) {
        this.outputFailure = test;
    }

    private java.util.function.Predicate<Throwable> outputFailure = e -> false;

    private boolean isOutputFailure(Throwable e) {
        return outputFailure.test(e);
    }

    /** Routes a record that could not even be decoded to {@code rejected}. */
    public void onUndecodable(Source src, String key, byte[] value, String detail, long nowMs) {
        reject(src, key, null, value, RejectReason.UNDECODABLE, detail, nowMs);
    }

    private void reject(Source src, String key, String networkId, byte[] raw, RejectReason reason, String text,
            long nowMs) {
        rejectedByReason.merge(reason, 1L, Long::sum);
        if (!replaying) {
            meters.rejected(reason); // a replayed rejection was counted when it happened
        }
        HostedNetwork h = networkId == null ? null : networks.get(networkId);
        if (h != null) {
            h.countRejected();
            if (applyingDeferred != null && applyingDeferred.src.equals(src)) {
                // the journal said this record waited for a build; say what became of it
                h.journalDeferred(AppliedInput.newBuilder().setNetworkId(networkId).setSequence(-1)
                        .setTick(REJECTED_AFTER_BUILD_TICK).setSourceTopic(src.topic()).setSourcePartition(src.partition())
                        .setSourceOffset(src.offset()).setPayload(applyingDeferred.control != null ? applyingDeferred.control
                                : applyingDeferred.input).build(), out);
            }
        }
        Rejected r = Rejections.of(src.topic(), src.partition(), src.offset(), key, raw == null ? new byte[0] : raw,
                networkId, reason.name(), text, nowMs);
        if (networkId == null) {
            r.setNetworkId(null); // not decoded: the key alone does not tell whose it was (and it is not counted there)
        }
        out.rejected(r.getKey() != null ? r.getKey() : (r.getNetworkId() != null ? r.getNetworkId() : ""), r, nowMs);
    }

    // ------------------------------------------------------------------ control

    /** Applies a control command (at the next tick boundary, which is now). */
    public void onControl(Source src, String key, Control c, byte[] raw, long nowMs, long nowNanos) {
        String id = c.getNetworkId();
        lastNanos = nowNanos;
        finishCatchUp(id);
        if (!id.equals(key)) {
            reject(src, key, id, raw, RejectReason.KEY_MISMATCH, "record key '" + key + "' is not the network id '" + id
                    + "': records of a network must be keyed by its id so they share its partition", nowMs);
            return;
        }
        HostedNetwork h = networks.get(id);
        if (c.getCommand() != io.neurostream.schemas.avro.ControlCommand.CREATE && isBuilding(id)) {
            defer(id, new Deferred(src, key, c, null, raw, nowMs));
            return;
        }
        try {
            switch (c.getCommand()) {
                case CREATE:
                    create(src, c, nowMs);
                    return;
                case RESET:
                    if (h == null) {
                        throw new Rejection(RejectReason.UNKNOWN_NETWORK, "no network '" + id + "' is hosted here; CREATE it first");
                    }
                    reset(h, src, c, nowMs);
                    return;
                default:
                    if (h == null) {
                        throw new Rejection(RejectReason.UNKNOWN_NETWORK, "no network '" + id + "' is hosted here; CREATE it first");
                    }
                    if (h.state() == RunState.FAILED || h.state() == RunState.NUMERIC_FAULT) {
                        if (c.getCommand() != io.neurostream.schemas.avro.ControlCommand.STOP) {
                            throw new Rejection(RejectReason.WRONG_STATE, "network '" + id + "' is " + h.state()
                                    + " (" + h.message() + "); only STOP is accepted");
                        }
                    }
                    if (c.getCommand() == io.neurostream.schemas.avro.ControlCommand.PAUSE && h.state() == RunState.RUNNING) {
                        h.closeOpenFrame(out); // a frame computed in slices may be open: it ends where the pause begins
                    }
                    h.control(c, config, nowMs, nowNanos);
            }
        } catch (Rejection r) {
            reject(src, key, id, raw, r.reason(), r.getMessage(), nowMs);
            return;
        }
        h.journalControl(c, src, out);
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        if (h.state() == RunState.STOPPED) {
            retireCheckpoints(h, nowMs);
            networks.remove(id);
            h.network().close();
            meters.left(id, networks.size());
            poisoned.remove(id);
        }
    }

    private void create(Source src, Control c, long nowMs) {
        String id = c.getNetworkId();
        if (networks.containsKey(id) || building.containsKey(id)) {
            throw new Rejection(RejectReason.NETWORK_EXISTS, "network '" + id + "' exists already"
                    + (networks.containsKey(id) ? " (at tick " + networks.get(id).tick() + ")" : " (BUILDING)")
                    + "; RESET or STOP it, or use another id");
        }
        if (id.isEmpty()) {
            throw new Rejection(RejectReason.BAD_COMMAND, "network_id must not be empty");
        }
        if (id.length() > SimulatorConfig.MAX_NETWORK_ID_CHARS) {
            throw new Rejection(RejectReason.BAD_COMMAND, "network_id is " + id.length() + " characters long; at most "
                    + SimulatorConfig.MAX_NETWORK_ID_CHARS + " are accepted (it keys every record of the network)");
        }
        if (c.getSpecJson() == null) {
            throw new Rejection(RejectReason.BAD_COMMAND, "CREATE needs spec_json");
        }
        NetworkSpec spec;
        try {
            spec = SpecParser.parse(c.getSpecJson(), "spec of " + id);
        } catch (SpecException e) {
            throw new Rejection(RejectReason.BAD_SPEC, e.getMessage());
        } catch (RuntimeException e) {
            throw new Rejection(RejectReason.BAD_SPEC, "the spec could not be read: " + e.getMessage());
        }
        long estimate = admit(spec, null);
        long epoch = nowMs - Math.floorMod(nowMs, 1000L);
        Building b = new Building(id, c, spec, epoch, estimate, src);
        FutureTask<Network> task = buildTask(spec);
        b.future = task;
        if (replaying || estimate <= INLINE_BUILD_MAX_BYTES) {
            task.run(); // small: built in milliseconds, so the loop may as well do it, and nothing waits
        } else {
            builds.execute(task);
        }
        if (task.isDone()) {
            install(b, nowMs);
            return;
        }
        // journaled now, so a restart that finds the CREATE's offset committed builds the network again
        building.put(id, b);
        writeRunMarker(id, b.runId, epoch, nowMs);
        out.journal(id, AppliedInput.newBuilder().setNetworkId(id).setSequence(b.nextSequence++).setTick(0)
                .setSourceTopic(src.topic()).setSourcePartition(src.partition()).setSourceOffset(src.offset())
                .setPayload(c).setRunId(b.runId).build(), epoch);
        out.status(id, b.status(config.instanceId(), nowMs), nowMs);
        LOG.info("network {} is building off the loop ({} MB estimated)", id, estimate >> 20);
    }

    /**
     * Checks a spec against the limits and the memory budget; returns its estimated bytes.
     *
     * @param replacing a network the new one replaces (RESET), whose memory is counted as freed, or null
     */
    private long admit(NetworkSpec spec, HostedNetwork replacing) {
        long synapses = Admission.synapsesExpected(spec);
        if (synapses > config.maxSynapses()) {
            throw new Rejection(RejectReason.OVERSIZED, "the spec's connection rules ask for about " + synapses
                    + " synapses; at most " + config.maxSynapses() + " are accepted (" + SimulatorConfig.MAX_SYNAPSES_KEY + ")");
        }
        if (Admission.neuronsAtMost(spec) > config.maxNeurons()) {
            throw new Rejection(RejectReason.OVERSIZED, "the spec asks for more than " + config.maxNeurons()
                    + " neurons (" + SimulatorConfig.MAX_NEURONS_KEY + ")");
        }
        long estimate = Admission.estimateBytes(spec);
        long budget = (long) (Runtime.getRuntime().maxMemory() * config.memoryBudgetFraction());
        long used = 0;
        for (HostedNetwork h : networks.values()) {
            used += h == replacing ? 0 : h.estimateBytes();
        }
        for (Building b : building.values()) {
            used += b.estimateBytes;
        }
        if (used + estimate > budget) {
            throw new Rejection(RejectReason.INSUFFICIENT_MEMORY, String.format(java.util.Locale.ROOT,
                    "the network needs about %d MiB of heap to build (%d neurons, about %d synapses); %d MiB of the "
                            + "simulator's %d MiB budget (%s x -Xmx %d MiB) are left",
                    estimate >> 20, Admission.neuronsAtMost(spec), synapses, Math.max(0, budget - used) >> 20, budget >> 20,
                    SimulatorConfig.MEMORY_BUDGET_FRACTION, Runtime.getRuntime().maxMemory() >> 20));
        }
        return estimate;
    }

    /** Hosts a network whose build is done (or fails it), then applies the records that waited for it. */
    private void install(Building b, long nowMs) {
        building.remove(b.id);
        Network net;
        try {
            net = b.future.get();
        } catch (ExecutionException | InterruptedException | CancellationException e) {
            Throwable cause = buildFailure(e);
            String why = cause instanceof OutOfMemoryError ? "the heap ran out while building it (" + cause.getMessage() + ")"
                    : cause instanceof SpecException || cause instanceof IllegalArgumentException ? cause.getMessage()
                    : String.valueOf(cause);
            LOG.error("network {} could not be built: {}", b.id, why, cause instanceof Error ? cause : null);
            if (b.nextSequence == 0) {
                // built on the caller's thread: nothing was journaled or published, so it is a plain rejection
                throw new Rejection(cause instanceof Error ? RejectReason.INSUFFICIENT_MEMORY : RejectReason.BAD_SPEC,
                        "the spec could not be built: " + why);
            }
            Status st = b.status(config.instanceId(), nowMs);
            st.setState(RunState.FAILED);
            st.setMessage("the build failed: " + why);
            out.status(b.id, st, nowMs);
            dropWaiting(b.id, "network '" + b.id + "' failed to build: " + why, nowMs);
            return;
        }
        HostedNetwork h = new HostedNetwork(b.id, b.create.getSpecJson(), b.spec, net, b.epochMs, config.frameMs());
        h.admittedWith(b.estimateBytes);
        try {
            h.limitRecords(maxRecordBytes);
            h.topologyChunk();
        } catch (IllegalArgumentException e) {
            net.close();
            if (b.nextSequence == 0) {
                throw new Rejection(RejectReason.OVERSIZED, e.getMessage());
            }
            Status st = b.status(config.instanceId(), nowMs);
            st.setState(RunState.FAILED);
            st.setMessage(e.getMessage());
            out.status(b.id, st, nowMs);
            dropWaiting(b.id, e.getMessage(), nowMs);
            return;
        }
        networks.put(b.id, h);
        h.meters(meters.hosted(b.id, networks.size()));
        h.runId(b.runId);
        h.checkpointsSoFar(1, 1);
        if (b.nextSequence == 0) {
            writeRunMarker(b.id, b.runId, b.epochMs, nowMs);
            h.journalControl(b.create, b.src, out);
        } else {
            h.journalPosition(b.nextSequence);
        }
        h.publishTopology(out);
        out.status(b.id, h.status(config.instanceId(), nowMs), nowMs);
        failIfPoisoned(h, nowMs);
        applyWaiting(b.id, nowMs);
    }

    /** RESET: the network is rebuilt from its spec off the loop (BUILDING), then starts a new run. */
    private void reset(HostedNetwork h, Source src, Control c, long nowMs) {
        long estimate = admit(h.spec(), h);
        long epoch = nowMs - Math.floorMod(nowMs, 1000L);
        NetworkSpec spec = h.spec();
        FutureTask<Network> task = buildTask(spec);
        h.beginRebuild(task, epoch);
        // journaled at the old tick with the new run's epoch as timestamp: a replay computes up to that
        // tick, then resets and takes the epoch from the timestamp
        h.journalControlAt(c, src, epoch, out);
        if (estimate <= INLINE_BUILD_MAX_BYTES) {
            task.run();
        } else {
            builds.execute(task);
        }
        if (task.isDone()) {
            finishRebuild(h, nowMs);
        } else {
            out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
        }
    }

    private void finishRebuild(HostedNetwork h, long nowMs) {
        try {
            h.endRebuild();
        } catch (ExecutionException | InterruptedException | CancellationException e) {
            Throwable cause = buildFailure(e);
            h.fail(cause);
            out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
            dropWaiting(h.id(), "network '" + h.id() + "' failed to rebuild: " + cause, nowMs);
            return;
        }
        h.publishTopology(out);
        out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
        applyWaiting(h.id(), nowMs);
    }

    /** What made a build fail: the build's own exception, or the interruption or cancellation. */
    private static Throwable buildFailure(Exception e) {
        return e instanceof ExecutionException ? e.getCause() : e;
    }

    /** A build of the spec's network, to run on the loop or on the build thread. */
    private static FutureTask<Network> buildTask(NetworkSpec spec) {
        return new FutureTask<>(() -> Network.build(spec));
    }

    private boolean isBuilding(String id) {
        HostedNetwork h = networks.get(id);
        return building.containsKey(id) || (h != null && h.state() == RunState.BUILDING);
    }

    /**
     * Holds a record for a BUILDING network (bounded like its input queue) and journals it as deferred
     * (tick {@value #DEFERRED_TICK}), so a restart before the build ends still applies it.
     */
    private void defer(String id, Deferred d) {
        ArrayDeque<Deferred> q = waiting.computeIfAbsent(id, k -> new ArrayDeque<>());
        long bytes = waitingBytes.getOrDefault(id, 0L);
        if (q.size() >= config.inputQueueMaxCount() || bytes + d.raw.length > config.inputQueueMaxBytes()) {
            reject(d.src, d.key, id, d.raw, RejectReason.QUEUE_FULL, "network '" + id + "' is BUILDING and already holds "
                    + q.size() + " records (" + bytes + " bytes) for when it is built; at most " + config.inputQueueMaxCount()
                    + " records and " + config.inputQueueMaxBytes() + " bytes wait", d.nowMs);
            return;
        }
        q.add(d);
        waitingBytes.put(id, bytes + d.raw.length);
        AppliedInput entry = AppliedInput.newBuilder().setNetworkId(id).setSequence(-1).setTick(DEFERRED_TICK)
                .setSourceTopic(d.src.topic()).setSourcePartition(d.src.partition()).setSourceOffset(d.src.offset())
                .setPayload(d.control != null ? d.control : d.input).build();
        Building b = building.get(id);
        if (b != null) {
            entry.setSequence(b.nextSequence++);
            entry.setRunId(b.runId);
            out.journal(id, entry, b.epochMs);
        } else {
            HostedNetwork h = networks.get(id);
            h.journalDeferred(entry, out);
        }
    }

    private void applyWaiting(String id, long nowMs) {
        waitingBytes.remove(id);
        ArrayDeque<Deferred> q = waiting.remove(id);
        if (q == null) {
            return;
        }
        long nowNanos = System.nanoTime();
        while (!q.isEmpty()) {
            Deferred d = q.poll();
            if (isBuilding(id)) {
                // a RESET among the waiting records started another build: the rest wait for it
                ArrayDeque<Deferred> again = waiting.computeIfAbsent(id, k -> new ArrayDeque<>());
                again.add(d);
                again.addAll(q);
                long bytes = 0;
                for (Deferred w : again) {
                    bytes += w.raw.length;
                }
                waitingBytes.put(id, bytes);
                return;
            }
            applyingDeferred = d;
            try {
                if (d.control != null) {
                    onControl(d.src, d.key, d.control, d.raw, nowMs, nowNanos);
                } else {
                    onInput(d.src, d.key, d.input, d.raw, nowMs);
                }
            } finally {
                applyingDeferred = null;
            }
        }
    }

    private void dropWaiting(String id, String why, long nowMs) {
        waitingBytes.remove(id);
        ArrayDeque<Deferred> q = waiting.remove(id);
        if (q != null) {
            for (Deferred d : q) {
                reject(d.src, d.key, id, d.raw, RejectReason.WRONG_STATE, why, nowMs);
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    /** Accepts an external input: it applies at its tick, or at the first tick not yet computed. */
    public void onInput(Source src, String key, ExternalInput in, byte[] raw, long nowMs) {
        String id = in.getNetworkId();
        finishCatchUp(id);
        if (!id.equals(key)) {
            reject(src, key, id, raw, RejectReason.KEY_MISMATCH, "record key '" + key + "' is not the network id '" + id
                    + "': records of a network must be keyed by its id so they share its partition", nowMs);
            return;
        }
        if (isBuilding(id)) {
            defer(id, new Deferred(src, key, null, in, raw, nowMs));
            return;
        }
        HostedNetwork h = networks.get(id);
        if (h == null) {
            reject(src, key, id, raw, RejectReason.UNKNOWN_NETWORK, "no network '" + id + "' is hosted here", nowMs);
            return;
        }
        try {
            if (h.state() == RunState.FAILED || h.state() == RunState.NUMERIC_FAULT) {
                throw new Rejection(RejectReason.WRONG_STATE, "network '" + id + "' is " + h.state() + " (" + h.message()
                        + "); it takes no more inputs");
            }
            InputCheck.accept(h, in, src, raw.length, maxRecordBytes, config, out);
        } catch (Rejection r) {
            reject(src, key, id, raw, r.reason(), r.getMessage(), nowMs);
        }
    }

    // ------------------------------------------------------------------ work

    /**
     * Installs finished builds, then advances the one network that is due and has used the least CPU
     * time so far by one frame (fair share: a flooded or slow network falls behind alone, the others
     * keep their pace); publishes periodic status. Returns the ticks computed (0: nothing was due).
     * An error inside a network, even an {@link Error} such as {@link OutOfMemoryError}, fails that
     * network only.
     */
    public int doWork(long nowNanos, long nowMs) {
        return doWork(nowNanos, nowMs, h -> true);
    }

    /**
     * {@link #doWork(long, long)}, computing live only the networks {@code live} accepts; networks catching
     * up after a restart are always served (the service holds the networks of partitions it took over
     * while it reads their input backlog).
     */
    public int doWork(long nowNanos, long nowMs, java.util.function.Predicate<HostedNetwork> live) {
        lastNanos = nowNanos;
        installFinishedBuilds(nowMs);
        boolean room = outputHasRoom.getAsBoolean();
        List<HostedNetwork> due = new ArrayList<>();
        for (HostedNetwork h : networks.values()) {
            if (h.catchingUp() || (h.nanosUntilWork(nowNanos) == 0 && (room || !unpaced(h)) && live.test(h))) {
                // a network that is new, or was idle, banks nothing: it starts at most a slice behind the others
                h.cpuAtLeast(cpuFloor - CPU_SLICE_NANOS);
                due.add(h);
            }
        }
        due.sort(java.util.Comparator.comparingLong(HostedNetwork::cpuNanos));
        int work = 0;
        for (HostedNetwork next : due) {
            long start = System.nanoTime();
            try {
                if (next.catchingUp()) {
                    work = next.catchUpSlice(nowNanos);
                    if (!next.catchingUp()) {
                        LOG.info("network {} caught up at tick {}; it computes on", next.id(), next.tick());
                        next.advancedSinceCommit();
                        out.status(next.id(), next.status(config.instanceId(), nowMs), nowMs);
                    }
                } else {
                    work = next.advance(nowNanos, nowMs, config, out);
                }
            } catch (SimulatorOutput.PublishException e) {
                next.addCpu(System.nanoTime() - start);
                throw e; // the output failed, not the network
            } catch (RuntimeException | Error e) {
                // a defect or a numeric fault, not bad input (that is rejected before it reaches a network):
                // this network stops, says why in its status, and the others run on
                next.fail(e);
                out.status(next.id(), next.status(config.instanceId(), nowMs), nowMs);
                if (e instanceof OutOfMemoryError) {
                    next.network().close();
                }
                work = 1; // something happened: the caller asks again
            }
            next.addCpu(System.nanoTime() - start);
            if (work > 0) {
                break;
            }
        }
        if (!due.isEmpty()) {
            long least = Long.MAX_VALUE;
            for (HostedNetwork h : due) {
                least = Math.min(least, h.cpuNanos());
            }
            cpuFloor = Math.max(cpuFloor, least);
        }
        // periodic status once every due network has been served (this call computed nothing), so each
        // reports where it has caught up to; networks that are always due report at twice the interval
        long sinceStatus = nowMs - lastStatusMs;
        if (sinceStatus >= config.statusIntervalMs() && (work == 0 || sinceStatus >= 2 * config.statusIntervalMs())) {
            lastStatusMs = nowMs;
            for (HostedNetwork h : networks.values()) {
                if (!h.catchingUp()) {
                    h.measure(nowNanos);
                    out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
                }
            }
            for (Building b : building.values()) {
                out.status(b.id, b.status(config.instanceId(), nowMs), nowMs);
            }
        }
        checkpointWhereDue(nowNanos, nowMs);
        return work;
    }

    /** The newest loop time seen ({@link #doWork}, commands): a network's pacing re-anchors there. */
    private long lastNanos;

    /**
     * How far behind the others a network that is new or was idle may start when it becomes due, ns:
     * the least CPU time of the networks that were due, which only grows (like a scheduler's minimum
     * virtual run time). Without it a network created after an hour would be served alone for an hour.
     */
    static final long CPU_SLICE_NANOS = 50_000_000L;
    private long cpuFloor;

    private void installFinishedBuilds(long nowMs) {
        if (!building.isEmpty()) {
            for (Building b : new ArrayList<>(building.values())) {
                if (b.future.isDone()) {
                    install(b, nowMs);
                }
            }
        }
        for (HostedNetwork h : new ArrayList<>(networks.values())) {
            if (h.state() == RunState.BUILDING && h.rebuildDone()) {
                finishRebuild(h, nowMs);
            }
        }
    }

    /** Nanoseconds until some network has work (0: now; {@code Long.MAX_VALUE}: none until a command). */
    public long nanosUntilWork(long nowNanos) {
        boolean room = outputHasRoom.getAsBoolean();
        long min = Long.MAX_VALUE;
        for (HostedNetwork h : networks.values()) {
            long until = h.catchingUp() ? 0 : h.nanosUntilWork(nowNanos);
            min = Math.min(min, !room && unpaced(h) && until == 0 ? THROTTLED_RETRY_NANOS : until);
        }
        return min;
    }

    /**
     * Makes networks without a deadline (as fast as possible, or stepping) wait while {@code hasRoom} says
     * the output is backed up: their output is limited only by how fast they compute, and a full producer
     * buffer blocks the loop for every network. Paced (real-time) networks always compute.
     */
    public void throttleUnpacedWith(java.util.function.BooleanSupplier hasRoom) {
        this.outputHasRoom = hasRoom;
    }

    private java.util.function.BooleanSupplier outputHasRoom = () -> true;

    /** How soon a throttled network is looked at again, ns. */
    static final long THROTTLED_RETRY_NANOS = 1_000_000L;

    private static boolean unpaced(HostedNetwork h) {
        return h.state() == RunState.PAUSED || h.mode() == RunMode.MAX;
    }

    /**
     * Specs estimated at most this many bytes (Admission) are built on the loop: they build in
     * milliseconds (the demo's 6,000 neurons and CUBA's 4,000 are about 8 MiB), and records sent right
     * after them need not wait. Larger ones build off the loop.
     */
    static final long INLINE_BUILD_MAX_BYTES = 32L << 20;

    /** The tick of a journal entry for a record that arrived while its network was BUILDING. */
    public static final long DEFERRED_TICK = -1L;
    /** The tick of a journal entry saying that a record which waited for a build was rejected when applied. */
    public static final long REJECTED_AFTER_BUILD_TICK = -2L;

    /** A CREATE being built. */
    private static final class Building {
        final String id;
        final Control create;
        final NetworkSpec spec;
        final long epochMs;
        final long estimateBytes;
        final Source src;
        /** The run the CREATE begins: its offset on control. */
        final long runId;
        java.util.concurrent.Future<Network> future;
        long nextSequence;

        Building(String id, Control create, NetworkSpec spec, long epochMs, long estimateBytes, Source src) {
            this.id = id;
            this.create = create;
            this.spec = spec;
            this.epochMs = epochMs;
            this.estimateBytes = estimateBytes;
            this.src = src;
            this.runId = src.offset();
        }

        Status status(String instanceId, long nowMs) {
            return Status.newBuilder().setNetworkId(id).setState(RunState.BUILDING).setMode(RunMode.REALTIME).setTick(0)
                    .setSimTimeMs(0.0).setDtMs(spec.dtMs()).setRunEpochMs(epochMs).setSpeed(1.0).setRealtimeFactor(0.0)
                    .setMessage("building (about " + (estimateBytes >> 20) + " MiB)").setInstanceId(instanceId)
                    .setUpdatedAtMs(nowMs).setRejectedCount(0).setStalledMs(0).setRunId(runId).build();
        }
    }

    /** A record for a BUILDING network, held until it is built. */
    private record Deferred(Source src, String key, Control control, ExternalInput input, byte[] raw, long nowMs) {
    }
}
