package io.neurostream.engine;

import io.neurostream.engine.internal.StepPool;
import io.neurostream.engine.random.CounterRng;
import io.neurostream.engine.model.NeuronDynamics;
import io.neurostream.engine.model.NeuronState;
import io.neurostream.engine.model.SpikeSink;
import io.neurostream.engine.model.SynapticInput;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.NetworkSpec.SynapseKind;
import io.neurostream.engine.spec.SpecException;
import io.neurostream.engine.spec.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A runnable spiking network on the 4D lattice: the step loop over the structure-of-arrays neuron
 * state, in fixed chunks, and the model updates it calls. Where the neurons sit is its
 * {@code Lattice}; its synapses (CSR by presynaptic neuron, with delays), the delay ring buffer and
 * spike delivery are its {@code SynapseStore}; {@code Snapshot} is the format of its saved state.
 *
 * <h2>One tick</h2>
 * Tick {@code k} advances the state from {@code t = k·dt} to {@code (k+1)·dt}:
 * <ol>
 *   <li>inputs active on tick {@code k} add their current (or, Poisson, excitatory input);</li>
 *   <li>synaptic input due on tick {@code k} is taken from the ring buffer: {@code current_pulse}
 *       adds {@code E - I} to the input current of this tick, {@code voltage_jump} adds it to v
 *       (not while refractory), {@code exp_current} adds E to {@code ge} and I to {@code gi}
 *       ({@link SynapticInput});</li>
 *   <li>each population's model integrates, tests the threshold on the updated state and resets;
 *       a spike belongs to tick {@code k};</li>
 *   <li>each spike is delivered event-driven into the ring slot of tick {@code k + delay}
 *       (delay ≥ 1 tick), with the sign of its presynaptic neuron's class (Dale's law);</li>
 *   <li>plasticity, if any, updates the weights.</li>
 * </ol>
 * Cost per tick grows with N (integration) plus spikes × fan-out (delivery), never with N × S.
 *
 * <p>Results depend only on the spec, the seed and the inputs: random numbers come from counter-based
 * streams, and work split across threads is split into the same fixed chunks and summed in the same
 * order whatever the number of threads, so spikes are bit-identical with 1 or many threads.
 *
 * <p>Not thread-safe: one thread drives a network (its internal pool is its own business).
 */
public final class Network implements AutoCloseable {
    /** Neurons per unit of parallel work; fixed so that results never depend on the thread count. */
    static final int CHUNK = 4096;

    final NetworkSpec spec;
    final long seed;
    final double dtMs;
    final int n;
    final Lattice lattice;
    final List<Population> populations;
    final NeuronType[] types;
    final boolean[] inhibitory;
    final SynapseKind kind;

    final SynapseStore synapses;
    final NeuronState state;

    // fixed chunks of work
    private final int[] chunkStart;
    private final int[] chunkEnd;
    private final int[] chunkPop;
    private final int[] chunkClass;
    private final SpikeSink[] chunkSpikes;
    /**
     * Each chunk's results of the last round, as its worker left them for the merge in {@link #step}: its E input,
     * I input and spike count at {@code c * TOTALS_STRIDE} and the two entries after, a cache line per chunk. Packed,
     * the two workers' neighbouring chunks shared lines that both wrote each round.
     */
    private final double[] chunkTotals;
    private static final int TOTALS_STRIDE = 8;
    /**
     * The spikes of each worker's chunks in chunk order, collected by the worker at the end of its round: the
     * caller merges one compact list per worker instead of reading every chunk's sink, each on a cache line the
     * worker wrote (a transfer between cores each).
     */
    private SpikeSink[] workerSpikes = {new SpikeSink()};
    /**
     * The synaptic events of each worker's spikes in the last round, counted by the worker ({@link #runOwn}) so that
     * the caller only adds them up: worker {@code w}'s at {@code w * EVENT_STRIDE}, a cache line apart.
     */
    private long[] workerEvents = new long[1];
    private static final int EVENT_STRIDE = 8;
    private final boolean[] popFolds;
    private final boolean[] gathers;
    private final double decayExc;
    private final double decayInh;

    // inputs (with the counters and results below, what a Snapshot saves and restores)
    final ArrayList<Input> inputs = new ArrayList<>();
    private Input[] active = new Input[16];
    private int activeInputs;
    long nextInputStream;
    final Map<String, Double> parameterOverrides = new LinkedHashMap<>();

    final Plasticity plasticity;

    // per-tick results
    long tick;
    final SpikeSink spikes = new SpikeSink();
    private final int[] popSpikes;
    private final double[] popE;
    private final double[] popI;
    private long lastSynapticEvents;
    long totalSynapticEvents;
    long totalSpikes;

    private StepPool pool;
    private final IntConsumer deliverPart = this::deliverPart;
    private final IntConsumer deliverLateAndRun = this::deliverLateAndRun;
    private final IntConsumer runOwn = this::runOwn;
    /**
     * The last tick's spikes wait to be delivered in the next tick's round: on several threads, each worker
     * delivers them to its own targets and integrates those neurons at once, so that a tick needs one hand-over
     * between threads instead of two. Anything that looks at the state between ticks delivers them first
     * ({@link #completeTick}). Not with plasticity, which changes weights between delivering and the next tick.
     */
    private boolean lateDelivery;

    Network(NetworkBuilder b) {
        this.spec = b.spec;
        this.seed = b.spec.seed();
        this.dtMs = b.spec.dtMs();
        this.n = b.n;
        this.lattice = b.lattice;
        this.populations = Collections.unmodifiableList(b.populations);
        this.types = b.types;
        this.inhibitory = b.inhibitory;
        this.kind = b.spec.synapse().kind();
        this.state = b.state;
        this.decayExc = StrictMath.exp(-dtMs / b.spec.synapse().tauExcMs());
        this.decayInh = StrictMath.exp(-dtMs / b.spec.synapse().tauInhMs());

        // chunks never cross a population or an E/I class boundary (classes are contiguous in a population)
        List<int[]> chunkList = new ArrayList<>();
        for (Population p : populations) {
            int s = p.start();
            while (s < p.end()) {
                int e = s;
                int limit = Math.min(p.end(), s + CHUNK);
                while (e < limit && inhibitory[e] == inhibitory[s]) {
                    e++;
                }
                chunkList.add(new int[] {s, e, p.index(), inhibitory[s] ? 1 : 0});
                s = e;
            }
        }
        int chunks = chunkList.size();
        chunkStart = new int[chunks];
        chunkEnd = new int[chunks];
        chunkPop = new int[chunks];
        chunkClass = new int[chunks];
        chunkSpikes = new SpikeSink[chunks];
        chunkTotals = new double[Math.multiplyExact(chunks, TOTALS_STRIDE)];
        for (int c = 0; c < chunks; c++) {
            int[] ch = chunkList.get(c);
            chunkStart[c] = ch[0];
            chunkEnd[c] = ch[1];
            chunkPop[c] = ch[2];
            chunkClass[c] = ch[3];
            chunkSpikes[c] = new SpikeSink();
        }
        popFolds = new boolean[populations.size()];
        gathers = new boolean[populations.size()];
        for (Population p : populations) {
            gathers[p.index()] = p.dynamics.gathersSynapticInput();
            popFolds[p.index()] = kind == SynapseKind.EXP_CURRENT && !p.dynamics.integratesExpCurrents();
        }
        synapses = new SynapseStore(b, state, chunkStart, chunkEnd);
        state.ringE = synapses.ringE;
        state.ringI = synapses.ringI;
        state.ringActive = !synapses.direct;
        popSpikes = new int[2 * populations.size()];
        popE = new double[2 * populations.size()];
        popI = new double[2 * populations.size()];
        this.plasticity = b.spec.plasticity() == null ? null
                : new Plasticity(synapses, dtMs, b.spec.plasticity(), b.plasticPre);
        for (Input in : b.inputs) {
            addInput(in);
        }
    }

    /**
     * Rounds of work (about one a tick) that the calling thread ran alone with {@link #setThreads} above 1,
     * because waiting for the other threads cost more than their help: how much of a run was really parallel.
     * 0 on one thread.
     */
    public long roundsRunAlone() {
        return pool == null ? 0 : pool.soloRounds();
    }

    /** How many threads deliver spikes (1 unless {@link #setThreads} split delivery by target). */
    int deliveryThreads() {
        return synapses.splitWays();
    }

    /** Each of {@code ways} workers' first chunk: contiguous blocks of about n / ways neurons each; then the chunk count. */
    private int[] firstChunks(int ways) {
        int chunks = chunkStart.length;
        int[] first = new int[ways + 1];
        for (int w = 1; w < ways; w++) {
            long wanted = (long) w * n / ways;
            int c = first[w - 1];
            while (c < chunks && chunkStart[c] < wanted) {
                c++;
            }
            first[w] = c;
        }
        first[ways] = chunks;
        return first;
    }

    /** The first index in {@code [from, to)} of ascending {@code a} whose value is at least {@code key}. */
    static int lowerBound(int[] a, int from, int to, int key) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Builds the network a spec describes. Spec mistakes throw {@link SpecException}. */
    public static Network build(NetworkSpec spec) {
        return new NetworkBuilder(spec).build();
    }

    /** Reads, validates and builds a spec file. */
    public static Network load(Path specFile) {
        return build(SpecParser.parse(specFile));
    }

    /**
     * Uses {@code threads} threads for integration (1 = the calling thread only). The result is
     * bit-identical for every thread count.
     */
    public void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        completeTick();
        if (pool != null) {
            pool.close();
            pool = null;
        }
        if (threads > 1 && chunkStart.length > 1) {
            int[] firstChunk = firstChunks(Math.min(threads, chunkStart.length));
            pool = new StepPool(firstChunk);
            synapses.splitByTarget(firstChunk, chunkStart);
        } else {
            synapses.splitByTarget(null, chunkStart);
        }
        workerSpikes = new SpikeSink[pool == null ? 1 : pool.threads()];
        for (int w = 0; w < workerSpikes.length; w++) {
            workerSpikes[w] = new SpikeSink();
        }
        workerEvents = new long[workerSpikes.length * EVENT_STRIDE];
    }

    @Override
    public void close() {
        completeTick();
        if (pool != null) {
            pool.close();
            pool = null;
        }
    }

    // ------------------------------------------------------------------ stepping

    /** Advances one tick; returns the number of spikes in it (see {@link #spikes()}). */
    public int step() {
        final long k = tick;
        state.tick = k;
        state.ringOffset = synapses.beginTick(k);
        activeInputs = 0;
        for (int x = 0, m = inputs.size(); x < m; x++) {
            Input in = inputs.get(x);
            if (k >= in.fromTick && k < in.toTick) {
                if (activeInputs == active.length) {
                    active = Arrays.copyOf(active, active.length * 2);
                }
                active[activeInputs++] = in;
            }
        }
        state.inputActive = activeInputs > 0 || (synapses.direct && kind == SynapseKind.CURRENT_PULSE);
        if (pool != null) {
            if (lateDelivery) {
                lateDelivery = false;
                pool.runEach(deliverLateAndRun);
            } else {
                pool.runEach(runOwn);
            }
        } else {
            runOwn(0);
        }
        spikes.clear();
        Arrays.fill(popSpikes, 0);
        Arrays.fill(popE, 0.0);
        Arrays.fill(popI, 0.0);
        for (int c = 0; c < chunkStart.length; c++) {
            int p = 2 * chunkPop[c] + chunkClass[c];
            popE[p] += chunkTotals[c * TOTALS_STRIDE];
            popI[p] += chunkTotals[c * TOTALS_STRIDE + 1];
            popSpikes[p] += (int) chunkTotals[c * TOTALS_STRIDE + 2];
        }
        for (SpikeSink ws : workerSpikes) {
            spikes.addAll(ws);
        }
        long events = 0;
        for (int w = 0; w < workerSpikes.length; w++) {
            events += workerEvents[w * EVENT_STRIDE];
        }
        lastSynapticEvents = events;
        totalSynapticEvents += events;
        if (pool != null && plasticity == null && synapses.splitWays() > 1) {
            lateDelivery = spikes.size() > 0;
        } else if (spikes.size() > 0) {
            deliver();
        }
        if (plasticity != null) {
            plasticity.afterTick(k, spikes);
        }
        totalSpikes += spikes.size();
        tick = k + 1;
        if ((k & 1023) == 1023 || inputs.size() > 64) {
            pruneInputs(k + 1);
        }
        return spikes.size();
    }

    /** Runs {@code ticks} ticks, calling {@code listener} after each with that tick's spikes. */
    public void run(long ticks, SpikeListener listener) {
        for (long i = 0; i < ticks; i++) {
            step();
            if (listener != null) {
                listener.onTick(tick - 1, spikes.array(), spikes.size());
            }
        }
    }

    /** Receives the spikes of each tick: ids sorted ascending, {@code count} valid entries. */
    @FunctionalInterface
    public interface SpikeListener {
        void onTick(long tick, int[] neurons, int count);
    }

    private void runChunk(int c) {
        final int from = chunkStart[c];
        final int to = chunkEnd[c];
        final NeuronDynamics dyn = populations.get(chunkPop[c]).dynamics;
        final SpikeSink out = chunkSpikes[c];
        out.clear();
        if (activeInputs > 0) {
            applyInputs(state.tick, from, to, out);
        }
        if (gathers[chunkPop[c]]) {
            dyn.step(state, from, to, out);
        } else {
            gather(c, from, to, out);
            dyn.step(state, from, to, out);
            Arrays.fill(state.input, from, to, 0.0); // the generic gather writes input (folds, pulses)
            if (popFolds[chunkPop[c]]) {
                final double[] ge = state.ge;
                final double[] gi = state.gi;
                final double de = decayExc;
                final double di = decayInh;
                for (int j = from; j < to; j++) {
                    ge[j] *= de;
                    gi[j] *= di;
                }
            }
        }
        chunkTotals[c * TOTALS_STRIDE] = synapses.direct ? out.excitatoryInput + synapses.currentE(c) : out.excitatoryInput;
        chunkTotals[c * TOTALS_STRIDE + 1] = synapses.direct ? out.inhibitoryInput + synapses.currentI(c) : out.inhibitoryInput;
    }

    /** The engine's gather, for models that do not take their synaptic input themselves. */
    private void gather(int c, int from, int to, SpikeSink out) {
        final int off = state.ringOffset;
        final double[] re = state.ringE;
        final double[] ri = state.ringI;
        final double[] input = state.input;
        double sumE = 0.0;
        double sumI = 0.0;
        switch (kind) {
            case CURRENT_PULSE:
                for (int j = from; j < to; j++) {
                    double e = re[off + j];
                    double i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                    input[j] = SynapticInput.currentPulse(input[j], e, i);
                }
                break;
            case VOLTAGE_JUMP: {
                final double[] v = state.v;
                final int[] ref = state.refractory;
                for (int j = from; j < to; j++) {
                    double e = re[off + j];
                    double i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                    if (ref[j] == 0) {
                        v[j] = SynapticInput.voltageJump(v[j], e, i);
                    }
                }
                break;
            }
            default: {
                final double[] ge = state.ge;
                final double[] gi = state.gi;
                final boolean fold = popFolds[chunkPop[c]];
                for (int j = from; j < to; j++) {
                    double e = re[off + j];
                    double i = ri[off + j];
                    re[off + j] = 0.0;
                    ri[off + j] = 0.0;
                    sumE += e;
                    sumI += i;
                    double gej = SynapticInput.expCurrent(ge[j], e);
                    double gij = SynapticInput.expCurrent(gi[j], i);
                    ge[j] = gej;
                    gi[j] = gij;
                    if (fold) {
                        input[j] = SynapticInput.foldExpCurrents(input[j], gej, gij);
                    }
                }
            }
        }
        // added, not assigned: direct delivery has put this tick's Poisson input in already (applyInputs)
        out.excitatoryInput += sumE;
        out.inhibitoryInput += sumI;
    }

    private void deliver() {
        if (synapses.splitWays() > 1) {
            pool.runEach(deliverPart);
        } else {
            deliverPart(0);
        }
    }

    private void deliverPart(int w) {
        synapses.deliver(w, spikes);
    }

    /** Worker {@code w}'s round of a tick after one whose delivery waited: the last spikes to its targets, then its chunks. */
    private void deliverLateAndRun(int w) {
        final int first = pool.firstChunk(w);
        final int end = pool.firstChunk(w + 1);
        synapses.beginChunks(first, end);
        synapses.deliverLate(w, spikes);
        runChunks(w, first, end);
    }

    /** Worker {@code w}'s round of a tick: its chunks (all of them without a pool). */
    private void runOwn(int w) {
        final int first = pool == null ? 0 : pool.firstChunk(w);
        final int end = pool == null ? chunkStart.length : pool.firstChunk(w + 1);
        synapses.beginChunks(first, end);
        runChunks(w, first, end);
    }

    /** Integrates chunks {@code [first, end)}, worker {@code w}'s, then collects their spikes for the merge. */
    private void runChunks(int w, int first, int end) {
        for (int c = first; c < end; c++) {
            runChunk(c);
        }
        SpikeSink own = workerSpikes[w];
        own.clear();
        for (int c = first; c < end; c++) {
            chunkTotals[c * TOTALS_STRIDE + 2] = chunkSpikes[c].size();
            own.addAll(chunkSpikes[c]);
        }
        workerEvents[w * EVENT_STRIDE] = synapses.events(own);
    }

    /** Delivers the last tick's spikes if they wait for the next round, leaving the state as a tick ends. */
    private void completeTick() {
        if (lateDelivery) {
            lateDelivery = false;
            pool.runEach(deliverPart);
        }
    }

    /** Adds the active inputs' contributions of tick {@code k} to neurons {@code [from, to)}. */
    private void applyInputs(long k, int from, int to, SpikeSink out) {
        final double[] input = state.input;
        final int off = state.ringOffset;
        for (int x = 0; x < activeInputs; x++) {
            final Input in = active[x];
            final int[] ids = in.neurons;
            final int lo = in.lowerBound(from);
            final int hi = in.lowerBound(to);
            switch (in.kind) {
                case VALUES: {
                    final double[] vals = in.values;
                    for (int i = lo; i < hi; i++) {
                        input[ids[i]] += vals[i];
                    }
                    break;
                }
                case CURRENT:
                    if (in.current.isConstant()) {
                        final double c = in.current.a();
                        for (int i = lo; i < hi; i++) {
                            input[ids[i]] += c;
                        }
                    } else {
                        for (int i = lo; i < hi; i++) {
                            input[ids[i]] += in.current.sample(in.key, ids[i], k, 0.0);
                        }
                    }
                    break;
                default:
                    for (int i = lo; i < hi; i++) {
                        int events = CounterRng.poisson(in.key, ids[i], k, in.lambda, in.expMinusLambda);
                        if (events > 0) {
                            double e = events * in.weight;
                            if (!synapses.direct) {
                                state.ringE[off + ids[i]] += e;
                            } else {
                                // this tick's excitatory input, as the ring would have delivered it
                                final int j = ids[i];
                                if (kind == SynapseKind.EXP_CURRENT) {
                                    state.ge[j] = SynapticInput.expCurrent(state.ge[j], e);
                                } else {
                                    input[j] = SynapticInput.currentPulse(input[j], e, 0.0);
                                }
                                out.excitatoryInput += e;
                            }
                        }
                    }
            }
        }
    }

    private void pruneInputs(long nextTick) {
        int w = 0;
        for (int r = 0, m = inputs.size(); r < m; r++) {
            Input in = inputs.get(r);
            if (in.toTick > nextTick) {
                inputs.set(w++, in);
            }
        }
        for (int r = inputs.size() - 1; r >= w; r--) {
            inputs.remove(r);
        }
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Adds an input (its ticks are absolute). Returns the stream id that keys its random draws; the
     * n-th input added to a network always gets the same id, so replaying the same inputs in the
     * same order reproduces the same draws.
     */
    public long addInput(Input input) {
        for (int id : input.neurons) {
            if (id < 0 || id >= n) {
                throw new IllegalArgumentException("no neuron " + id + " (the network has " + n + ")");
            }
        }
        if (input.kind == Input.Kind.VALUES) {
            for (double v : input.values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("input values must be finite, got " + v);
                }
            }
        }
        long id = nextInputStream++;
        inputs.add(input.withStream(id, seed, dtMs));
        return id;
    }

    /**
     * The input of a sense matrix: {@code matrix[i][j]·scale} as current into the neuron at
     * {@code x = x0 + i}, {@code y = y0 + j} on z-layer {@code z0 + zLayer} and {@code w = w0} of the
     * sense's area, for the neurons that exist there (the seed's {@code feed_sense_input}). Inputs
     * on the same tick add up.
     */
    public Input senseInput(String sense, int zLayer, double[][] matrix, double scale, long fromTick, long toTick) {
        NetworkSpec.SenseSpec s = spec.senses().get(sense);
        if (s == null) {
            throw new IllegalArgumentException("unknown sense '" + sense + "'; senses: " + String.join(", ", spec.senses().keySet()));
        }
        Area a = lattice.area(s.area());
        int depth = a.hi()[2] - a.lo()[2] + 1;
        if (zLayer < 0 || zLayer >= depth) {
            throw new IllegalArgumentException("z_layer " + zLayer + " out of range for sense '" + sense + "' (0.." + (depth - 1) + ")");
        }
        int ax = a.hi()[0] - a.lo()[0] + 1;
        int ay = a.hi()[1] - a.lo()[1] + 1;
        if (matrix.length == 0 || matrix.length > ax || matrix[0].length == 0 || matrix[0].length > ay) {
            throw new IllegalArgumentException("matrix shape " + matrix.length + "x" + (matrix.length == 0 ? 0 : matrix[0].length)
                    + " does not fit sense '" + sense + "' (" + ax + "x" + ay + ")");
        }
        for (double[] row : matrix) {
            if (row.length != matrix[0].length) {
                throw new IllegalArgumentException("matrix rows differ in length");
            }
        }
        return lattice.matrixInput(a, zLayer, matrix, scale, fromTick, toTick);
    }

    /** Inputs still active at or after the current tick. */
    public int activeInputs() {
        return inputs.size();
    }

    // ------------------------------------------------------------------ parameters

    /**
     * Sets a model parameter of every neuron of a population from the next tick on (for example
     * {@code v_threshold}). Kept in snapshots.
     */
    public void setParameter(String population, String name, double value) {
        Population p = population(population);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("parameter " + name + " must be finite, got " + value);
        }
        if (!p.dynamics.setParameter(name, value)) {
            throw new IllegalArgumentException("model '" + p.model() + "' of population '" + population
                    + "' has no settable parameter '" + name + "'");
        }
        parameterOverrides.put(population + "\u0000" + name, value);
    }

    // ------------------------------------------------------------------ lookups

    public String name() {
        return spec.name();
    }

    public NetworkSpec spec() {
        return spec;
    }

    public long seed() {
        return seed;
    }

    public double dtMs() {
        return dtMs;
    }

    /** The next tick to be computed (= ticks computed so far). */
    public long tick() {
        return tick;
    }

    /** Number of neurons. */
    public int size() {
        return n;
    }

    /** Number of synapses. */
    public long synapseCount() {
        return synapses.count();
    }

    /** Lattice sizes on x, y, z, w. */
    public int[] lattice() {
        return lattice.size();
    }

    public List<Area> areas() {
        return lattice.areas();
    }

    public List<Population> populations() {
        return populations;
    }

    public Population population(String name) {
        for (Population p : populations) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown population '" + name + "'");
    }

    public Area area(String name) {
        return lattice.area(name);
    }

    /** The population neuron {@code id} belongs to. */
    public Population populationOf(int id) {
        int lo = 0;
        int hi = populations.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (populations.get(mid).start() <= id) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return populations.get(lo);
    }

    /** Coordinates {x, y, z, w} of neuron {@code id}. */
    public int[] coordinates(int id) {
        return lattice.coordinates(id);
    }

    public NeuronType type(int id) {
        return types[id];
    }

    public boolean isInhibitory(int id) {
        return inhibitory[id];
    }

    /** The neuron at a coordinate, or -1. */
    public int neuronAt(int x, int y, int z, int w) {
        return lattice.neuronAt(x, y, z, w);
    }

    /** The neurons whose coordinates lie in the area's box, ascending (the seed's get_neurons_in_area). */
    public int[] neuronsInArea(String area) {
        return lattice.neuronsIn(lattice.area(area));
    }

    /** The neurons of a population, ascending. */
    public int[] neuronsOfPopulation(String population) {
        Population p = population(population);
        int[] out = new int[p.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.start() + i;
        }
        return out;
    }

    /** Outgoing synapses of {@code pre}: {@code [start, end)} into {@link #synapseTarget}, {@link #synapseWeight}. */
    public int synapsesFrom(int pre) {
        return synapses.rowStart[pre];
    }

    public int synapsesEnd(int pre) {
        return synapses.rowStart[pre + 1];
    }

    public int synapseTarget(int synapse) {
        return synapses.post[synapse];
    }

    /** Magnitude of a synapse's weight (its sign follows the presynaptic class). */
    public float synapseWeight(int synapse) {
        return synapses.weightOf(synapse);
    }

    /** Delay of a synapse in ticks. */
    public int synapseDelayTicks(int synapse) {
        return synapses.delayTicks(synapse);
    }

    // ------------------------------------------------------------------ state and statistics

    /** The shared state arrays (read them between ticks; write at your own risk). */
    public NeuronState state() {
        completeTick();
        return state;
    }

    /** The value of state variable {@code v}, {@code u}, {@code ge} or {@code gi} of a neuron. */
    public double variable(int id, String var) {
        completeTick();
        switch (var) {
            case "v": return state.v[id];
            case "u": return state.u[id];
            case "ge": return state.ge[id];
            case "gi": return state.gi[id];
            default: throw new IllegalArgumentException("unknown variable '" + var + "'; variables: v, u, ge, gi");
        }
    }

    /** Spikes of the last tick, neuron ids ascending. */
    public SpikeSink spikes() {
        return spikes;
    }

    /** Spikes per population in the last tick, by population index. */
    public int spikesOfPopulation(int population) {
        return popSpikes[2 * population] + popSpikes[2 * population + 1];
    }

    /** Spikes in the last tick of a population's excitatory (inhibitory = false) or inhibitory neurons. */
    public int spikesOfPopulation(int population, boolean inhibitoryClass) {
        return popSpikes[2 * population + (inhibitoryClass ? 1 : 0)];
    }

    /** Summed excitatory synaptic input that arrived at a population's neurons in the last tick. */
    public double excitatoryInputOfPopulation(int population) {
        return popE[2 * population] + popE[2 * population + 1];
    }

    /** Summed excitatory synaptic input that arrived at one E/I class of a population in the last tick. */
    public double excitatoryInputOfPopulation(int population, boolean inhibitoryClass) {
        return popE[2 * population + (inhibitoryClass ? 1 : 0)];
    }

    /** Summed inhibitory synaptic input (a magnitude) that arrived at a population's neurons in the last tick. */
    public double inhibitoryInputOfPopulation(int population) {
        return popI[2 * population] + popI[2 * population + 1];
    }

    /** Summed inhibitory synaptic input (a magnitude) that arrived at one E/I class of a population in the last tick. */
    public double inhibitoryInputOfPopulation(int population, boolean inhibitoryClass) {
        return popI[2 * population + (inhibitoryClass ? 1 : 0)];
    }

    /**
     * The neurons of one E/I class of a population: {@code [start, end)} ids (each class is contiguous;
     * excitatory first). Empty ranges have {@code start == end}.
     */
    public int[] classRange(int population, boolean inhibitoryClass) {
        Population p = populations.get(population);
        int split = p.end() - p.inhibitoryCount();
        return inhibitoryClass ? new int[] {split, p.end()} : new int[] {p.start(), split};
    }

    /** Spikes in the last tick of the neurons of populations placed in an area. */
    public int spikesOfArea(int area) {
        int s = 0;
        for (Population p : populations) {
            if (p.areaIndex() == area) {
                s += spikesOfPopulation(p.index());
            }
        }
        return s;
    }

    /** E-I balance of an area in the last tick, from the summed E and I input of its populations. */
    public EiBalance balanceOfArea(int area) {
        double e = 0;
        double i = 0;
        for (Population p : populations) {
            if (p.areaIndex() == area) {
                e += excitatoryInputOfPopulation(p.index());
                i += inhibitoryInputOfPopulation(p.index());
            }
        }
        return EiBalance.of(e, i);
    }

    /** Synaptic events (spike × fan-out) delivered in the last tick. */
    public long synapticEventsLastTick() {
        return lastSynapticEvents;
    }

    public long totalSynapticEvents() {
        return totalSynapticEvents;
    }

    public long totalSpikes() {
        return totalSpikes;
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Writes the whole dynamic state (tick, v, u, currents, refractory counters, pending delay-buffer
     * input, plastic weights and traces, active inputs, changed parameters) in a versioned binary
     * format. Static weights are not written: they are rebuilt from spec and seed.
     */
    public void writeSnapshot(OutputStream os) throws IOException {
        completeTick();
        Snapshot.write(this, os);
    }

    /**
     * Restores what {@link #writeSnapshot} wrote into this network, which must have been built from
     * the same spec. Continuing from here equals never having stopped. Parameters changed at run time
     * are reset to the spec's, then those of the snapshot applied. The snapshot is read completely
     * before anything is changed: a refused snapshot (another spec, another format version, truncated
     * or corrupt) leaves the network as it was.
     */
    public void restoreSnapshot(InputStream is) throws IOException {
        completeTick();
        Snapshot.read(this, is).restore();
    }

    /** A 64-bit hash of the spec's canonical JSON: snapshots only restore into the same spec. */
    public long specHash() {
        return Snapshot.specHash(spec);
    }

    /** Approximate bytes held by the static synapse arrays (CSR rows, targets, weights, delays). */
    public long synapseBytes() {
        return synapses.bytes();
    }
}
