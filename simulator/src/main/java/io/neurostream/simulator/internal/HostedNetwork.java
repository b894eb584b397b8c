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
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.RejectReason;
import io.neurostream.schemas.avro.Control;
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
    /**
     * The run this network is in: the offset on control of the CREATE that began it. A network id stopped
     * and created again is a new run; journal entries, checkpoints and statuses carry it.
     */
    long runId = -1;
    /** The tick to recompute to, silently, before computing on (after a restart); -1: none. */
    private long catchUpTo = -1;
    /** The id the next checkpoint of this network gets. */
    private long nextCheckpointId;
    /** Frames completed when the last checkpoint was taken. */
    private long checkpointFrames;
    /** Checkpoint chunk keys 0 .. chunkKeys - 1 this network may have on the topic (what STOP retires). */
    private int chunkKeys;
    /** The tick of the last Status published at a commit (-1: none yet). */
    private long committedStatusTick = -1;
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
    /** Wall time spent computing the open frame's ticks so far, ns (it may be computed over several calls). */
    private long frameComputeNanos;
    private NetworkMeters meters = NetworkMeters.NONE;
    private final SpikeBatches.Builder frameSpikes = new SpikeBatches.Builder();
    private final int[] groupArea;
    private final boolean[] groupInhibitory;
    private final int[] groupNeurons;
    private final int[] groupSpikes;
    private final double[] groupE;
    private final double[] groupI;
    /** The populations of each group (indices, in population order): what a tick's counts are summed over. */
    private final int[][] groupPopulations;
    /** The neurons of each group as {@code [start, end)} ranges, flattened: what the frame's mean v averages. */
    private final int[][] groupRanges;
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

    public HostedNetwork(String id, String specJson, NetworkSpec spec, Network net, long runEpochMs, double frameMs) {
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
        groupPopulations = new int[groups.size()][];
        groupRanges = new int[groups.size()][];
        for (int g = 0; g < groups.size(); g++) {
            List<Integer> pops = new ArrayList<>();
            List<Integer> ranges = new ArrayList<>();
            for (Population p : net.populations()) {
                if (p.areaIndex() == groupArea[g]) {
                    pops.add(p.index());
                    int[] r = net.classRange(p.index(), groupInhibitory[g]);
                    ranges.add(r[0]);
                    ranges.add(r[1]);
                }
            }
            groupPopulations[g] = pops.stream().mapToInt(Integer::intValue).toArray();
            groupRanges[g] = ranges.stream().mapToInt(Integer::intValue).toArray();
        }
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
        long started = System.nanoTime();
        for (int i = 0; i < ticks; i++) {
            applyDueInputs(out);
            long tick = net.tick();
            net.step();
            SpikeSink s = net.spikes();
            frameSpikes.addTick((int) (tick - frameStartTick), s.array(), s.size());
            for (int g = 0; g < groupArea.length; g++) {
                boolean inhibitory = groupInhibitory[g];
                for (int p : groupPopulations[g]) {
                    groupSpikes[g] += net.spikesOfPopulation(p, inhibitory);
                    groupE[g] += net.excitatoryInputOfPopulation(p, inhibitory);
                    groupI[g] += net.inhibitoryInputOfPopulation(p, inhibitory);
                }
            }
            if (probeIds.length > 0 && tick % probeEvery == 0) {
                sampleProbes(tick);
            }
            if (net.tick() % ticksPerFrame == 0) {
                long now = System.nanoTime();
                frameComputeNanos += now - started;
                started = now;
                closeFrame(out);
            }
        }
        frameComputeNanos += System.nanoTime() - started;
        if (closeAfter && frameStartTick >= 0 && net.tick() > frameStartTick) {
            closeFrame(out);
        }
    }

    /**
     * Where this network counts its ticks, spikes and inputs (the core sets them while it hosts the network);
     * frames recomputed silently (replay, catch-up) are not counted: they were counted when first published.
     */
    public void meters(NetworkMeters meters) {
        this.meters = meters;
        meters.realtimeFactor(realtimeFactor);
    }

    NetworkMeters meters() {
        return meters;
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
        int spikes = frameSpikes.count();
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
        if (out != SimulatorOutput.DISCARD) {
            meters.frame(ticks, spikes, frameComputeNanos);
        }
        frameComputeNanos = 0;
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

    /**
     * The mean membrane potential of group {@code g}. Each range is summed in four interleaved partial
     * sums, added together in a fixed order at its end: a single running sum waits for each addition
     * before the next, which made this one pass over the neurons cost about a tenth of a frame of ten
     * ticks. The order is fixed, so the result is the same on every run and for every thread count.
     */
    private double meanV(int g) {
        double sum = 0;
        double[] v = net.state().v;
        int[] ranges = groupRanges[g];
        for (int k = 0; k < ranges.length; k += 2) {
            int i = ranges[k];
            int end = ranges[k + 1];
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (; i + 3 < end; i += 4) {
                s0 += v[i];
                s1 += v[i + 1];
                s2 += v[i + 2];
                s3 += v[i + 3];
            }
            for (; i < end; i++) {
                s0 += v[i];
            }
            sum += (s0 + s1) + (s2 + s3);
        }
        return sum / groupNeurons[g];
    }

    /** Drops the open frame (after RESET). */
    void resetFrame() {
        frameStartTick = -1;
        frameComputeNanos = 0;
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
        entry.setRunId(runId);
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
            if (out != SimulatorOutput.DISCARD) {
                meters.applied();
            }
        }
    }

    void journal(AppliedInput entry, long tick, SimulatorOutput out) {
        journal(entry, tick, timestampOfTick(Math.max(tick, net.tick())), out);
    }

    void journal(AppliedInput entry, long tick, long timestampMs, SimulatorOutput out) {
        entry.setSequence(journalSequence++);
        entry.setRunId(runId);
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
        long tick = outputTick();
        return Status.newBuilder().setNetworkId(id).setState(state).setMode(mode).setTick(tick)
                .setSimTimeMs(tick * net.dtMs()).setDtMs(net.dtMs()).setRunEpochMs(runEpochMs)
                .setSpeed(mode == RunMode.MAX ? 0.0 : speed).setRealtimeFactor(realtimeFactor).setMessage(message)
                .setInstanceId(instanceId).setUpdatedAtMs(nowMs).setRejectedCount(rejectedCount)
                .setStalledMs(stalledMs).setRunId(runId).build();
    }

    // ------------------------------------------------------------------ control

    /** Longest input duration, STEP or probe interval accepted, in ticks. */
    static final long MAX_TICKS = 1_000_000_000L;
    private static final List<String> VARIABLES = List.of("v", "u", "ge", "gi");

    public void countRejected() {
        rejectedCount++;
    }

    // ------------------------------------------------------------------ control

    /** Applies a command other than CREATE, or throws a {@link Rejection} that says why not. */
    public void control(Control c, SimulatorConfig config, long nowMs, long nowNanos) {
        switch (c.getCommand()) {
            case START:
                if (state != RunState.CREATED) {
                    throw wrongState("START", "a network starts once; use RESUME after PAUSE");
                }
                if (c.getSpeed() != null) {
                    setSpeed(c.getSpeed());
                }
                state = RunState.RUNNING;
                anchor(nowNanos);
                break;
            case PAUSE:
                if (state != RunState.RUNNING) {
                    throw wrongState("PAUSE", "only a running network pauses");
                }
                state = RunState.PAUSED;
                break;
            case RESUME:
                if (state != RunState.PAUSED) {
                    throw wrongState("RESUME", "only a paused network resumes");
                }
                state = RunState.RUNNING;
                if (mode == RunMode.STEPPED) {
                    mode = speed == 0.0 ? RunMode.MAX : RunMode.REALTIME;
                }
                stepBudget = 0;
                anchor(nowNanos);
                break;
            case STEP: {
                if (state != RunState.PAUSED && state != RunState.CREATED) {
                    throw wrongState("STEP", "step a network that is created or paused (PAUSE it first)");
                }
                Long steps = c.getSteps();
                if (steps == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "STEP needs steps (ticks to compute)");
                }
                if (steps < 1 || steps > MAX_TICKS) {
                    throw new Rejection(RejectReason.BAD_DURATION, "STEP needs steps between 1 and " + MAX_TICKS
                            + " (ticks), got " + steps);
                }
                if (state == RunState.CREATED) {
                    state = RunState.PAUSED;
                }
                stepBudget += steps;
                mode = RunMode.STEPPED;
                break;
            }
            case SPEED:
                if (c.getSpeed() == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "SPEED needs speed (0 = as fast as possible)");
                }
                setSpeed(c.getSpeed());
                anchor(nowNanos);
                break;
            case RESET: {
                // on the caller's thread (journal replay); live, SimulatorCore builds it off the loop
                java.util.concurrent.FutureTask<Network> build = new java.util.concurrent.FutureTask<>(() -> Network.build(spec));
                beginRebuild(build, nowMs - Math.floorMod(nowMs, 1000L));
                build.run();
                try {
                    endRebuild();
                } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                    throw new IllegalStateException("RESET could not rebuild network '" + id + "': " + e.getCause(), e);
                }
                break;
            }
            case PROBE:
                probe(c, config);
                break;
            case SET: {
                if (c.getSetPopulation() == null || c.getSetParameter() == null || c.getSetValue() == null) {
                    throw new Rejection(RejectReason.BAD_COMMAND, "SET needs set_population, set_parameter and set_value");
                }
                if (!Double.isFinite(c.getSetValue())) {
                    throw new Rejection(RejectReason.NON_FINITE, "set_value must be finite, got " + c.getSetValue());
                }
                InputCheck.inRange("set_value", c.getSetValue(), config);
                population(c.getSetPopulation());
                try {
                    net.setParameter(c.getSetPopulation(), c.getSetParameter(), c.getSetValue());
                } catch (IllegalArgumentException e) {
                    boolean unknown = String.valueOf(e.getMessage()).contains("has no settable parameter");
                    throw new Rejection(unknown ? RejectReason.UNKNOWN_PARAMETER : RejectReason.BAD_DURATION, e.getMessage());
                }
                break;
            }
            case CHECKPOINT:
                checkpointRequested = true;
                break;
            case STOP:
                state = RunState.STOPPED;
                break;
            default:
                throw new Rejection(RejectReason.BAD_COMMAND, "unknown command " + c.getCommand());
        }
    }

    Rejection wrongState(String command, String hint) {
        return new Rejection(RejectReason.WRONG_STATE, command + " is not allowed while network '" + id + "' is "
                + state + (mode == RunMode.STEPPED && state == RunState.PAUSED ? " (stepping)" : "") + ": " + hint);
    }

    private void setSpeed(double speed) {
        if (!(speed >= 0.0) || speed > 1e6 || Double.isNaN(speed)) {
            throw new Rejection(speed != speed || Double.isInfinite(speed) ? RejectReason.NON_FINITE : RejectReason.BAD_DURATION,
                    "speed must be 0 (as fast as possible) or a factor of real time in (0, 1e6], got " + speed);
        }
        this.speed = speed;
        if (mode != RunMode.STEPPED) {
            mode = speed == 0.0 ? RunMode.MAX : RunMode.REALTIME;
        }
    }

    /**
     * Computes up to {@code tick} without publishing (replay): as the network's state allows ticks to be
     * computed then — running, or paused with steps left (which the ticks use up).
     */
    public void computeSilently(long tick) {
        computeSilently(tick, Long.MAX_VALUE);
    }

    /**
     * {@link #computeSilently(long)}, frame by frame, until {@code deadlineNanos} (at least one frame);
     * returns the ticks computed.
     */
    int computeSilently(long tick, long deadlineNanos) {
        long start = net.tick();
        while (net.tick() < tick && state != RunState.NUMERIC_FAULT && state != RunState.FAILED) {
            if (net.tick() > start && System.nanoTime() >= deadlineNanos) {
                break;
            }
            int n = (int) Math.min(tick - net.tick(), ticksToFrameEnd());
            if (state == RunState.PAUSED) {
                stepBudget = Math.max(0, stepBudget - n);
            }
            try {
                compute(n, net.tick() + n == tick, SimulatorOutput.DISCARD);
            } catch (HostedNetwork.NumericFault e) {
                // recomputing what faulted before faults again, at the same tick: the network is restored as it ended
                fail(e);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, net.tick() - start);
    }

    /**
     * After a restart: the network must first be recomputed, silently, up to {@code tick} (where its
     * committed output ends) before it computes on and publishes; the loop does it a slice at a time
     * ({@link #catchUpSlice}), so no transaction stays open for the whole of it.
     */
    public void catchUpTo(long tick) {
        catchUpTo = tick > net.tick() ? tick : -1;
    }

    /** Whether the network is still being recomputed up to where its committed output ends. */
    public boolean catchingUp() {
        return catchUpTo >= 0;
    }

    /** The tick a network catching up recomputes to (-1: none). */
    public long catchUpTarget() {
        return catchUpTo;
    }

    /** Recomputes toward the catch-up tick for about {@link #SLICE_NANOS}; returns ticks computed. */
    public int catchUpSlice(long nowNanos) {
        int done = computeSilently(catchUpTo, System.nanoTime() + SLICE_NANOS);
        if (net.tick() >= catchUpTo || state == RunState.NUMERIC_FAULT || state == RunState.FAILED) {
            catchUpTo = -1;
            reanchor(nowNanos);
        }
        return Math.max(done, 1);
    }

    /** Finishes catching up now (a record for the network arrived before the loop got there). */
    public void finishCatchUp(long nowNanos) {
        if (catchUpTo >= 0) {
            computeSilently(catchUpTo);
            catchUpTo = -1;
            reanchor(nowNanos);
        }
    }

    public long nextArrival() {
        return arrivals++;
    }

    /** Sets the sequence number the next journal entry of this network gets. */
    public void journalPosition(long next) {
        journalSequence = next;
    }

    /** Marks a network FAILED after an error inside it; it computes no more. */
    public void fail(Throwable e) {
        if (e instanceof HostedNetwork.NumericFault) {
            state = RunState.NUMERIC_FAULT;
            message = "numeric fault at tick " + net.tick() + ": " + e.getMessage();
            org.slf4j.LoggerFactory.getLogger(HostedNetwork.class).error("network {} stopped: {}", id, message);
            return;
        }
        state = RunState.FAILED;
        message = "failed at tick " + net.tick() + ": " + e;
        org.slf4j.LoggerFactory.getLogger(HostedNetwork.class).error("network {} failed", id, e);
    }

    /** Marks a network FAILED for a reason found outside it (a record it made could not be published). */
    public void fail(String why) {
        state = RunState.FAILED;
        message = "failed at tick " + net.tick() + ": " + why;
        org.slf4j.LoggerFactory.getLogger(HostedNetwork.class).error("network {} failed: {}", id, why);
    }

    /** After a restore: real-time pacing continues from now. */
    public void reanchor(long nowNanos) {
        anchor(nowNanos);
    }

    private void anchor(long nowNanos) {
        anchorNanos = nowNanos;
        anchorTick = net.tick();
        rtfWallNanos = nowNanos;
        rtfTick = net.tick();
    }

    private void probe(Control c, SimulatorConfig config) {
        List<Integer> ids = c.getProbeNeurons();
        if (ids == null || ids.isEmpty()) {
            probeIds = new int[0];
            return;
        }
        if (ids.size() > 100_000) {
            throw new Rejection(RejectReason.OVERSIZED, "at most 100000 probed neurons, got " + ids.size());
        }
        int[] arr = new int[ids.size()];
        for (int i = 0; i < arr.length; i++) {
            int neuron = ids.get(i);
            if (neuron < 0 || neuron >= net.size()) {
                throw new Rejection(RejectReason.UNKNOWN_NEURON, "no neuron " + neuron + " in network '" + id + "' (ids 0.."
                        + (net.size() - 1) + ")");
            }
            arr[i] = neuron;
        }
        List<String> vars = c.getProbeVariables() == null || c.getProbeVariables().isEmpty()
                ? List.of("v") : c.getProbeVariables();
        for (String v : vars) {
            if (!VARIABLES.contains(v)) {
                throw new Rejection(RejectReason.BAD_COMMAND, "unknown probe variable '" + v + "'; variables: " + VARIABLES);
            }
        }
        int every = c.getProbeEveryTicks() == null ? 1 : c.getProbeEveryTicks();
        if (every < 1) {
            throw new Rejection(RejectReason.BAD_DURATION, "probe_every_ticks must be >= 1, got " + every);
        }
        int[] distinct = Arrays.stream(arr).distinct().toArray();
        double perSecond = (double) distinct.length * vars.size() * 1000.0 / (every * net.dtMs());
        if (perSecond > config.probeMaxValuesPerSecond()) {
            throw new Rejection(RejectReason.OVERSIZED, String.format(java.util.Locale.ROOT,
                    "the probe would sample %d neurons x %d variables every %d ticks (%.3g ms): %.3g values per simulated "
                            + "second, more than the %d allowed (%s); probe fewer neurons or sample less often",
                    distinct.length, vars.size(), every, every * net.dtMs(), perSecond, config.probeMaxValuesPerSecond(),
                    SimulatorConfig.PROBE_MAX_VALUES_PER_S));
        }
        probeIds = distinct;
        probeVars = vars.toArray(new String[0]);
        probeEvery = every;
    }

    Population population(String name) {
        for (Population p : net.populations()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new Rejection(RejectReason.UNKNOWN_POPULATION, "network '" + id + "' has no population '" + name + "'");
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Computes what is due for this network now, for at most about {@link HostedNetwork#SLICE_NANOS} of CPU
     * time (at least one tick): a frame that costs more is finished over several calls, so one slow
     * network never holds the loop from the others for longer than a tick. Returns ticks computed.
     */
    public int advance(long nowNanos, long nowMs, SimulatorConfig config, SimulatorOutput out) {
        if (state == RunState.RUNNING) {
            int n = ticksToFrameEnd();
            if (mode == RunMode.MAX) {
                return computeSliced(n, out);
            }
            long target = accountStall(nowNanos, config) ? net.tick() + n : realtimeTarget(nowNanos);
            if (net.tick() + n <= target) {
                return computeSliced(n, out);
            }
            return 0;
        }
        if (state == RunState.PAUSED && stepBudget > 0) {
            int n = (int) Math.min(stepBudget, ticksToFrameEnd());
            int done = computeSliced(n, out);
            stepBudget -= done;
            if (stepBudget == 0) {
                closeOpenFrame(out); // a STEP that ends inside a frame closes it early
                out.status(id, status(config.instanceId(), nowMs), nowMs);
            }
            return done;
        }
        return 0;
    }

    /**
     * If a running real-time network has fallen more than {@code simulator.max.lag.ms} behind the wall
     * clock × speed (a stall, or a network slower than real time), adds the gap to its {@code stalled_ms}
     * and re-anchors its pacing at now; returns whether it did.
     */
    public boolean accountStall(long nowNanos, SimulatorConfig config) {
        if (state != RunState.RUNNING || mode != RunMode.REALTIME) {
            return false;
        }
        long lagTicks = realtimeTarget(nowNanos) - net.tick();
        long maxLag = Math.max(ticksPerFrame, Math.round(config.maxLagMs() / net.dtMs()));
        if (lagTicks <= maxLag) {
            return false;
        }
        stalledMs += Math.round((lagTicks - ticksPerFrame) * net.dtMs() / speed);
        anchorNanos = nowNanos;
        anchorTick = net.tick();
        return true;
    }

    private long realtimeTarget(long nowNanos) {
        double simMs = (nowNanos - anchorNanos) / 1e6 * speed;
        return anchorTick + (long) Math.floor(simMs / net.dtMs());
    }

    public long nanosUntilWork(long nowNanos) {
        if (state == RunState.RUNNING) {
            if (mode == RunMode.MAX) {
                return 0;
            }
            long due = net.tick() + ticksToFrameEnd() - anchorTick;
            long dueNanos = anchorNanos + (long) Math.ceil(due * net.dtMs() * 1e6 / speed);
            return Math.max(0, dueNanos - nowNanos);
        }
        if (state == RunState.PAUSED && stepBudget > 0) {
            return 0;
        }
        return Long.MAX_VALUE;
    }

    /** Updates the measured real-time factor (simulated time / wall time since the last measurement). */
    public void measure(long nowNanos) {
        long wall = nowNanos - rtfWallNanos;
        if (wall > 0 && state == RunState.RUNNING) {
            realtimeFactor = (net.tick() - rtfTick) * net.dtMs() * 1e6 / wall;
        } else if (state != RunState.RUNNING) {
            realtimeFactor = 0.0;
        }
        rtfWallNanos = nowNanos;
        rtfTick = net.tick();
        meters.realtimeFactor(realtimeFactor);
    }

    /** The run this network is in (the offset on control of its CREATE; -1: not known). */
    public long runId() {
        return runId;
    }

    /** Sets the run (from the Checkpoint record a network is restored from); waiting inputs of no known run join it. */
    public void runId(long run) {
        this.runId = run;
        for (Pending p : pending) {
            if (p.journal.getRunId() < 0) {
                p.journal.setRunId(run);
            }
        }
    }

    /** The id the next checkpoint gets; counts it as taken at the current frame. */
    public long takeCheckpointId(int chunks) {
        checkpointFrames = frames();
        chunkKeys = Math.max(chunkKeys, chunks);
        return nextCheckpointId++;
    }

    /** After a restore or a run's start marker: the next checkpoint id and the chunk keys live on the topic. */
    public void checkpointsSoFar(long nextId, int liveChunkKeys) {
        nextCheckpointId = nextId;
        chunkKeys = Math.max(chunkKeys, liveChunkKeys);
        checkpointFrames = frames();
    }

    /** Frames computed since the last checkpoint. */
    public long framesSinceCheckpoint() {
        return frames() - checkpointFrames;
    }

    /** Checkpoint chunk keys 0 .. n - 1 this network may have on the topic. */
    public int chunkKeys() {
        return chunkKeys;
    }

    /** Whether the network has advanced since the Status published at the last commit; notes it as published. */
    public boolean advancedSinceCommit() {
        long tick = outputTick();
        boolean advanced = tick != committedStatusTick;
        committedStatusTick = tick;
        return advanced;
    }

    /** Where the published output reaches: the start of an open frame, which is where a successor resumes. */
    long outputTick() {
        return frameOpen() ? frameStartTick : net.tick();
    }

    /** The state of a network became non-finite: it stops with status NUMERIC_FAULT. */
    public static final class NumericFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NumericFault(String message) {
            super(message, null, false, false);
        }
    }
}
