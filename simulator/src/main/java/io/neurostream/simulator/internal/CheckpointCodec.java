package io.neurostream.simulator.internal;

import io.neurostream.engine.Network;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a network's checkpoint: everything needed to host it again elsewhere — its spec, the
 * simulator's state of it (run state, mode, speed, epoch, journal position, probes, inputs waiting for
 * their tick) and the engine snapshot. Taken only between frames.
 *
 * <pre>
 * int magic "NSCK", int version (1)
 * int length + UTF-8 spec JSON
 * host: state, mode (bytes), speed, run epoch ms, journal sequence, rejected count, stalled ms,
 *       step budget, arrivals, probes (count, ids, variables, every)
 * pending inputs: count, each: tick, arrival, encoded AppliedInput (Avro single-object), Input snapshot via engine
 * engine snapshot (the rest; {@link Network#writeSnapshot})
 * </pre>
 */
public final class CheckpointCodec {
    static final int MAGIC = 0x4E53434B; // "NSCK"
    static final int VERSION = 1;

    private CheckpointCodec() {
    }

    public static byte[] write(HostedNetwork h) throws IOException {
        h.checkpointRequested = false;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        byte[] spec = h.specJson.getBytes(StandardCharsets.UTF_8);
        out.writeInt(spec.length);
        out.write(spec);
        out.writeByte(h.state.ordinal());
        out.writeByte(h.mode.ordinal());
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
        h.net.writeSnapshot(bytes);
        return bytes.toByteArray();
    }

    /** Hosts a network again from its checkpoint bytes. */
    public static HostedNetwork read(String id, byte[] data, double frameMs, io.neurostream.simulator.SimulatorConfig config)
            throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a NeuroStream checkpoint of network " + id + " (bad magic)");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("checkpoint format " + version + " of network " + id + " is not supported");
        }
        byte[] specBytes = new byte[in.readInt()];
        in.readFully(specBytes);
        String specJson = new String(specBytes, StandardCharsets.UTF_8);
        NetworkSpec spec = SpecParser.parse(specJson, "checkpoint of " + id);
        Network net = Network.build(spec);
        RunState state = RunState.values()[in.readByte()];
        RunMode mode = RunMode.values()[in.readByte()];
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
}
