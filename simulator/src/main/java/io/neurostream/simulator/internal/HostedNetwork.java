package io.neurostream.simulator.internal;

import io.neurostream.engine.Area;
import io.neurostream.engine.Input;
import io.neurostream.engine.Network;
import io.neurostream.engine.Population;
import io.neurostream.engine.model.SpikeSink;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.AreaFrame;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;
import io.neurostream.simulator.SimulatorOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One network hosted by a simulator: the engine network, its run state and pacing, inputs waiting
 * for their tick, the frame being assembled, and its probes.
 *
 * <p>A frame is {@code ticksPerFrame} ticks (default 1 ms of simulated time), aligned to multiples of
 * it; only a STEP that ends inside a frame closes it early. Inputs and commands act at tick
 * boundaries. Every command is journaled with the tick it acted at; every input is journaled when it
 * is accepted, with the tick it will act at (fixed then), so the journal holds every input whose
 * offset is committed, even one still waiting for its tick.
 */
public final class HostedNetwork {
    /** Neurons per Topology record. */
    static final int TOPOLOGY_CHUNK = 65536;

    final String id;
    final String specJson;
    final NetworkSpec spec;
    Network net;
    RunState state = RunState.CREATED;
    RunMode mode = RunMode.REALTIME;
    double speed = 1.0;
    long runEpochMs;
    final int ticksPerFrame;
    long journalSequence;
    long rejectedCount;
    long stalledMs;
    String message;
    boolean checkpointRequested;

    // pacing (REALTIME): anchor wall time and tick
    long anchorNanos;
    long anchorTick;
    long stepBudget;
    // real-time factor, measured over the last status period
    long rtfWallNanos;
    long rtfTick;
    double realtimeFactor;

    // inputs waiting for their tick, by (tick, arrival)
    final PriorityQueue<Pending> pending = new PriorityQueue<>();
    long arrivals;

    // probes
    int[] probeIds = new int[0];
    String[] probeVars = new String[0];
    int probeEvery = 1;

    // the open frame
    private long frameStartTick = -1;
    private int[] frameIds = new int[1024];
    private int[] frameOffsets = new int[1024];
    private int frameCount;
    private final int[] groupArea;
    private final boolean[] groupInhibitory;
    private final int[] groupNeurons;
    private final int[] groupSpikes;
    private final double[] groupE;
    private final double[] groupI;
    private final List<MembraneSample> frameSamples = new ArrayList<>();

    /** An input accepted but not yet applied. */
    static final class Pending implements Comparable<Pending> {
        final long tick;
        final long arrival;
        final Input input;
        final AppliedInput journal;

        Pending(long tick, long arrival, Input input, AppliedInput journal) {
            this.tick = tick;
            this.arrival = arrival;
            this.input = input;
            this.journal = journal;
        }

        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(tick, o.tick);
            return c != 0 ? c : Long.compare(arrival, o.arrival);
        }
    }

    HostedNetwork(String id, String specJson, NetworkSpec spec, Network net, long runEpochMs, double frameMs) {
        this.id = id;
        this.specJson = specJson;
        this.spec = spec;
        this.net = net;
        this.runEpochMs = runEpochMs;
        this.ticksPerFrame = (int) Math.max(1, Math.round(frameMs / net.dtMs()));
        // one group per (area, E/I class) that has neurons
        List<int[]> groups = new ArrayList<>();
        for (int a = 0; a < net.areas().size(); a++) {
            for (int cls = 0; cls < 2; cls++) {
                int neurons = 0;
                for (Population p : net.populations()) {
                    if (p.areaIndex() == a) {
                        int[] r = net.classRange(p.index(), cls == 1);
                        neurons += r[1] - r[0];
                    }
                }
                if (neurons > 0) {
                    groups.add(new int[] {a, cls, neurons});
                }
            }
        }
        groupArea = new int[groups.size()];
        groupInhibitory = new boolean[groups.size()];
        groupNeurons = new int[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            groupArea[g] = groups.get(g)[0];
            groupInhibitory[g] = groups.get(g)[1] == 1;
            groupNeurons[g] = groups.get(g)[2];
        }
        groupSpikes = new int[groups.size()];
        groupE = new double[groups.size()];
        groupI = new double[groups.size()];
        initProbesFromSpec();
    }

    private void initProbesFromSpec() {
        List<Integer> ids = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        int every = 1;
        for (NetworkSpec.ProbeSpec p : spec.probes()) {
            if (p.neurons() != null) {
                for (int id : p.neurons()) {
                    if (id < net.size()) {
                        ids.add(id);
                    }
                }
            } else {
                for (String pop : p.populations()) {
                    Population pp = net.population(pop);
                    for (int i = pp.start(); i < pp.end() && i - pp.start() < p.firstN(); i++) {
                        ids.add(i);
                    }
                }
            }
            for (String v : p.variables()) {
                if (!vars.contains(v)) {
                    vars.add(v);
                }
            }
            every = (int) Math.max(1, Math.round(p.everyMs() / net.dtMs()));
        }
        probeIds = ids.stream().mapToInt(Integer::intValue).distinct().toArray();
        probeVars = vars.toArray(new String[0]);
        probeEvery = every;
    }

    public String id() {
        return id;
    }

    /** The next journal sequence number (entries so far). */
    public long journalSequence() {
        return journalSequence;
    }

    public long runEpochMs() {
        return runEpochMs;
    }

    public boolean checkpointRequested() {
        return checkpointRequested;
    }

    /** Frames completed so far (the index of the next frame). */
    public long frames() {
        return net.tick() / ticksPerFrame;
    }

    public Network network() {
        return net;
    }

    public RunState state() {
        return state;
    }

    public long tick() {
        return net.tick();
    }

    long timestampOfTick(long tick) {
        return runEpochMs + (long) Math.floor(tick * net.dtMs());
    }

    /** Ticks left in the current frame. */
    int ticksToFrameEnd() {
        long t = net.tick();
        return (int) (ticksPerFrame - (t % ticksPerFrame));
    }

    /**
     * Computes {@code ticks} ticks (never past the end of the current frame), applying due inputs
     * before each tick, and closes the frame when it is complete or {@code closeAfter} is set.
     */
    void compute(int ticks, boolean closeAfter, SimulatorOutput out) {
        if (frameStartTick < 0) {
            frameStartTick = net.tick();
        }
        for (int i = 0; i < ticks; i++) {
            applyDueInputs(out);
            long tick = net.tick();
            net.step();
            SpikeSink s = net.spikes();
            int offset = (int) (tick - frameStartTick);
            for (int k = 0; k < s.size(); k++) {
                if (frameCount == frameIds.length) {
                    frameIds = Arrays.copyOf(frameIds, frameCount * 2);
                    frameOffsets = Arrays.copyOf(frameOffsets, frameCount * 2);
                }
                frameIds[frameCount] = s.get(k);
                frameOffsets[frameCount] = offset;
                frameCount++;
            }
            for (int g = 0; g < groupArea.length; g++) {
                for (Population p : net.populations()) {
                    if (p.areaIndex() == groupArea[g]) {
                        groupSpikes[g] += net.spikesOfPopulation(p.index(), groupInhibitory[g]);
                        groupE[g] += net.excitatoryInputOfPopulation(p.index(), groupInhibitory[g]);
                        groupI[g] += net.inhibitoryInputOfPopulation(p.index(), groupInhibitory[g]);
                    }
                }
            }
            if (probeIds.length > 0 && tick % probeEvery == 0) {
                sampleProbes(tick);
            }
            if (net.tick() % ticksPerFrame == 0) {
                closeFrame(out);
            }
        }
        if (closeAfter && frameStartTick >= 0 && net.tick() > frameStartTick) {
            closeFrame(out);
        }
    }

    private void sampleProbes(long tick) {
        for (String var : probeVars) {
            List<Double> values = new ArrayList<>(probeIds.length);
            List<Integer> ids = new ArrayList<>(probeIds.length);
            for (int id : probeIds) {
                ids.add(id);
                values.add(net.variable(id, var));
            }
            frameSamples.add(MembraneSample.newBuilder().setNetworkId(id).setTick(tick).setVariable(var)
                    .setUnit("v".equals(var) ? "mV" : ("u".equals(var) ? "mV/ms" : "mV"))
                    .setNeuronIds(ids).setValues(values).build());
        }
    }

    private void closeFrame(SimulatorOutput out) {
        long first = frameStartTick;
        int ticks = (int) (net.tick() - first);
        long frameIndex = first / ticksPerFrame;
        long ts = timestampOfTick(first);
        out.spikes(id, SpikeBatches.pack(id, frameIndex, first, ticks, frameIds, frameOffsets, frameCount), ts);
        List<AreaFrame> areas = new ArrayList<>(groupArea.length);
        for (int g = 0; g < groupArea.length; g++) {
            areas.add(AreaFrame.newBuilder().setArea(net.areas().get(groupArea[g]).name())
                    .setEClass(groupInhibitory[g] ? EClass.I : EClass.E).setSpikes(groupSpikes[g])
                    .setNeurons(groupNeurons[g]).setEInput(groupE[g]).setIInput(groupI[g])
                    .setMeanVMv(meanV(g)).build());
        }
        out.frame(id, Frame.newBuilder().setNetworkId(id).setFrame(frameIndex).setFirstTick(first).setTicks(ticks)
                .setDtMs(net.dtMs()).setSimTimeMs(first * net.dtMs()).setAreas(areas).build(), ts);
        for (MembraneSample m : frameSamples) {
            out.membrane(id, m, timestampOfTick(m.getTick()));
        }
        frameSamples.clear();
        frameCount = 0;
        Arrays.fill(groupSpikes, 0);
        Arrays.fill(groupE, 0.0);
        Arrays.fill(groupI, 0.0);
        frameStartTick = -1;
    }

    private double meanV(int g) {
        double sum = 0;
        double[] v = net.state().v;
        for (Population p : net.populations()) {
            if (p.areaIndex() == groupArea[g]) {
                int[] r = net.classRange(p.index(), groupInhibitory[g]);
                for (int i = r[0]; i < r[1]; i++) {
                    sum += v[i];
                }
            }
        }
        return sum / groupNeurons[g];
    }

    /** Drops the open frame (after RESET). */
    void resetFrame() {
        frameStartTick = -1;
        frameCount = 0;
        frameSamples.clear();
        Arrays.fill(groupSpikes, 0);
        Arrays.fill(groupE, 0.0);
        Arrays.fill(groupI, 0.0);
    }

    /** Journals a control command that took effect, at the current tick. */
    public void journalControl(io.neurostream.schemas.avro.Control c, io.neurostream.simulator.Source src, SimulatorOutput out) {
        AppliedInput entry = AppliedInput.newBuilder().setNetworkId(id).setSequence(-1).setTick(net.tick())
                .setSourceTopic(src.topic()).setSourcePartition(src.partition()).setSourceOffset(src.offset())
                .setPayload(c).build();
        journal(entry, net.tick(), out);
    }

    /** Whether a frame is open (some ticks computed, not yet published). */
    boolean frameOpen() {
        return frameStartTick >= 0;
    }

    void applyDueInputs(SimulatorOutput out) {
        long t = net.tick();
        while (!pending.isEmpty() && pending.peek().tick <= t) {
            net.addInput(pending.poll().input);
        }
    }

    void journal(AppliedInput entry, long tick, SimulatorOutput out) {
        entry.setSequence(journalSequence++);
        entry.setTick(tick);
        out.journal(id, entry, timestampOfTick(Math.max(tick, net.tick())));
    }

    public void publishTopology(SimulatorOutput out) {
        int n = net.size();
        int chunks = Math.max(1, (n + TOPOLOGY_CHUNK - 1) / TOPOLOGY_CHUNK);
        List<String> areaNames = new ArrayList<>();
        for (Area a : net.areas()) {
            areaNames.add(a.name());
        }
        List<String> popNames = new ArrayList<>();
        for (Population p : net.populations()) {
            popNames.add(p.name());
        }
        List<Integer> lattice = new ArrayList<>();
        for (int d : net.lattice()) {
            lattice.add(d);
        }
        String hash = Long.toHexString(net.specHash());
        for (int c = 0; c < chunks; c++) {
            int first = c * TOPOLOGY_CHUNK;
            int count = Math.min(TOPOLOGY_CHUNK, n - first);
            ByteBuffer area = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer pop = ByteBuffer.allocate(2 * count).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer cls = ByteBuffer.allocate(count);
            ByteBuffer coords = ByteBuffer.allocate(8 * count).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = first; i < first + count; i++) {
                Population p = net.populationOf(i);
                area.putShort((short) p.areaIndex());
                pop.putShort((short) p.index());
                cls.put((byte) (net.isInhibitory(i) ? 1 : 0));
                int[] xyzw = net.coordinates(i);
                for (int d = 0; d < 4; d++) {
                    coords.putShort((short) xyzw[d]);
                }
            }
            area.flip();
            pop.flip();
            cls.flip();
            coords.flip();
            out.topology(id, Topology.newBuilder().setNetworkId(id).setSpecHash(hash).setChunk(c).setChunks(chunks)
                    .setNeuronCount(n).setLattice(lattice).setFirstNeuron(first).setCount(count)
                    .setAreaNames(areaNames).setPopulationNames(popNames).setAreaIndex(area).setPopulationIndex(pop)
                    .setEClass(cls).setCoordinates(coords).build(), runEpochMs);
        }
    }

    public Status status(String instanceId, long nowMs) {
        return Status.newBuilder().setNetworkId(id).setState(state).setMode(mode).setTick(net.tick())
                .setSimTimeMs(net.tick() * net.dtMs()).setDtMs(net.dtMs()).setRunEpochMs(runEpochMs)
                .setSpeed(mode == RunMode.MAX ? 0.0 : speed).setRealtimeFactor(realtimeFactor).setMessage(message)
                .setInstanceId(instanceId).setUpdatedAtMs(nowMs).setRejectedCount(rejectedCount)
                .setStalledMs(stalledMs).build();
    }
}
