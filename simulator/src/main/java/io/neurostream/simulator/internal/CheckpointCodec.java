package io.neurostream.simulator.internal;

import io.neurostream.engine.Network;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import java.io.ByteArrayInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a network's checkpoint: everything needed to host it again elsewhere — its spec, the
 * simulator's state of it (run state, mode, speed, epoch, journal position, probes, inputs waiting for
 * their tick) and the engine snapshot. Taken only between frames. Big-endian ({@link DataOutputStream}):
 *
 * <pre>
 * int magic "NSCK", int version (2)
 * int length + UTF-8 spec JSON
 * host: state, mode (modified UTF-8 names, writeUTF; version 1: one byte each, the enum ordinal),
 *       speed, run epoch ms, journal sequence, rejected count, stalled ms, step budget, arrivals,
 *       probes (count, ids, count, variables, every)
 * pending inputs: count, each: tick, arrival, int length + encoded AppliedInput (Avro single-object)
 * engine snapshot (the rest; {@link Network#writeSnapshot}, its own magic and version)
 * </pre>
 *
 * Field by field, with the rule for changing the format (a new {@link #VERSION}, the reader keeps the
 * one before, a golden file per version), in docs/checkpoint-format.md.
 */
public final class CheckpointCodec {
    static final int MAGIC = 0x4E53434B; // "NSCK"
    /**
     * The checkpoint format this build writes (what the Avro Checkpoint record's
     * {@code snapshot_format} holds). 2 names run state and mode; 1 wrote their enum ordinals.
     */
    public static final int VERSION = 2;
    /** The oldest checkpoint format this build reads. */
    static final int OLDEST_VERSION = 1;

    /**
     * {@link RunState} symbols in the order of their ordinals in version 1 checkpoints, frozen here so
     * that the enum may change. Version 1 was written under two orders: before Status v2 the symbols
     * were CREATED, RUNNING, PAUSED, STOPPED, FAILED, UNKNOWN. Ordinals 0-4 are the same in both, and
     * no hosted network is ever in state UNKNOWN, so this, the later order, reads both.
     */
    private static final RunState[] V1_STATES = {RunState.CREATED, RunState.RUNNING, RunState.PAUSED,
        RunState.STOPPED, RunState.FAILED, RunState.BUILDING, RunState.NUMERIC_FAULT, RunState.UNKNOWN};
    /** {@link RunMode} symbols in the order of their ordinals in version 1 checkpoints, frozen. */
    private static final RunMode[] V1_MODES = {RunMode.REALTIME, RunMode.MAX, RunMode.STEPPED, RunMode.UNKNOWN};

    private CheckpointCodec() {
    }

    /**
     * The format version of checkpoint bytes, read from their header, or an IOException if they do not
     * start with a checkpoint's magic. Says nothing of whether this build reads that version.
     */
    public static int version(byte[] data) throws IOException {
        if (data.length < 8) {
            throw new IOException("not a NeuroStream checkpoint (" + data.length + " bytes, shorter than its header)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a NeuroStream checkpoint (bad magic)");
        }
        return in.readInt();
    }

    /** A network's checkpoint as one array: for tests and tools. The service streams it ({@link #write(HostedNetwork, OutputStream)}). */
    public static byte[] write(HostedNetwork h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        write(h, bytes);
        return bytes.toByteArray();
    }

    /**
     * The number of bytes {@link #write(HostedNetwork, OutputStream)} writes for the network as it is now,
     * found by writing it to a stream that only counts. The chunks of a checkpoint each carry their count,
     * so it must be known before the first chunk goes out; the counting pass is what lets the checkpoint
     * itself stream in chunks instead of being assembled in memory.
     */
    public static long size(HostedNetwork h) throws IOException {
        boolean requested = h.checkpointRequested;
        Counting counter = new Counting();
        write(h, counter);
        h.checkpointRequested = requested;
        return counter.count;
    }

    /**
     * Writes a network's checkpoint to {@code os} (not closed). Taken between frames: the network must not
     * change while it is written, and writes the same bytes each time while it does not.
     */
    public static void write(HostedNetwork h, OutputStream os) throws IOException {
        h.checkpointRequested = false;
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        byte[] spec = h.specJson.getBytes(StandardCharsets.UTF_8);
        out.writeInt(spec.length);
        out.write(spec);
        out.writeUTF(h.state.name());
        out.writeUTF(h.mode.name());
        out.writeDouble(h.speed);
        out.writeLong(h.runEpochMs);
        out.writeLong(h.journalSequence);
        out.writeLong(h.rejectedCount);
        out.writeLong(h.stalledMs);
        out.writeLong(h.stepBudget);
        out.writeLong(h.arrivals);
        out.writeInt(h.probeIds.length);
        for (int id : h.probeIds) {
            out.writeInt(id);
        }
        out.writeInt(h.probeVars.length);
        for (String v : h.probeVars) {
            out.writeUTF(v);
        }
        out.writeInt(h.probeEvery);
        out.writeInt(h.pending.size());
        for (HostedNetwork.Pending p : h.pending) {
            out.writeLong(p.tick);
            out.writeLong(p.arrival);
            byte[] j = Topics.JOURNAL.valueSerde().encode(p.journal);
            out.writeInt(j.length);
            out.write(j);
        }
        out.flush();
        h.net.writeSnapshot(os);
    }

    /** An output stream that keeps nothing but the number of bytes written to it. */
    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /** Hosts a network again from its checkpoint bytes. */
    public static HostedNetwork read(String id, byte[] data, double frameMs, io.neurostream.simulator.SimulatorConfig config)
            throws IOException {
        return read(id, new ByteArrayInputStream(data), data.length, frameMs, config);
    }

    /**
     * Hosts a network again from a checkpoint of {@code size} bytes, read from {@code bytes} as far as the
     * checkpoint goes (the engine snapshot is read whole before it replaces anything).
     */
    public static HostedNetwork read(String id, InputStream bytes, long size, double frameMs,
            io.neurostream.simulator.SimulatorConfig config) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(bytes, 1 << 16));
        if (size < 8 || in.readInt() != MAGIC) {
            throw new IOException("not a NeuroStream checkpoint of network " + id + " (bad magic)");
        }
        int version = in.readInt();
        if (version < OLDEST_VERSION || version > VERSION) {
            throw new IOException("checkpoint of network " + id + " is in format version " + version
                    + ", which this build does not read (it reads versions " + OLDEST_VERSION + " to " + VERSION + ")");
        }
        int specLength = in.readInt();
        if (specLength < 0 || specLength > size - 12) {
            throw new IOException("checkpoint of network " + id + " is corrupt (spec of " + specLength + " bytes in "
                    + size + ")");
        }
        byte[] specBytes = new byte[specLength];
        in.readFully(specBytes);
        String specJson = new String(specBytes, StandardCharsets.UTF_8);
        RunState state;
        RunMode mode;
        if (version == 1) {
            state = byOrdinal(V1_STATES, in.readUnsignedByte(), "run state", id);
            mode = byOrdinal(V1_MODES, in.readUnsignedByte(), "run mode", id);
        } else {
            state = named(RunState.class, in.readUTF(), "run state", id);
            mode = named(RunMode.class, in.readUTF(), "run mode", id);
        }
        NetworkSpec spec = SpecParser.parse(specJson, "checkpoint of " + id);
        Network net = Network.build(spec);
        double speed = in.readDouble();
        long epoch = in.readLong();
        HostedNetwork h = new HostedNetwork(id, specJson, spec, net, epoch, frameMs);
        h.state = state;
        h.mode = mode;
        h.speed = speed;
        h.journalSequence = in.readLong();
        h.rejectedCount = in.readLong();
        h.stalledMs = in.readLong();
        h.stepBudget = in.readLong();
        h.arrivals = in.readLong();
        int[] probeIds = new int[in.readInt()];
        for (int i = 0; i < probeIds.length; i++) {
            probeIds[i] = in.readInt();
        }
        String[] vars = new String[in.readInt()];
        for (int i = 0; i < vars.length; i++) {
            vars[i] = in.readUTF();
        }
        h.probeIds = probeIds;
        h.probeVars = vars;
        h.probeEvery = in.readInt();
        int pendingCount = in.readInt();
        byte[][] pendingJournal = new byte[pendingCount][];
        long[] pendingTick = new long[pendingCount];
        long[] pendingArrival = new long[pendingCount];
        for (int i = 0; i < pendingCount; i++) {
            pendingTick[i] = in.readLong();
            pendingArrival[i] = in.readLong();
            pendingJournal[i] = new byte[in.readInt()];
            in.readFully(pendingJournal[i]);
        }
        net.restoreSnapshot(in);
        for (int i = 0; i < pendingCount; i++) {
            AppliedInput journal = Topics.JOURNAL.valueSerde().decode(pendingJournal[i]);
            InputCheck.requeue(h, journal, pendingTick[i], pendingArrival[i], config);
        }
        return h;
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name, String what, String id) throws IOException {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint of network " + id + " holds " + what + " '" + name
                    + "', which this build does not know (it knows " + java.util.Arrays.toString(type.getEnumConstants()) + ")");
        }
    }

    private static <E> E byOrdinal(E[] v1Order, int ordinal, String what, String id) throws IOException {
        if (ordinal >= v1Order.length) {
            throw new IOException("checkpoint of network " + id + " (format 1) holds " + what + " " + ordinal
                    + ", which format 1 never had (it had " + java.util.Arrays.toString(v1Order) + ")");
        }
        return v1Order[ordinal];
    }
}
