package io.neurostream.engine;

import io.neurostream.engine.model.NeuronDynamics;
import io.neurostream.engine.model.NeuronState;
import io.neurostream.engine.random.CounterRng;
import io.neurostream.engine.spec.NetworkSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine snapshot format: the whole dynamic state of a {@link Network} (tick, v, u, currents, refractory
 * counters, pending delay-buffer and direct-delivery input, plastic weights and traces, active inputs, changed
 * parameters), versioned, in big-endian binary. Static weights are not written: they are rebuilt from spec and
 * seed, and the spec hash in the header makes sure they are the same. docs/checkpoint-format.md describes the
 * layout and the rule for changing it.
 *
 * <p>{@link #write} writes a network's state; {@link #read} reads a snapshot completely, checking it against the
 * network it is for, and holds what it read until {@link #restore} puts it into that network, so a refused
 * snapshot leaves the network as it was.
 */
final class Snapshot {
    /** Snapshot format magic, also the end marker. */
    static final int MAGIC = 0x4E534E50; // "NSNP"
    /**
     * The snapshot format this build writes. 3 names input and distribution kinds (2 wrote their enum
     * ordinals). A reader accepts this version and the one before ({@link #OLDEST_VERSION}).
     */
    static final int VERSION = 3;
    /** The oldest snapshot format this build reads. */
    static final int OLDEST_VERSION = 2;

    private final Network net;
    private final long tick;
    private final double[] v;
    private final double[] u;
    private final double[] ge;
    private final double[] gi;
    private final int[] refractory;
    private final double[] ringE;
    private final double[] ringI;
    private final double[] pendingInput;
    private final double[] pendingE;
    private final double[] pendingI;
    private final long totalSpikes;
    private final long totalSynapticEvents;
    private final long nextInputStream;
    private final List<Input> inputs;
    private final Map<String, Double> parameterOverrides;
    private final NeuronDynamics[] dynamics;
    private final Plasticity.Staged plastic;

    /** Writes the dynamic state of {@code net}. */
    static void write(Network net, OutputStream os) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
        NeuronState state = net.state;
        SynapseStore synapses = net.synapses;
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(specHash(net.spec));
        out.writeLong(net.tick);
        out.writeInt(net.n);
        out.writeInt(synapses.ringSlots);
        writeDoubles(out, state.v);
        writeDoubles(out, state.u);
        writeDoubles(out, state.ge);
        writeDoubles(out, state.gi);
        for (int r : state.refractory) {
            out.writeInt(r);
        }
        writeSparse(out, synapses.ringE);
        writeSparse(out, synapses.ringI);
        // direct delivery keeps next tick's input in input[] and its E/I sums per chunk in nextE/nextI
        writeSparse(out, state.input);
        out.writeInt(synapses.chunks());
        writeDoubles(out, synapses.nextSums(false));
        writeDoubles(out, synapses.nextSums(true));
        out.writeLong(net.totalSpikes);
        out.writeLong(net.totalSynapticEvents);
        out.writeLong(net.nextInputStream);
        out.writeInt(net.inputs.size());
        for (Input in : net.inputs) {
            in.write(out);
        }
        out.writeInt(net.parameterOverrides.size());
        for (Map.Entry<String, Double> e : net.parameterOverrides.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        for (Population p : net.populations) {
            p.dynamics.writeState(out);
        }
        out.writeBoolean(net.plasticity != null);
        if (net.plasticity != null) {
            net.plasticity.write(out);
        }
        out.writeInt(MAGIC);
        out.flush();
    }

    /**
     * Reads a snapshot of {@code net}'s spec completely, changing nothing yet. A snapshot of another spec, of
     * another format version, truncated or corrupt throws {@link IOException}.
     */
    static Snapshot read(Network net, InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16));
        try {
            return new Snapshot(net, in);
        } catch (EOFException e) {
            throw new IOException("snapshot is truncated: it ends before the state of this network is complete", e);
        }
    }

    private Snapshot(Network net, DataInputStream in) throws IOException {
        this.net = net;
        int n = net.n;
        SynapseStore synapses = net.synapses;
        if (in.readInt() != MAGIC) {
            throw new IOException("not a NeuroStream snapshot (bad magic)");
        }
        int version = in.readInt();
        if (version < OLDEST_VERSION || version > VERSION) {
            throw new IOException("snapshot format version " + version + " is not supported (this build reads versions "
                    + OLDEST_VERSION + " to " + VERSION + ")");
        }
        long hash = in.readLong();
        long expected = specHash(net.spec);
        if (hash != expected) {
            throw new IOException("snapshot was taken of a different network spec (spec hash "
                    + Long.toHexString(hash) + ", this network " + Long.toHexString(expected) + ")");
        }
        tick = in.readLong();
        if (in.readInt() != n || in.readInt() != synapses.ringSlots) {
            throw new IOException("snapshot does not match this network's size");
        }
        v = new double[n];
        u = new double[n];
        ge = new double[n];
        gi = new double[n];
        refractory = new int[n];
        readDoubles(in, v);
        readDoubles(in, u);
        readDoubles(in, ge);
        readDoubles(in, gi);
        for (int i = 0; i < n; i++) {
            refractory[i] = in.readInt();
        }
        ringE = new double[synapses.ringE.length];
        ringI = new double[synapses.ringI.length];
        readSparse(in, ringE);
        readSparse(in, ringI);
        pendingInput = new double[n];
        readSparse(in, pendingInput);
        if (in.readInt() != synapses.chunks()) {
            throw new IOException("snapshot does not match this network's chunks");
        }
        pendingE = new double[synapses.chunks()];
        pendingI = new double[synapses.chunks()];
        readDoubles(in, pendingE);
        readDoubles(in, pendingI);
        totalSpikes = in.readLong();
        totalSynapticEvents = in.readLong();
        nextInputStream = in.readLong();
        int ni = in.readInt();
        if (ni < 0) {
            throw new IOException("snapshot is corrupt (negative input count)");
        }
        inputs = new ArrayList<>();
        for (int i = 0; i < ni; i++) {
            inputs.add(Input.read(in, net.seed, net.dtMs, version));
        }
        int np = in.readInt();
        parameterOverrides = new LinkedHashMap<>();
        for (int i = 0; i < np; i++) {
            String key = in.readUTF();
            parameterOverrides.put(key, in.readDouble());
        }
        // fresh dynamics, as the spec describes them, then the snapshot's parameter changes
        NetworkSpec spec = net.spec;
        dynamics = new NeuronDynamics[net.populations.size()];
        for (Population p : net.populations) {
            NeuronDynamics d = NetworkBuilder.dynamicsFor(spec, spec.populations().get(p.index()),
                    Arrays.copyOfRange(net.types, p.start(), p.end()), p.start());
            dynamics[p.index()] = d;
        }
        for (Map.Entry<String, Double> e : parameterOverrides.entrySet()) {
            int sep = e.getKey().indexOf('\u0000');
            Population p = net.population(e.getKey().substring(0, sep));
            if (!dynamics[p.index()].setParameter(e.getKey().substring(sep + 1), e.getValue())) {
                throw new IOException("snapshot is corrupt (unknown parameter " + e.getKey().substring(sep + 1) + ")");
            }
        }
        for (Population p : net.populations) {
            dynamics[p.index()].readState(in);
        }
        boolean plastic = in.readBoolean();
        if (plastic != (net.plasticity != null)) {
            throw new IOException("snapshot plasticity does not match the spec");
        }
        this.plastic = net.plasticity == null ? null : net.plasticity.read(in);
        if (in.readInt() != MAGIC) {
            throw new IOException("snapshot is truncated or corrupt (no end marker)");
        }
    }

    /** Puts the state read into the network: continuing from here equals never having stopped. */
    void restore() {
        int n = net.n;
        NeuronState state = net.state;
        SynapseStore synapses = net.synapses;
        System.arraycopy(v, 0, state.v, 0, n);
        System.arraycopy(u, 0, state.u, 0, n);
        System.arraycopy(ge, 0, state.ge, 0, n);
        System.arraycopy(gi, 0, state.gi, 0, n);
        System.arraycopy(refractory, 0, state.refractory, 0, n);
        state.refractoryVersion++;
        System.arraycopy(ringE, 0, synapses.ringE, 0, ringE.length);
        System.arraycopy(ringI, 0, synapses.ringI, 0, ringI.length);
        net.totalSpikes = totalSpikes;
        net.totalSynapticEvents = totalSynapticEvents;
        net.nextInputStream = nextInputStream;
        net.inputs.clear();
        net.inputs.addAll(inputs);
        net.parameterOverrides.clear();
        net.parameterOverrides.putAll(parameterOverrides);
        for (Population p : net.populations) {
            p.dynamics = dynamics[p.index()];
        }
        if (plastic != null) {
            net.plasticity.commit(plastic);
        }
        System.arraycopy(pendingInput, 0, state.input, 0, n);
        synapses.restoreNextSums(pendingE, pendingI);
        net.tick = tick;
        net.spikes.clear();
    }

    /** A 64-bit hash of the spec's canonical JSON: snapshots only restore into the same spec. */
    static long specHash(NetworkSpec spec) {
        String s = spec.canonicalJson();
        long h = 0x1234567887654321L;
        for (int i = 0; i < s.length(); i++) {
            h = CounterRng.mix(h ^ s.charAt(i));
        }
        return h;
    }

    private static void writeDoubles(DataOutputStream out, double[] a) throws IOException {
        // raw bits, so that -0.0 and NaN payloads survive
        for (double d : a) {
            out.writeLong(Double.doubleToRawLongBits(d));
        }
    }

    private static void readDoubles(DataInputStream in, double[] a) throws IOException {
        for (int i = 0; i < a.length; i++) {
            a[i] = Double.longBitsToDouble(in.readLong());
        }
    }

    private static void writeSparse(DataOutputStream out, double[] a) throws IOException {
        int nz = 0;
        for (double d : a) {
            if (d != 0.0) {
                nz++;
            }
        }
        out.writeInt(nz);
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 0.0) {
                out.writeInt(i);
                out.writeLong(Double.doubleToRawLongBits(a[i]));
            }
        }
    }

    private static void readSparse(DataInputStream in, double[] a) throws IOException {
        Arrays.fill(a, 0.0);
        int nz = in.readInt();
        for (int k = 0; k < nz; k++) {
            int i = in.readInt();
            if (i < 0 || i >= a.length) {
                throw new IOException("snapshot is corrupt (index " + i + " out of range)");
            }
            a[i] = Double.longBitsToDouble(in.readLong());
        }
    }
}
