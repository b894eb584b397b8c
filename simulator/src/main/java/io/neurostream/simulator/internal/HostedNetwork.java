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
    /** Most neurons per Topology record (fewer when the record limit asks for it). */
    static final int TOPOLOGY_CHUNK = 65536;
    /** The record limit until the simulator sets one: Kafka's default max.request.size. */
    public static final int DEFAULT_RECORD_MAX_BYTES = 1024 * 1024;
    /** Encoded bytes one probed value may take in a MembraneSample: a varint neuron id (<= 5) and a double. */
    static final int BYTES_PER_SAMPLE = 13;

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
    /** Heap the network was admitted with (Admission's estimate), bytes. */
    private long estimateBytes;
    /** Largest record this network may publish (see {@link #limitRecords}). */
    private int maxRecordBytes = DEFAULT_RECORD_MAX_BYTES;
    private int maxSpikesPerPart;
    private int maxValuesPerPart;
    /** CPU time spent computing this network, ns: the simulator's fair scheduling serves the least first. */
    long cpuNanos;
    /** A RESET's build in progress (state BUILDING), with the run epoch the new run gets. */
    java.util.concurrent.Future<Network> rebuild;
    long rebuildEpochMs;

    // pacing (REALTIME): anchor wall time and tick
    long anchorNanos;
    long anchorTick;
    long stepBudget;
    // real-time factor, measured over the last status period
    long rtfWallNanos;
    long rtfTick;
    double realtimeFactor;

    // inputs waiting for their tick, by (tick, arrival), and their encoded bytes
    final PriorityQueue<Pending> pending = new PriorityQueue<>();
    long pendingBytes;
    long arrivals;

    // probes
    int[] probeIds = new int[0];
    String[] probeVars = new String[0];
    int probeEvery = 1;

    // the open frame
    private long frameStartTick = -1;
    private final SpikeBatches.Builder frameSpikes = new SpikeBatches.Builder();
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
        /** The encoded size of the input record, bytes (what it counts against the queue's byte bound). */
        final long bytes;

        Pending(long tick, long arrival, Input input, AppliedInput journal, long bytes) {
            this.tick = tick;
            this.arrival = arrival;
            this.input = input;
            this.journal = journal;
            this.bytes = bytes;
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
        limitRecords(DEFAULT_RECORD_MAX_BYTES);
    }

    /**
     * Sets the largest record this network publishes, in bytes (key, value and overhead): spike batches
     * and membrane samples are split into parts below it, topology into chunks below it.
     *
     * @throws IllegalArgumentException if not even one spike or one probed value would fit
     */
    public void limitRecords(int bytes) {
        this.maxRecordBytes = bytes;
        this.maxSpikesPerPart = SpikeBatches.maxSpikesPerRecord(id, bytes);
        long overhead = 10 + 2L * (5 + 4L * id.length()) + 64 + 3L * 16;
        long values = (bytes - overhead) / BYTES_PER_SAMPLE;
        if (values < 1) {
            throw new IllegalArgumentException("a record of " + bytes + " bytes cannot hold one probed value of network " + id);
        }
        this.maxValuesPerPart = (int) Math.min(Integer.MAX_VALUE, values);
    }

    public long estimateBytes() {
        return estimateBytes;
    }

    /** Records the heap this network was admitted with (Admission's estimate), bytes. */
    public void admittedWith(long bytes) {
        this.estimateBytes = bytes;
    }

    public long cpuNanos() {
        return cpuNanos;
    }

    /** Inputs waiting for their tick. */
    public int pendingInputs() {
        return pending.size();
    }

    /** Encoded bytes of the inputs waiting for their tick. */
    public long pendingBytes() {
        return pendingBytes;
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

    public RunMode mode() {
        return mode;
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
            frameSpikes.addTick((int) (tick - frameStartTick), s.array(), s.size());
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

    /** CPU time a network computes for before the loop serves another, at least one tick: 2 ms. */
    public static final long SLICE_NANOS = 2_000_000L;

    /**
     * Computes up to {@code ticks} ticks (within the current frame) for about {@link #SLICE_NANOS} at most,
     * at least one; the frame is published when its last tick is computed. Returns the ticks computed.
     */
    int computeSliced(int ticks, SimulatorOutput out) {
        long end = System.nanoTime() + SLICE_NANOS;
        int done = 0;
        while (done < ticks) {
            compute(1, false, out);
            done++;
            if (System.nanoTime() >= end) {
                break;
            }
        }
        return done;
    }

    /** Publishes the open frame now, shorter than usual (a STEP or PAUSE inside a frame). */
    public void closeOpenFrame(SimulatorOutput out) {
        if (frameStartTick >= 0 && net.tick() > frameStartTick) {
            closeFrame(out);
        }
    }

    /** Computes and publishes the rest of an open frame (before a checkpoint: they are taken between frames). */
    public void finishOpenFrame(SimulatorOutput out) {
        if (frameStartTick >= 0 && net.tick() > frameStartTick) {
            compute(ticksToFrameEnd(), true, out);
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
        double[] meanV = new double[groupArea.length];
        for (int g = 0; g < groupArea.length; g++) {
            meanV[g] = meanV(g);
            if (!Double.isFinite(meanV[g]) || !Double.isFinite(groupE[g]) || !Double.isFinite(groupI[g])) {
                throw new NumericFault("the state of area " + net.areas().get(groupArea[g]).name() + " ("
                        + (groupInhibitory[g] ? "I" : "E") + ") became non-finite in ticks [" + first + ", " + net.tick()
                        + "): mean v " + meanV[g] + " mV, E input " + groupE[g] + ", I input " + groupI[g]);
            }
        }
        for (SpikeBatch part : frameSpikes.buildParts(id, frameIndex, first, ticks, maxSpikesPerPart)) {
            out.spikes(id, part, ts);
        }
        List<AreaFrame> areas = new ArrayList<>(groupArea.length);
        for (int g = 0; g < groupArea.length; g++) {
            areas.add(AreaFrame.newBuilder().setArea(net.areas().get(groupArea[g]).name())
                    .setEClass(groupInhibitory[g] ? EClass.I : EClass.E).setSpikes(groupSpikes[g])
                    .setNeurons(groupNeurons[g]).setEInput(groupE[g]).setIInput(groupI[g])
                    .setMeanVMv(meanV[g]).build());
        }
        out.frame(id, Frame.newBuilder().setNetworkId(id).setFrame(frameIndex).setFirstTick(first).setTicks(ticks)
                .setDtMs(net.dtMs()).setSimTimeMs(first * net.dtMs()).setAreas(areas).build(), ts);
        for (MembraneSample m : frameSamples) {
            publishSample(m, out);
        }
        frameSamples.clear();
        Arrays.fill(groupSpikes, 0);
        Arrays.fill(groupE, 0.0);
        Arrays.fill(groupI, 0.0);
        frameStartTick = -1;
    }

    /** Publishes a membrane sample, split by neuron into parts that each fit the record limit. */
    private void publishSample(MembraneSample m, SimulatorOutput out) {
        long ts = timestampOfTick(m.getTick());
        int n = m.getNeuronIds().size();
        if (n <= maxValuesPerPart) {
            out.membrane(id, m, ts);
            return;
        }
        int parts = (n + maxValuesPerPart - 1) / maxValuesPerPart;
        for (int p = 0; p < parts; p++) {
            int from = p * maxValuesPerPart;
            int to = Math.min(n, from + maxValuesPerPart);
            out.membrane(id, MembraneSample.newBuilder(m).setNeuronIds(new ArrayList<>(m.getNeuronIds().subList(from, to)))
                    .setValues(new ArrayList<>(m.getValues().subList(from, to))).setPart(p).setParts(parts).build(), ts);
        }
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
        frameSpikes.clear();
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

    /** Journals, at the current tick, a control command with an explicit record timestamp (RESET: the new run's epoch). */
    public void journalControlAt(io.neurostream.schemas.avro.Control c, io.neurostream.simulator.Source src, long timestampMs,
            SimulatorOutput out) {
        AppliedInput entry = AppliedInput.newBuilder().setNetworkId(id).setSequence(-1).setTick(net.tick())
                .setSourceTopic(src.topic()).setSourcePartition(src.partition()).setSourceOffset(src.offset())
                .setPayload(c).build();
        journal(entry, net.tick(), timestampMs, out);
    }

    /** Journals an entry about a record that waited for a build (its tick says which kind). */
    public void journalDeferred(AppliedInput entry, SimulatorOutput out) {
        entry.setSequence(journalSequence++);
        out.journal(id, entry, state == RunState.BUILDING ? rebuildEpochMs : timestampOfTick(net.tick()));
    }

    /** RESET, first half: the network is BUILDING its new run; what it held is dropped. */
    public void beginRebuild(java.util.concurrent.Future<Network> build, long epochMs) {
        state = RunState.BUILDING;
        pending.clear();
        pendingBytes = 0;
        stepBudget = 0;
        resetFrame();
        rebuild = build;
        rebuildEpochMs = epochMs;
    }

    public boolean rebuildDone() {
        return rebuild != null && rebuild.isDone();
    }

    /** RESET, second half: the new run's network replaces the old one; state CREATED at tick 0. */
    public void endRebuild() throws java.util.concurrent.ExecutionException, InterruptedException {
        java.util.concurrent.Future<Network> f = rebuild;
        rebuild = null;
        Network fresh = f.get();
        net.close();
        net = fresh;
        state = RunState.CREATED;
        runEpochMs = rebuildEpochMs;
    }

    public void cancelRebuild() {
        if (rebuild != null) {
            rebuild.cancel(true);
            rebuild = null;
        }
    }

    public NetworkSpec spec() {
        return spec;
    }

    public String message() {
        return message;
    }

    /** Counts CPU time spent computing this network (fair scheduling). */
    public void addCpu(long nanos) {
        cpuNanos += nanos;
    }

    /** Raises the CPU account to at least {@code nanos} (an idle network does not bank its idle time). */
    public void cpuAtLeast(long nanos) {
        cpuNanos = Math.max(cpuNanos, nanos);
    }

    /** Whether a frame is open (some ticks computed, not yet published). */
    public boolean frameOpen() {
        return frameStartTick >= 0;
    }

    void applyDueInputs(SimulatorOutput out) {
        long t = net.tick();
        while (!pending.isEmpty() && pending.peek().tick <= t) {
            Pending p = pending.poll();
            pendingBytes -= p.bytes;
            net.addInput(p.input);
        }
    }

    void journal(AppliedInput entry, long tick, SimulatorOutput out) {
        journal(entry, tick, timestampOfTick(Math.max(tick, net.tick())), out);
    }

    void journal(AppliedInput entry, long tick, long timestampMs, SimulatorOutput out) {
        entry.setSequence(journalSequence++);
        entry.setTick(tick);
        out.journal(id, entry, timestampMs);
    }

    /**
     * Neurons per Topology record so that a chunk stays within the record limit: 13 bytes per neuron
     * (area, population, class, four coordinates) besides the names every chunk repeats.
     *
     * @throws IllegalArgumentException if the names alone do not leave room for a neuron
     */
    public int topologyChunk() {
        long names = 0;
        for (Area a : net.areas()) {
            names += 5 + 4L * a.name().length();
        }
        for (Population p : net.populations()) {
            names += 5 + 4L * p.name().length();
        }
        long room = maxRecordBytes - names - 2L * (5 + 4L * id.length()) - 256;
        if (room < 13) {
            throw new IllegalArgumentException("the names of the areas and populations of network " + id + " take about "
                    + names + " bytes, more than a topology record of at most " + maxRecordBytes + " bytes can hold");
        }
        return (int) Math.min(TOPOLOGY_CHUNK, room / 13);
    }

    public void publishTopology(SimulatorOutput out) {
        int n = net.size();
        int chunkSize = topologyChunk();
        int chunks = Math.max(1, (n + chunkSize - 1) / chunkSize);
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
            int first = c * chunkSize;
            int count = Math.min(chunkSize, n - first);
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
        // the output reaches the start of an open frame: that is where a successor resumes
        long tick = frameOpen() ? frameStartTick : net.tick();
        return Status.newBuilder().setNetworkId(id).setState(state).setMode(mode).setTick(tick)
                .setSimTimeMs(tick * net.dtMs()).setDtMs(net.dtMs()).setRunEpochMs(runEpochMs)
                .setSpeed(mode == RunMode.MAX ? 0.0 : speed).setRealtimeFactor(realtimeFactor).setMessage(message)
                .setInstanceId(instanceId).setUpdatedAtMs(nowMs).setRejectedCount(rejectedCount)
                .setStalledMs(stalledMs).build();
    }

    /** The state of a network became non-finite: it stops with status NUMERIC_FAULT. */
    public static final class NumericFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NumericFault(String message) {
            super(message, null, false, false);
        }
    }
}
