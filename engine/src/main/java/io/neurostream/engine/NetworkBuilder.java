package io.neurostream.engine;

import io.neurostream.engine.model.ModelParameters;
import io.neurostream.engine.model.NeuronDynamics;
import io.neurostream.engine.model.NeuronModel;
import io.neurostream.engine.model.NeuronModels;
import io.neurostream.engine.model.NeuronState;
import io.neurostream.engine.random.CounterRng;
import io.neurostream.engine.spec.Dist;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.NetworkSpec.AreaSpec;
import io.neurostream.engine.spec.NetworkSpec.ConnectionSpec;
import io.neurostream.engine.spec.NetworkSpec.DistanceProfile;
import io.neurostream.engine.spec.NetworkSpec.InputSpec;
import io.neurostream.engine.spec.NetworkSpec.PopulationSpec;
import io.neurostream.engine.spec.NetworkSpec.TargetSpec;
import io.neurostream.engine.spec.SpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/** Turns a validated {@link NetworkSpec} into a {@link Network}: placement, models, synapses, inputs. */
final class NetworkBuilder {
    final NetworkSpec spec;
    int n;
    Lattice lattice;
    final List<Population> populations = new ArrayList<>();
    NeuronType[] types;
    boolean[] inhibitory;
    NeuronState state;
    int[] rowStart;
    int[] post;
    /** Each synapse's weight magnitude, or null when {@link #rowWeight} gives each row's one weight. */
    float[] weight;
    /**
     * Each row's one weight magnitude when every rule from a neuron has the same constant weight and nothing
     * changes weights (no plasticity); else null. The per-synapse weights are then never made.
     */
    float[] rowWeight;
    short[] delay;
    int uniformDelay;
    int maxDelay;
    boolean[] plasticPre;
    final List<Input> inputs = new ArrayList<>();

    NetworkBuilder(NetworkSpec spec) {
        this.spec = spec;
    }

    private SpecException error(String path, String problem) {
        return new SpecException(spec.source(), path, problem);
    }

    Network build() {
        place();
        createModels();
        connect();
        resolveInputs();
        for (NetworkSpec.ProbeSpec p : spec.probes()) {
            if (p.neurons() != null) {
                for (int i = 0; i < p.neurons().length; i++) {
                    if (p.neurons()[i] >= n) {
                        throw error(p.path() + ".neurons[" + i + "]", "no neuron " + p.neurons()[i] + ": the network has " + n
                                + " (ids 0.." + (n - 1) + ")");
                    }
                }
            }
        }
        return new Network(this);
    }

    // ------------------------------------------------------------------ placement

    private void place() {
        List<PopulationSpec> pops = spec.populations();
        int[] lattice;
        if (spec.lattice() == null) {
            long total = 0;
            for (PopulationSpec p : pops) {
                total += p.count();
            }
            lattice = new int[] {(int) Math.max(1, total), 1, 1, 1};
        } else {
            lattice = spec.lattice().clone();
        }
        List<Area> areas = new ArrayList<>();
        if (spec.areas().isEmpty()) {
            areas.add(new Area(0, "default", new int[4], new int[] {lattice[0] - 1, lattice[1] - 1, lattice[2] - 1, lattice[3] - 1}, null));
        } else {
            for (AreaSpec a : spec.areas()) {
                areas.add(new Area(areas.size(), a.name(), a.lo().clone(), a.hi().clone(), a.sense()));
            }
        }
        BitSet taken = new BitSet();
        int[] xs = new int[1024];
        int[] ys = new int[1024];
        int[] zs = new int[1024];
        int[] ws = new int[1024];
        int[] popStart = new int[pops.size() + 1];
        int count = 0;
        for (int pi = 0; pi < pops.size(); pi++) {
            PopulationSpec p = pops.get(pi);
            Area a = p.area() == null ? areas.get(0)
                    : areas.stream().filter(x -> x.name().equals(p.area())).findFirst().orElseThrow();
            long key = CounterRng.streamKey(spec.seed(), "place/" + p.name());
            int want = p.count() == null ? Integer.MAX_VALUE : p.count();
            int got = 0;
            outer:
            for (int w = a.lo()[3]; w <= a.hi()[3]; w++) {
                for (int z = a.lo()[2]; z <= a.hi()[2]; z++) {
                    for (int y = a.lo()[1]; y <= a.hi()[1]; y++) {
                        for (int x = a.lo()[0]; x <= a.hi()[0]; x++) {
                            if (got >= want) {
                                break outer;
                            }
                            long c = Lattice.cell(lattice, x, y, z, w);
                            if (taken.get((int) c)) {
                                continue;
                            }
                            if (p.density() != null && !(CounterRng.uniform(key, c, 0) < p.density())) {
                                continue;
                            }
                            taken.set((int) c);
                            if (count == xs.length) {
                                xs = Arrays.copyOf(xs, count * 2);
                                ys = Arrays.copyOf(ys, count * 2);
                                zs = Arrays.copyOf(zs, count * 2);
                                ws = Arrays.copyOf(ws, count * 2);
                            }
                            xs[count] = x;
                            ys[count] = y;
                            zs[count] = z;
                            ws[count] = w;
                            count++;
                            got++;
                        }
                    }
                }
            }
            if (p.count() != null && got < want) {
                throw error(p.path() + ".count", want + " neurons do not fit: area '" + a.name() + "' has only " + got
                        + " free coordinates left");
            }
            popStart[pi + 1] = count;
        }
        n = count;
        int[] cx = Arrays.copyOf(xs, n);
        int[] cy = Arrays.copyOf(ys, n);
        int[] cz = Arrays.copyOf(zs, n);
        int[] cw = Arrays.copyOf(ws, n);
        // types
        types = new NeuronType[n];
        inhibitory = new boolean[n];
        for (int pi = 0; pi < pops.size(); pi++) {
            PopulationSpec p = pops.get(pi);
            int s = popStart[pi];
            int e = popStart[pi + 1];
            if (p.balancedInhibitoryFraction() != null) {
                NeuronType[] t = BalancedTypes.create(e - s, p.balancedInhibitoryFraction(),
                        CounterRng.streamKey(spec.seed(), "balanced/" + p.name()));
                // The shuffled types stay on their coordinates, but ids put the excitatory neurons
                // first (stable), so that each class is a contiguous id range of the population.
                int[] order = new int[e - s];
                int m = 0;
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < t.length; i++) {
                        if (t[i].isInhibitory() == (pass == 1)) {
                            order[m++] = i;
                        }
                    }
                }
                int[][] c = {Arrays.copyOfRange(cx, s, e), Arrays.copyOfRange(cy, s, e),
                        Arrays.copyOfRange(cz, s, e), Arrays.copyOfRange(cw, s, e)};
                for (int i = 0; i < order.length; i++) {
                    types[s + i] = t[order[i]];
                    cx[s + i] = c[0][order[i]];
                    cy[s + i] = c[1][order[i]];
                    cz[s + i] = c[2][order[i]];
                    cw[s + i] = c[3][order[i]];
                }
            } else {
                Arrays.fill(types, s, e, NeuronType.byName(p.type()));
            }
            for (int i = s; i < e; i++) {
                inhibitory[i] = types[i].isInhibitory();
            }
        }
        this.lattice = new Lattice(lattice, areas, cx, cy, cz, cw);
        this.popStart = popStart;
    }

    private int[] popStart;

    // ------------------------------------------------------------------ models and initial state

    private static final Set<String> STATE_VARS = Set.of("v", "u", "ge", "gi");

    private void createModels() {
        state = new NeuronState(n, spec.dtMs());
        List<PopulationSpec> pops = spec.populations();
        for (int pi = 0; pi < pops.size(); pi++) {
            PopulationSpec p = pops.get(pi);
            int s = popStart[pi];
            int e = popStart[pi + 1];
            NeuronModel model = NeuronModels.find(p.model());
            if (model == null) {
                throw error(p.path() + ".model", "unknown model '" + p.model() + "'; models: " + NeuronModels.names());
            }
            for (Map.Entry<String, Dist> init : p.init().entrySet()) {
                if (!STATE_VARS.contains(init.getKey())) {
                    throw error(p.path() + ".init." + init.getKey(), "unknown state variable; variables: v, u, ge, gi");
                }
                double[] target = arrayOf(init.getKey());
                Dist d = init.getValue();
                long key = CounterRng.streamKey(spec.seed(), "init/" + p.name() + "/" + init.getKey());
                long rKey = CounterRng.streamKey(spec.seed(), "r/" + p.name());
                for (int i = s; i < e; i++) {
                    double r = d.kind() == Dist.Kind.FROM_R ? CounterRng.uniform(rKey, i, 0) : 0.0;
                    target[i] = d.sample(key, i, 0, r);
                }
            }
            NeuronDynamics dyn = dynamicsFor(spec, p, Arrays.copyOfRange(types, s, e), s);
            dyn.initialize(state, s, e);
            int inh = 0;
            for (int i = s; i < e; i++) {
                if (inhibitory[i]) {
                    inh++;
                }
            }
            int areaIndex = p.area() == null ? 0 : lattice.area(p.area()).index();
            populations.add(new Population(pi, p.name(), p.model(), s, e, areaIndex, dyn, inh));
        }
    }

    /** The dynamics of one population as its spec describes it (parameters only; no state is touched). */
    static NeuronDynamics dynamicsFor(NetworkSpec spec, PopulationSpec p, NeuronType[] popTypes, int start) {
        NeuronModel model = NeuronModels.find(p.model());
        if (model == null) {
            throw new SpecException(spec.source(), p.path() + ".model", "unknown model '" + p.model() + "'; models: "
                    + NeuronModels.names());
        }
        ModelParameters params = new ModelParameters(spec.source(), p.path(), p.name(), p.params(), popTypes, start,
                spec.dtMs(), spec.seed(), spec.synapse(), p.init().keySet());
        try {
            return model.create(params);
        } catch (SpecException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new SpecException(spec.source(), p.path() + ".params", "model '" + p.model()
                    + "' rejected its parameters: " + ex.getMessage());
        }
    }

    private double[] arrayOf(String var) {
        switch (var) {
            case "v": return state.v;
            case "u": return state.u;
            case "ge": return state.ge;
            default: return state.gi;
        }
    }

    // ------------------------------------------------------------------ synapses

    /** One connection rule, ready to emit the outgoing synapses of any presynaptic neuron. */
    private final class Rule {
        final ConnectionSpec c;
        final int[] from;   // [start, end) pairs
        final int[] to;
        final int toTotal;
        final long key;
        final long weightKey;
        final long delayKey;
        final long acceptKey;
        final double logQ;
        int[] inPreStart; // in_degree: synapses transposed to rows by pre
        int[] inPost;

        Rule(int index, ConnectionSpec c) {
            this.c = c;
            this.from = ranges(c.from());
            this.to = ranges(c.to());
            int t = 0;
            for (int i = 0; i < to.length; i += 2) {
                t += to[i + 1] - to[i];
            }
            this.toTotal = t;
            long base = CounterRng.streamKey(spec.seed(), "connect");
            this.key = CounterRng.subKey(base, 4L * index);
            this.weightKey = CounterRng.subKey(base, 4L * index + 1);
            this.delayKey = CounterRng.subKey(base, 4L * index + 2);
            this.acceptKey = CounterRng.subKey(base, 4L * index + 3);
            this.logQ = c.probability() == null || c.probability() >= 1.0 ? 0.0 : StrictMath.log1p(-c.probability());
            if (c.inDegree() != null) {
                drawInDegree();
            }
        }

        private int[] ranges(List<String> names) {
            List<int[]> r = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (seen.add(name)) {
                    Population p = populationByName(name);
                    r.add(new int[] {p.start(), p.end()});
                }
            }
            r.sort((a, b) -> Integer.compare(a[0], b[0]));
            int[] out = new int[r.size() * 2];
            for (int i = 0; i < r.size(); i++) {
                out[2 * i] = r.get(i)[0];
                out[2 * i + 1] = r.get(i)[1];
            }
            return out;
        }

        boolean hasPre(int pre) {
            for (int i = 0; i < from.length; i += 2) {
                if (pre >= from[i] && pre < from[i + 1]) {
                    return true;
                }
            }
            return false;
        }

        private int idAt(int[] rs, long pos) {
            for (int i = 0; i < rs.length; i += 2) {
                int len = rs[i + 1] - rs[i];
                if (pos < len) {
                    return rs[i] + (int) pos;
                }
                pos -= len;
            }
            throw new IllegalStateException("position out of range");
        }

        /**
         * Draws the sources of every target and stores them as rows by source, in two parallel passes over
         * blocks of targets that draw the same sources each time (counter-based random numbers keyed by the
         * target): the first counts each source's row, the second writes each target into the rows of its
         * sources, after which every row is sorted by target. Rows come out in target order, as a sequential
         * draw would leave them, whatever the threads; and the draw holds one int per synapse besides the
         * network's own arrays, not the (pre, post) pairs of the whole rule.
         */
        private void drawInDegree() {
            int k = c.inDegree();
            int fromTotal = 0;
            for (int i = 0; i < from.length; i += 2) {
                fromTotal += from[i + 1] - from[i];
            }
            long total = (long) k * toTotal;
            if (total > Integer.MAX_VALUE - 16) {
                throw error(c.path() + ".in_degree", "asks for " + total + " synapses; too many for one rule");
            }
            for (int q = 0; q < toTotal; q++) {
                int j = idAt(to, q);
                int available = fromTotal - (!c.autapses() && hasPre(j) ? 1 : 0);
                if (k > available) {
                    throw error(c.path() + ".in_degree", k + " exceeds the " + available + " possible presynaptic neurons");
                }
            }
            int fromCount = fromTotal;
            int blocks = (toTotal + CONNECT_BLOCK - 1) / CONNECT_BLOCK;
            AtomicIntegerArray rowEnd = new AtomicIntegerArray(n + 1);
            IntStream.range(0, blocks).parallel().forEach(b -> {
                Sources sources = new Sources(k);
                for (int q = b * CONNECT_BLOCK, end = Math.min(toTotal, q + CONNECT_BLOCK); q < end; q++) {
                    int[] pres = sources.draw(idAt(to, q), fromCount);
                    for (int pre : pres) {
                        rowEnd.incrementAndGet(pre + 1);
                    }
                }
            });
            inPreStart = new int[n + 1];
            for (int i = 0; i < n; i++) {
                inPreStart[i + 1] = inPreStart[i] + rowEnd.get(i + 1);
            }
            AtomicIntegerArray next = new AtomicIntegerArray(Arrays.copyOf(inPreStart, n));
            inPost = new int[(int) total];
            IntStream.range(0, blocks).parallel().forEach(b -> {
                Sources sources = new Sources(k);
                for (int q = b * CONNECT_BLOCK, end = Math.min(toTotal, q + CONNECT_BLOCK); q < end; q++) {
                    int j = idAt(to, q);
                    for (int pre : sources.draw(j, fromCount)) {
                        inPost[next.getAndIncrement(pre)] = j;
                    }
                }
            });
            IntStream.range(0, (n + CONNECT_BLOCK - 1) / CONNECT_BLOCK).parallel().forEach(b -> {
                for (int pre = b * CONNECT_BLOCK, end = Math.min(n, pre + CONNECT_BLOCK); pre < end; pre++) {
                    Arrays.sort(inPost, inPreStart[pre], inPreStart[pre + 1]);
                }
            });
        }

        /** The k distinct sources of one target, drawn by Floyd's algorithm; one per thread, reused. */
        private final class Sources {
            private final int k;
            private final int[] picks;
            private final int[] set; // open addressing, -1 empty
            private final int mask;

            Sources(int k) {
                this.k = k;
                this.picks = new int[k];
                this.mask = Integer.highestOneBit(Math.max(4, 2 * k)) * 2 - 1;
                this.set = new int[mask + 1];
            }

            /** The sources of target {@code j} among {@code fromTotal} candidates, as neuron ids (the array is reused). */
            int[] draw(int j, int fromTotal) {
                boolean excludeSelf = !c.autapses() && hasPre(j);
                int available = fromTotal - (excludeSelf ? 1 : 0);
                int selfPos = excludeSelf ? positionOf(from, j) : -1;
                Arrays.fill(set, -1);
                int m = 0;
                long counter = 0;
                for (int r = available - k; r < available; r++) {
                    int t = (int) (CounterRng.uniform(key, j, counter++) * (r + 1));
                    picks[m++] = add(t) ? t : forceAdd(r);
                }
                Arrays.sort(picks);
                for (int i = 0; i < k; i++) {
                    int pos = selfPos >= 0 && picks[i] >= selfPos ? picks[i] + 1 : picks[i];
                    picks[i] = idAt(from, pos);
                }
                return picks;
            }

            /** Adds {@code x}; false if it was there already. */
            private boolean add(int x) {
                int i = (x * 0x9E3779B9) >>> 1 & mask;
                while (set[i] != -1) {
                    if (set[i] == x) {
                        return false;
                    }
                    i = (i + 1) & mask;
                }
                set[i] = x;
                return true;
            }

            /** Adds {@code r}, which Floyd's algorithm guarantees is not there yet (it exceeds every earlier pick). */
            private int forceAdd(int r) {
                add(r);
                return r;
            }
        }

        private int positionOf(int[] rs, int id) {
            int pos = 0;
            for (int i = 0; i < rs.length; i += 2) {
                if (id >= rs[i] && id < rs[i + 1]) {
                    return pos + id - rs[i];
                }
                pos += rs[i + 1] - rs[i];
            }
            return -1;
        }

        /** Appends the synapses of {@code pre} under this rule. */
        void emit(int pre, SynapseSink out) {
            int m = 0;
            if (inPost != null) {
                for (int s = inPreStart[pre]; s < inPreStart[pre + 1]; s++) {
                    out.add(this, pre, m, inPost[s]);
                    m++;
                }
                return;
            }
            double p = c.probability();
            if (p <= 0.0 || toTotal == 0) {
                return;
            }
            long pos = -1;
            long counter = 0;
            int range = 0;
            long rangeBase = 0;
            while (true) {
                if (p >= 1.0) {
                    pos++;
                } else {
                    double u = CounterRng.uniformOpenZero(key, pre, counter++);
                    double skip = Math.floor(StrictMath.log(u) / logQ);
                    if (skip >= toTotal) {
                        return;
                    }
                    pos += 1 + (long) skip;
                }
                if (pos >= toTotal) {
                    return;
                }
                while (pos - rangeBase >= to[range + 1] - to[range]) {
                    rangeBase += to[range + 1] - to[range];
                    range += 2;
                }
                int j = to[range] + (int) (pos - rangeBase);
                if (j == pre && !c.autapses()) {
                    continue;
                }
                if (c.distance() != null) {
                    double d = lattice.distance(pre, j);
                    if (d > c.distance().maxDistance()) {
                        continue;
                    }
                    double s = c.distance().scaleLattice();
                    double f = c.distance().profile() == DistanceProfile.GAUSSIAN
                            ? StrictMath.exp(-d * d / (2 * s * s)) : StrictMath.exp(-d / s);
                    if (!(CounterRng.uniform(acceptKey, pre, pos) < f)) {
                        continue;
                    }
                }
                out.add(this, pre, m, j);
                m++;
            }
        }

        private float sampleWeight(int pre, long m) {
            Dist d = c.weight();
            if (d.isConstant()) {
                return (float) d.a();
            }
            for (int attempt = 0; attempt < 64; attempt++) {
                double w = d.sample(weightKey, pre, m + ((long) attempt << 40), 0.0);
                if (w >= 0) {
                    return (float) w;
                }
            }
            return 0f;
        }

        private int sampleDelay(int pre, long m) {
            double ms = c.delayMs().isConstant() ? c.delayMs().a() : c.delayMs().sample(delayKey, pre, m, 0.0);
            long ticks = Math.round(ms / spec.dtMs());
            return (int) Math.max(1, Math.min(ticks, io.neurostream.engine.spec.SpecParser.MAX_DELAY_TICKS));
        }
    }

    private Population populationByName(String name) {
        for (Population p : populations) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException(name);
    }

    /** Receives the synapses a rule emits for one presynaptic neuron: its m-th synapse goes to {@code target}. */
    private interface SynapseSink {
        void add(Rule rule, int pre, long m, int target);
    }

    /** Counts a row's synapses and the range of their delays (sampled only when a rule's delay varies). */
    private static final class Counter implements SynapseSink {
        long count;
        int minDelay = Integer.MAX_VALUE;
        int maxDelay;

        @Override
        public void add(Rule rule, int pre, long m, int target) {
            count++;
            int d = rule.sampleDelay(pre, m);
            minDelay = Math.min(minDelay, d);
            maxDelay = Math.max(maxDelay, d);
        }
    }

    /** Writes synapses into the final CSR arrays from a row's first index on. */
    private static final class Filler implements SynapseSink {
        final int[] post;
        final float[] weight;
        final short[] delay;
        int at;

        Filler(int[] post, float[] weight, short[] delay) {
            this.post = post;
            this.weight = weight;
            this.delay = delay;
        }

        @Override
        public void add(Rule rule, int pre, long m, int target) {
            post[at] = target;
            if (weight != null) {
                weight[at] = rule.sampleWeight(pre, m);
            }
            if (delay != null) {
                delay[at] = (short) rule.sampleDelay(pre, m);
            }
            at++;
        }
    }

    /** Each neuron's one outgoing weight when the spec's populations each have one ({@link NetworkSpec#sharedWeightBySource}), else null. */
    private float[] rowWeights() {
        Map<String, Float> shared = spec.sharedWeightBySource();
        if (shared == null) {
            return null;
        }
        float[] rw = new float[n];
        for (Population p : populations) {
            Arrays.fill(rw, p.start(), p.end(), shared.getOrDefault(p.name(), 0f));
        }
        return rw;
    }

    /** Presynaptic neurons per block of the parallel connection build. */
    private static final int CONNECT_BLOCK = 4096;
    /** The most synapses a network holds (its arrays are indexed by int). */
    private static final long MAX_SYNAPSES = Integer.MAX_VALUE - 16L;

    private SpecException tooManySynapses() {
        return error("connections", "the rules make more than " + MAX_SYNAPSES + " synapses, more than one network holds");
    }

    /**
     * Builds the synapses in two passes over blocks of presynaptic neurons, in parallel: the first counts each
     * row (and finds the range of delays), the second writes each row where the counts put it. A row depends only
     * on its neuron and the rules (counter-based random numbers), so the result is the same with any number of
     * threads; and the arrays are allocated once at their final size, so building needs little more memory than
     * the network it builds (growing arrays by copying needed two and a half times as much).
     */
    private void connect() {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < spec.connections().size(); i++) {
            rules.add(new Rule(i, spec.connections().get(i)));
        }
        int blocks = (n + CONNECT_BLOCK - 1) / CONNECT_BLOCK;
        long[] rowCount = new long[n];
        Counter[] blockCounts = new Counter[blocks];
        AtomicLong counted = new AtomicLong(); // of finished blocks: a spec asking for too many stops early
        IntStream.range(0, blocks).parallel().forEach(b -> {
            Counter counter = new Counter();
            for (int pre = b * CONNECT_BLOCK, end = Math.min(n, pre + CONNECT_BLOCK); pre < end; pre++) {
                if (counted.get() > MAX_SYNAPSES) {
                    return; // another block found too many
                }
                long before = counter.count;
                for (Rule r : rules) {
                    if (r.hasPre(pre)) {
                        r.emit(pre, counter);
                    }
                }
                rowCount[pre] = counter.count - before;
                if (counter.count + counted.get() > MAX_SYNAPSES) {
                    counted.set(Long.MAX_VALUE);
                    return;
                }
            }
            counted.accumulateAndGet(counter.count, (a, c) -> a > MAX_SYNAPSES ? a : a + c);
            blockCounts[b] = counter;
        });
        if (counted.get() > MAX_SYNAPSES) {
            throw tooManySynapses();
        }
        rowStart = new int[n + 1];
        long total = 0;
        for (int pre = 0; pre < n; pre++) {
            total += rowCount[pre]; // at most MAX_SYNAPSES in all, as the count made sure
            rowStart[pre + 1] = (int) total;
        }
        int minDelay = Integer.MAX_VALUE;
        int maxDelayFound = 0;
        for (Counter c : blockCounts) {
            minDelay = Math.min(minDelay, c.minDelay);
            maxDelayFound = Math.max(maxDelayFound, c.maxDelay);
        }
        int size = (int) total;
        post = new int[size];
        rowWeight = rowWeights();
        weight = rowWeight == null ? new float[size] : null;
        boolean uniform = size == 0 || minDelay == maxDelayFound;
        short[] delays = uniform ? null : new short[size];
        IntStream.range(0, blocks).parallel().forEach(b -> {
            Filler filler = new Filler(post, weight, delays);
            int first = b * CONNECT_BLOCK;
            filler.at = rowStart[first];
            for (int pre = first, end = Math.min(n, first + CONNECT_BLOCK); pre < end; pre++) {
                for (Rule r : rules) {
                    if (r.hasPre(pre)) {
                        r.emit(pre, filler);
                    }
                }
            }
        });
        if (size == 0) {
            uniformDelay = 1;
            maxDelay = 1;
            delay = null;
        } else if (uniform) {
            uniformDelay = maxDelayFound;
            maxDelay = maxDelayFound;
            delay = null;
        } else {
            maxDelay = maxDelayFound;
            delay = delays;
        }
        plasticPre = new boolean[n];
        if (spec.plasticity() != null) {
            if (spec.plasticity().from().isEmpty()) {
                Arrays.fill(plasticPre, true);
            } else {
                for (String f : spec.plasticity().from()) {
                    Population p = populationByName(f);
                    Arrays.fill(plasticPre, p.start(), p.end(), true);
                }
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    private void resolveInputs() {
        double dt = spec.dtMs();
        for (InputSpec in : spec.inputs()) {
            long from = Math.round(in.fromMs() / dt);
            long to = Double.isInfinite(in.toMs()) ? Input.FOREVER : Math.round(in.toMs() / dt);
            if (to <= from) {
                throw error(in.path(), "lasts less than one tick (dt_ms = " + dt + ")");
            }
            TargetSpec t = in.target();
            if (in.kind() == NetworkSpec.InputKind.MATRIX) {
                Area a = lattice.area(spec.senses().get(t.sense()).area());
                inputs.add(lattice.matrixInput(a, t.zLayer(), in.matrix(), in.scale(), from, to));
                continue;
            }
            int[] ids = resolveTarget(t, in.path() + ".target");
            if (in.kind() == NetworkSpec.InputKind.POISSON) {
                inputs.add(Input.poisson(ids, in.rateHz(), in.weight(), from, to));
            } else {
                inputs.add(Input.current(ids, in.current(), from, to));
            }
        }
    }

    int[] resolveTarget(TargetSpec t, String path) {
        if (t.populations() != null) {
            int total = 0;
            for (String p : t.populations()) {
                total += populationByName(p).size();
            }
            int[] ids = new int[total];
            int m = 0;
            for (String p : t.populations()) {
                Population pop = populationByName(p);
                for (int i = pop.start(); i < pop.end(); i++) {
                    ids[m++] = i;
                }
            }
            return ids;
        }
        if (t.area() != null) {
            return lattice.neuronsIn(lattice.area(t.area()));
        }
        if (t.neurons() != null) {
            for (int i = 0; i < t.neurons().length; i++) {
                if (t.neurons()[i] >= n) {
                    throw error(path + ".neurons[" + i + "]", "no neuron " + t.neurons()[i] + ": the network has " + n
                            + " (ids 0.." + (n - 1) + ")");
                }
            }
            return t.neurons().clone();
        }
        int[] ids = new int[t.coordinates().length];
        for (int i = 0; i < ids.length; i++) {
            int[] c = t.coordinates()[i];
            ids[i] = lattice.neuronAt(c[0], c[1], c[2], c[3]);
            if (ids[i] < 0) {
                throw error(path + ".coordinates[" + i + "]", "no neuron at " + Arrays.toString(c));
            }
        }
        return ids;
    }
}
