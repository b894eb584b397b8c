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
import io.neurostream.simulator.internal.CheckpointCodec;
import io.neurostream.simulator.internal.HostedNetwork;
import io.neurostream.simulator.internal.Hosting;
import java.nio.ByteBuffer;
import java.util.Collection;
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
    private final SimulatorConfig config;
    private final SimulatorOutput publishing;
    /** Where records go: {@link #publishing}, or nowhere while replaying a journal. */
    private SimulatorOutput out;
    private final Map<String, HostedNetwork> networks = new LinkedHashMap<>();
    private final EnumMap<RejectReason, Long> rejectedByReason = new EnumMap<>(RejectReason.class);
    private long lastStatusMs;

    public SimulatorCore(SimulatorConfig config, SimulatorOutput out) {
        this.config = config;
        this.publishing = out;
        this.out = out;
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
            Hosting.accountStall(h, nowNanos, config);
        }
        return checkpoint(id);
    }

    /** The checkpoint bytes of a hosted network (taken between frames; see CheckpointCodec). */
    public byte[] checkpoint(String id) throws java.io.IOException {
        HostedNetwork h = networks.get(id);
        if (h == null) {
            throw new IllegalArgumentException("no network '" + id + "' is hosted here");
        }
        return CheckpointCodec.write(h);
    }

    /** Hosts a network again from checkpoint bytes (replacing one of the same id), anchored at {@code nowNanos}. */
    public HostedNetwork restore(String id, byte[] data, long nowNanos, long nowMs) throws java.io.IOException {
        HostedNetwork h = CheckpointCodec.read(id, data, config.frameMs());
        HostedNetwork old = networks.put(id, h);
        if (old != null) {
            old.network().close();
        }
        Hosting.reanchor(h, nowNanos);
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        return h;
    }

    /** Stops hosting a network here (its partition moved away); returns whether it was hosted. */
    public boolean release(String id) {
        HostedNetwork h = networks.remove(id);
        if (h != null) {
            h.network().close();
        }
        return h != null;
    }

    /** Ids of networks whose checkpoint was asked for (CHECKPOINT command), to be taken by the service. */
    public java.util.List<String> checkpointsRequested() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (HostedNetwork h : networks.values()) {
            if (h.checkpointRequested()) {
                ids.add(h.id());
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ recovery

    /**
     * Re-applies one journal entry of a network without publishing anything (its effects were
     * published, and committed, before): first computes, silently, up to the entry's tick, then applies
     * it as it was applied then. CREATE and RESET take their run epoch from {@code recordTimestampMs},
     * the journal record's timestamp. Entries must come in sequence order.
     */
    public void replay(AppliedInput entry, long recordTimestampMs) {
        SimulatorOutput saved = out;
        out = SimulatorOutput.DISCARD;
        try {
            String id = entry.getNetworkId();
            HostedNetwork h = networks.get(id);
            Source src = new Source(entry.getSourceTopic(), entry.getSourcePartition(), entry.getSourceOffset());
            // a command acted at its tick: compute up to it first; an input only joins the queue (its
            // tick, fixed when it was accepted, may lie ahead)
            if (h != null && entry.getPayload() instanceof Control) {
                Hosting.computeSilently(h, entry.getTick());
            }
            if (entry.getPayload() instanceof Control) {
                Control c = (Control) entry.getPayload();
                if (c.getCommand() == io.neurostream.schemas.avro.ControlCommand.CREATE) {
                    if (h == null) {
                        create(src, c, recordTimestampMs);
                    }
                } else if (h != null) {
                    Hosting.control(h, c, config, recordTimestampMs, 0L);
                    if (h.state() == RunState.STOPPED) {
                        release(id);
                    }
                }
            } else if (h != null) {
                Hosting.requeue(h, entry, entry.getTick(), Hosting.nextArrival(h));
            }
            HostedNetwork now = networks.get(id);
            if (now != null) {
                Hosting.journalPosition(now, entry.getSequence() + 1);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot replay journal entry " + entry.getSequence() + " of network "
                    + entry.getNetworkId() + ": " + e.getMessage(), e);
        } finally {
            out = saved;
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
        Hosting.computeSilently(h, tick);
        Hosting.reanchor(h, nowNanos);
    }

    // ------------------------------------------------------------------ rejecting

    /** Routes a record that could not even be decoded to {@code rejected}. */
    public void onUndecodable(Source src, String key, byte[] value, String detail, long nowMs) {
        reject(src, key, null, value, RejectReason.UNDECODABLE, detail, nowMs);
    }

    private void reject(Source src, String key, String networkId, byte[] raw, RejectReason reason, String text,
            long nowMs) {
        rejectedByReason.merge(reason, 1L, Long::sum);
        HostedNetwork h = networkId == null ? null : networks.get(networkId);
        if (h != null) {
            Hosting.countRejected(h);
        }
        byte[] bytes = raw == null ? new byte[0] : raw;
        int keep = Math.min(bytes.length, 1024);
        Rejected r = Rejected.newBuilder().setSourceTopic(src.topic()).setSourcePartition(src.partition())
                .setSourceOffset(src.offset()).setKey(key).setNetworkId(networkId).setReasonCode(reason.name())
                .setReason(text).setRaw(ByteBuffer.wrap(bytes, 0, keep).slice()).setRawSize(bytes.length)
                .setAtMs(nowMs).build();
        out.rejected(key != null ? key : (networkId != null ? networkId : ""), r, nowMs);
    }

    // ------------------------------------------------------------------ control

    /** Applies a control command (at the next tick boundary, which is now). */
    public void onControl(Source src, String key, Control c, byte[] raw, long nowMs, long nowNanos) {
        String id = c.getNetworkId();
        if (key != null && !key.equals(id)) {
            reject(src, key, id, raw, RejectReason.KEY_MISMATCH, "record key '" + key + "' is not the network id '" + id
                    + "': records of a network must be keyed by its id so they share its partition", nowMs);
            return;
        }
        HostedNetwork h = networks.get(id);
        try {
            switch (c.getCommand()) {
                case CREATE:
                    create(src, c, nowMs);
                    return;
                default:
                    if (h == null) {
                        throw new Rejection(RejectReason.UNKNOWN_NETWORK, "no network '" + id + "' is hosted here; CREATE it first");
                    }
                    Hosting.control(h, c, config, nowMs, nowNanos);
            }
        } catch (Rejection r) {
            reject(src, key, id, raw, r.reason, r.getMessage(), nowMs);
            return;
        }
        h.journalControl(c, src, out);
        if (c.getCommand() == io.neurostream.schemas.avro.ControlCommand.RESET) {
            h.publishTopology(out);
        }
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
        if (h.state() == RunState.STOPPED) {
            networks.remove(id);
        }
    }

    /** The expected synapse count of a spec's rules: p × |from| × |to|, or in_degree × |to|. */
    private static long synapsesExpected(NetworkSpec spec) {
        java.util.Map<String, Long> sizes = new java.util.HashMap<>();
        for (NetworkSpec.PopulationSpec p : spec.populations()) {
            long size = p.count() != null ? p.count() : 0;
            if (p.count() == null) {
                for (NetworkSpec.AreaSpec a : spec.areas()) {
                    if (a.name().equals(p.area())) {
                        size = (long) Math.ceil(a.volume() * p.density());
                    }
                }
            }
            sizes.put(p.name(), size);
        }
        double total = 0;
        for (NetworkSpec.ConnectionSpec c : spec.connections()) {
            double from = c.from().stream().distinct().mapToLong(sizes::get).sum();
            double to = c.to().stream().distinct().mapToLong(sizes::get).sum();
            total += c.inDegree() != null ? (double) c.inDegree() * to : c.probability() * from * to;
        }
        return (long) Math.min(Long.MAX_VALUE / 2, total);
    }

    /** The most neurons a spec can place: its counts, and for densities the expected share of their areas. */
    private static long neuronsAtMost(NetworkSpec spec) {
        long total = 0;
        for (NetworkSpec.PopulationSpec p : spec.populations()) {
            if (p.count() != null) {
                total += p.count();
            } else {
                for (NetworkSpec.AreaSpec a : spec.areas()) {
                    if (a.name().equals(p.area())) {
                        total += (long) Math.ceil(a.volume() * p.density());
                    }
                }
            }
        }
        return total;
    }

    private void create(Source src, Control c, long nowMs) {
        String id = c.getNetworkId();
        if (networks.containsKey(id)) {
            throw new Rejection(RejectReason.NETWORK_EXISTS, "network '" + id + "' exists already (at tick "
                    + networks.get(id).tick() + "); RESET or STOP it, or use another id");
        }
        if (id.isEmpty()) {
            throw new Rejection(RejectReason.BAD_COMMAND, "network_id must not be empty");
        }
        if (c.getSpecJson() == null) {
            throw new Rejection(RejectReason.BAD_COMMAND, "CREATE needs spec_json");
        }
        NetworkSpec spec;
        Network net;
        try {
            spec = SpecParser.parse(c.getSpecJson(), "spec of " + id);
            long synapses = synapsesExpected(spec);
            if (synapses > config.maxSynapses()) {
                throw new Rejection(RejectReason.OVERSIZED, "the spec's connection rules ask for about " + synapses
                        + " synapses; at most " + config.maxSynapses() + " are accepted (" + SimulatorConfig.MAX_SYNAPSES_KEY + ")");
            }
            if (neuronsAtMost(spec) > config.maxNeurons()) {
                throw new Rejection(RejectReason.OVERSIZED, "the spec asks for more than " + config.maxNeurons()
                        + " neurons (" + SimulatorConfig.MAX_NEURONS + ")");
            }
            net = Network.build(spec);
        } catch (SpecException e) {
            throw new Rejection(RejectReason.BAD_SPEC, e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof Rejection) {
                throw e;
            }
            throw new Rejection(RejectReason.BAD_SPEC, "the spec could not be built: " + e.getMessage());
        }
        long epoch = nowMs - Math.floorMod(nowMs, 1000L);
        HostedNetwork h = Hosting.create(id, c.getSpecJson(), spec, net, epoch, config.frameMs());
        networks.put(id, h);
        h.journalControl(c, src, out);
        h.publishTopology(out);
        out.status(id, h.status(config.instanceId(), nowMs), nowMs);
    }

    // ------------------------------------------------------------------ inputs

    /** Accepts an external input: it applies at its tick, or at the first tick not yet computed. */
    public void onInput(Source src, String key, ExternalInput in, byte[] raw, long nowMs) {
        String id = in.getNetworkId();
        if (key != null && !key.equals(id)) {
            reject(src, key, id, raw, RejectReason.KEY_MISMATCH, "record key '" + key + "' is not the network id '" + id
                    + "': records of a network must be keyed by its id so they share its partition", nowMs);
            return;
        }
        HostedNetwork h = networks.get(id);
        if (h == null) {
            reject(src, key, id, raw, RejectReason.UNKNOWN_NETWORK, "no network '" + id + "' is hosted here", nowMs);
            return;
        }
        try {
            Hosting.accept(h, in, src, config, out);
        } catch (Rejection r) {
            reject(src, key, id, raw, r.reason, r.getMessage(), nowMs);
        }
    }

    // ------------------------------------------------------------------ work

    /**
     * Advances each running network by at most one frame, as its mode allows at {@code nowNanos};
     * publishes periodic status. Returns the number of ticks computed (0: nothing was due).
     */
    public int doWork(long nowNanos, long nowMs) {
        int work = 0;
        for (HostedNetwork h : networks.values()) {
            try {
                work += Hosting.advance(h, nowNanos, nowMs, config, out);
            } catch (RuntimeException e) {
                // a defect, not bad input (that is rejected before it reaches a network): this network
                // stops, says why in its status, and the others run on
                Hosting.fail(h, e);
                out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
            }
        }
        if (nowMs - lastStatusMs >= config.statusIntervalMs()) {
            lastStatusMs = nowMs;
            for (HostedNetwork h : networks.values()) {
                Hosting.measure(h, nowNanos);
                out.status(h.id(), h.status(config.instanceId(), nowMs), nowMs);
            }
        }
        return work;
    }

    /** Nanoseconds until some network has work (0: now; {@code Long.MAX_VALUE}: none until a command). */
    public long nanosUntilWork(long nowNanos) {
        long min = Long.MAX_VALUE;
        for (HostedNetwork h : networks.values()) {
            min = Math.min(min, Hosting.nanosUntilWork(h, nowNanos));
        }
        return min;
    }

    /** A record that cannot be applied; carries the reason to the {@code rejected} topic. */
    public static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final RejectReason reason;

        public Rejection(RejectReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public RejectReason reason() {
            return reason;
        }
    }
}
