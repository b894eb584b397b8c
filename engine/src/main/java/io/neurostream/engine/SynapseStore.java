package io.neurostream.engine;

import io.neurostream.engine.model.NeuronState;
import io.neurostream.engine.model.SpikeSink;
import io.neurostream.engine.spec.NetworkSpec.SynapseKind;
import java.util.Arrays;

/**
 * A network's synapses and the delivery of its spikes.
 *
 * <p>Synapses are kept in CSR rows by presynaptic neuron: the outgoing synapses of {@code pre} are
 * {@code [rowStart[pre], rowStart[pre + 1])}, each with its target {@link #post}, the magnitude of its
 * {@link #weight} (the sign follows the presynaptic class, Dale's law) and its delay in ticks
 * ({@link #delay}, or {@link #uniformDelay} for all when they share one). When each neuron's outgoing rules
 * share one constant weight and nothing changes weights (no plasticity), a row keeps that one weight
 * ({@link #rowWeight}) instead of one per synapse, as NEST's {@code static_synapse_hom_w} does: 4 bytes less per
 * synapse, built and held, and delivery reads the targets alone.
 *
 * <p>A spike of tick {@code k} is added into the delay ring buffer ({@link #ringE}, {@link #ringI}: one slot
 * of {@code n} entries per tick of delay) at the slot of tick {@code k + delay}, from where the neurons take it
 * on that tick. With one uniform delay of one tick, no plasticity and {@code current_pulse} or {@code exp_current}
 * synapses, delivery is {@link #direct}: spikes are added straight into the targets' {@code ge}/{@code gi} (or
 * next tick's input current), which saves every neuron two reads and two writes per tick, and the per-chunk E and
 * I input sums of the next tick ({@link #nextE}, {@link #nextI}) come from each row's precomputed sums per chunk.
 */
final class SynapseStore {
    /** Row sums per chunk are kept when they are at most 1/this of the synapses. */
    private static final int ROW_CHUNK_SPARSITY = 6;

    final int n;
    final int[] rowStart;
    final int[] post;
    /** Each synapse's weight magnitude, or null when each row has one ({@link #rowWeight}). */
    final float[] weight;
    /** Each row's one weight magnitude when {@link #weight} is null, else null. */
    private final float[] rowWeight;
    /** Per-synapse delays in ticks, or null when every synapse has {@link #uniformDelay}. */
    final short[] delay;
    final int uniformDelay;
    /** Whether a presynaptic neuron's synapses are inhibitory. */
    private final boolean[] inhibitory;
    private final boolean plastic;
    private final SynapseKind kind;
    private final NeuronState state;

    /** Slots of the ring buffer: the longest delay plus one. */
    final int ringSlots;
    final double[] ringE;
    final double[] ringI;
    /** Offset into the ring of the slot {@code d} ticks after the current tick, for {@code d ≤ ringSlots}. */
    private final int[] slotOffset;
    /** {@link #slotOffset} of the tick before the current one: where a late delivery of its spikes lands. */
    private final int[] lateSlotOffset;

    /** Direct delivery (see the class comment). */
    final boolean direct;
    /**
     * Direct delivery: summed E and I input of each chunk due next tick, and this tick; chunk {@code c}'s at
     * {@code c * SUM_STRIDE}, each on a cache line of its own. Two workers add to their own chunks' sums for every
     * spike at once; packed, neighbouring chunks of two workers shared a line, which then moved between the cores
     * at each addition (false sharing), whether it did depending on where the array happened to start.
     */
    private final double[] nextE;
    private final double[] nextI;
    private final double[] curE;
    private final double[] curI;
    /** Doubles per 64-byte cache line: the spacing of the chunk sums. */
    static final int SUM_STRIDE = 8;
    private final int chunks;
    private final int[] rowChunkStart;
    private final int[] rowChunk;
    private final double[] rowChunkSum;
    /** Direct delivery without row sums: each neuron's chunk, for the chunk sums synapse by synapse. */
    private final int[] targetChunk;

    /**
     * Delivery split by target between {@code splitWays} workers: worker {@code w} adds the synapses
     * {@code [rowSplit[pre * splitWays + w], rowSplit[pre * splitWays + w + 1])} of each spiking row, whose targets
     * lie in its own range of whole chunks, and the chunk sums {@code rowChunkSplit} likewise. Each target's
     * additions then come in the same order as on one thread (spikes in order, a row in order), so the result is
     * the same to the bit. With one way these are {@link #rowStart} and {@link #rowChunkStart}. Possible when each
     * row's targets are ascending (as one connection rule makes them) and there is no plasticity.
     */
    private int splitWays = 1;
    private int[] rowSplit;
    private int[] rowChunkSplit;
    private final boolean rowsAscending;

    /**
     * The synapses the builder made, delivering into {@code state}, whose neurons are integrated in the chunks
     * {@code [chunkStart[c], chunkEnd[c])}.
     */
    SynapseStore(NetworkBuilder b, NeuronState state, int[] chunkStart, int[] chunkEnd) {
        this.n = b.n;
        this.rowStart = b.rowStart;
        this.post = b.post;
        this.weight = b.weight;
        this.rowWeight = b.rowWeight;
        this.delay = b.delay;
        this.uniformDelay = b.uniformDelay;
        this.inhibitory = b.inhibitory;
        this.plastic = b.spec.plasticity() != null;
        this.kind = b.spec.synapse().kind();
        this.state = state;
        this.ringSlots = b.maxDelay + 1;
        this.ringE = new double[Math.multiplyExact(ringSlots, Math.max(n, 1))];
        this.ringI = new double[ringE.length];
        this.slotOffset = new int[ringSlots + 1];
        this.lateSlotOffset = new int[ringSlots + 1];
        this.direct = delay == null && uniformDelay == 1 && !plastic && kind != SynapseKind.VOLTAGE_JUMP;
        int chunks = chunkStart.length;
        this.chunks = chunks;
        nextE = new double[Math.multiplyExact(chunks, SUM_STRIDE)];
        nextI = new double[nextE.length];
        curE = new double[nextE.length];
        curI = new double[nextE.length];
        if (direct) {
            int[] chunkOf = new int[n];
            for (int c = 0; c < chunks; c++) {
                Arrays.fill(chunkOf, chunkStart[c], chunkEnd[c], c);
            }
            // a row's weights summed per target chunk, when that is much smaller than the synapses (a few chunks
            // per row, as in CUBA); else (rows spread over many chunks, as in a sparse million-neuron network) the
            // sums are made synapse by synapse at delivery, through targetChunk
            int[] mark = new int[chunks];
            Arrays.fill(mark, -1);
            long entries = 0;
            for (int pre = 0; pre < n; pre++) {
                for (int k = rowStart[pre]; k < rowStart[pre + 1]; k++) {
                    int c = chunkOf[post[k]];
                    if (mark[c] != pre) {
                        mark[c] = pre;
                        entries++;
                    }
                }
            }
            if (entries * ROW_CHUNK_SPARSITY <= post.length) {
                rowChunkStart = new int[n + 1];
                int[] rc = new int[(int) entries];
                double[] rs = new double[rc.length];
                double[] acc = new double[chunks];
                int[] touched = new int[chunks];
                int m = 0;
                for (int pre = 0; pre < n; pre++) {
                    int t = 0;
                    for (int k = rowStart[pre]; k < rowStart[pre + 1]; k++) {
                        int c = chunkOf[post[k]];
                        if (acc[c] == 0.0) {
                            touched[t++] = c;
                        }
                        acc[c] += weight != null ? weight[k] : rowWeight[pre];
                        if (acc[c] == 0.0) {
                            acc[c] = Double.MIN_VALUE; // keep a zero-weight chunk marked as touched
                        }
                    }
                    Arrays.sort(touched, 0, t);
                    for (int x = 0; x < t; x++) {
                        rc[m] = touched[x];
                        rs[m] = acc[touched[x]] == Double.MIN_VALUE ? 0.0 : acc[touched[x]];
                        acc[touched[x]] = 0.0;
                        m++;
                    }
                    rowChunkStart[pre + 1] = m;
                }
                rowChunk = rc;
                rowChunkSum = rs;
                targetChunk = null;
            } else {
                rowChunkStart = null;
                rowChunk = null;
                rowChunkSum = null;
                targetChunk = chunkOf;
            }
        } else {
            rowChunkStart = null;
            rowChunk = null;
            rowChunkSum = null;
            targetChunk = null;
        }
        rowsAscending = rowsAscending(rowStart, post, n);
        rowSplit = rowStart;
        rowChunkSplit = rowChunkStart;
    }

    /** Magnitude of a synapse's weight. */
    float weightOf(int synapse) {
        if (weight != null) {
            return weight[synapse];
        }
        // the row holding the synapse: the last one starting at or before it (empty rows start where the next does)
        int pre = Network.lowerBound(rowStart, 0, n + 1, synapse + 1) - 1;
        return rowWeight[pre];
    }

    /** Whether each row keeps one weight for all its synapses (see the class comment). */
    boolean rowsShareWeights() {
        return rowWeight != null;
    }

    private static boolean rowsAscending(int[] rowStart, int[] post, int n) {
        for (int pre = 0; pre < n; pre++) {
            for (int k = rowStart[pre] + 1; k < rowStart[pre + 1]; k++) {
                if (post[k] < post[k - 1]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Number of synapses. */
    int count() {
        return post.length;
    }

    /** Delay of a synapse in ticks. */
    int delayTicks(int synapse) {
        return delay == null ? uniformDelay : delay[synapse];
    }

    /** Approximate bytes held by the static synapse arrays (CSR rows, targets, weights, delays). */
    long bytes() {
        long b = 4L * rowStart.length + 4L * post.length + 4L * (weight != null ? weight.length : rowWeight.length);
        if (delay != null) {
            b += 2L * delay.length;
        }
        return b;
    }

    /** How many workers deliver spikes (1 unless {@link #splitByTarget} split delivery). */
    int splitWays() {
        return splitWays;
    }

    /**
     * Splits delivery by target between the workers that own the chunks {@code [firstChunk[w], firstChunk[w + 1])}
     * of the chunks starting at {@code chunkStart}, or back to one way when {@code firstChunk} is null or the split
     * is not possible (see {@link #rowSplit}).
     */
    void splitByTarget(int[] firstChunk, int[] chunkStart) {
        if (firstChunk == null || !rowsAscending || plastic) {
            splitWays = 1;
            rowSplit = rowStart;
            rowChunkSplit = rowChunkStart;
            return;
        }
        int ways = firstChunk.length - 1;
        int chunks = chunkStart.length;
        int[] firstTarget = new int[ways + 1]; // worker w's targets: [firstTarget[w], firstTarget[w + 1])
        for (int w = 1; w < ways; w++) {
            firstTarget[w] = firstChunk[w] < chunks ? chunkStart[firstChunk[w]] : n;
        }
        firstTarget[ways] = n;
        int[] split = new int[Math.multiplyExact(n, ways) + 1];
        boolean sums = rowChunk != null;
        int[] chunkSplit = sums ? new int[Math.multiplyExact(n, ways) + 1] : null;
        for (int pre = 0; pre < n; pre++) {
            for (int w = 0; w < ways; w++) {
                split[pre * ways + w] = Network.lowerBound(post, rowStart[pre], rowStart[pre + 1], firstTarget[w]);
                if (sums) {
                    chunkSplit[pre * ways + w] =
                            Network.lowerBound(rowChunk, rowChunkStart[pre], rowChunkStart[pre + 1], firstChunk[w]);
                }
            }
        }
        split[n * ways] = rowStart[n];
        if (sums) {
            chunkSplit[n * ways] = rowChunkStart[n];
        }
        rowSplit = split;
        rowChunkSplit = chunkSplit;
        splitWays = ways;
    }

    /**
     * Starts tick {@code k}: points the ring slots at it. Returns the ring offset of tick {@code k}'s slot. With
     * direct delivery each worker then makes its chunks' sums delivered for the tick the tick's own
     * ({@link #beginChunks}).
     */
    int beginTick(long k) {
        for (int d = 0; d <= ringSlots; d++) {
            slotOffset[d] = (int) ((k + d) % ringSlots) * n;
            lateSlotOffset[d] = (int) ((k + d + ringSlots - 1) % ringSlots) * n;
        }
        return slotOffset[0];
    }

    /**
     * With direct delivery, makes the sums delivered for the current tick to chunks {@code [from, to)} its own, and
     * starts the next tick's at zero; the worker that owns the chunks does it at the start of its round, before it
     * delivers or integrates, so that the sums stay in its core's cache (the caller swapping every chunk's sums
     * between rounds moved each worker's lines to its core and back every tick).
     */
    void beginChunks(int from, int to) {
        if (!direct) {
            return;
        }
        for (int c = from; c < to; c++) {
            int x = c * SUM_STRIDE;
            curE[x] = nextE[x];
            curI[x] = nextI[x];
            nextE[x] = 0.0;
            nextI[x] = 0.0;
        }
    }

    /** Direct delivery: chunk {@code c}'s summed E input delivered for the current tick (0 without direct delivery). */
    double currentE(int c) {
        return curE[c * SUM_STRIDE];
    }

    /** Direct delivery: chunk {@code c}'s summed I input delivered for the current tick. */
    double currentI(int c) {
        return curI[c * SUM_STRIDE];
    }

    /** The chunk sums of E (or I) input due next tick, one per chunk, as a snapshot saves them. */
    double[] nextSums(boolean inh) {
        double[] from = inh ? nextI : nextE;
        double[] sums = new double[chunks];
        for (int c = 0; c < chunks; c++) {
            sums[c] = from[c * SUM_STRIDE];
        }
        return sums;
    }

    /** Restores the chunk sums due next tick that {@link #nextSums} gave, one per chunk. */
    void restoreNextSums(double[] e, double[] i) {
        if (e.length != chunks || i.length != chunks) {
            throw new IllegalArgumentException("chunk sums for " + e.length + " chunks, the network has " + chunks);
        }
        Arrays.fill(nextE, 0.0);
        Arrays.fill(nextI, 0.0);
        for (int c = 0; c < chunks; c++) {
            nextE[c * SUM_STRIDE] = e[c];
            nextI[c * SUM_STRIDE] = i[c];
        }
    }

    /** Chunks: how many sums {@link #nextSums} gives. */
    int chunks() {
        return chunks;
    }

    /** Synaptic events (spike × fan-out) of the spiking neurons. */
    long events(SpikeSink spikes) {
        final int[] ids = spikes.array();
        final int count = spikes.size();
        final int[] rs = rowStart;
        long events = 0;
        for (int s = 0; s < count; s++) {
            events += rs[ids[s] + 1] - rs[ids[s]];
        }
        return events;
    }

    /**
     * Reads, for each spike, the row data delivery is about to use (its class, its split, every cache line of its
     * share of targets, weights and delays, and the first of its chunk sums), and folds them into a token the
     * compiler cannot drop. The rows of the few neurons that spike in a tick lie at random places in arrays far
     * larger than the caches, so delivering them one after the other waits for main memory several times per
     * spike; these loads do not depend on one another and the processor overlaps them. In CUBA 40,000 this
     * halved delivery on one thread, and it is most of what a worker's share of delivery costs on two (each
     * worker reads every spiking row, its own share of it). Nothing read here changes a result.
     */
    private void touchRows(int w, int[] ids, int count) {
        final int ways = splitWays;
        final int[] rs = rowSplit;
        final int[] targets = post;
        final float[] wt = weight;
        final short[] d = delay;
        final int[] rcs = rowChunkSplit;
        final int[] rc = rowChunk;
        final double[] rsum = rowChunkSum;
        int token = 0;
        for (int s = 0; s < count; s++) {
            final int pre = ids[s];
            final int from = rs[pre * ways + w];
            final int end = rs[pre * ways + w + 1];
            token += inhibitory[pre] ? 1 : 0;
            for (int k = from; k < end; k += INTS_PER_LINE) {
                token += targets[k] + (wt == null ? 0 : Float.floatToRawIntBits(wt[k])) + (d == null ? 0 : d[k]);
            }
            if (rc != null) {
                final int q = rcs[pre * ways + w];
                if (q < rcs[pre * ways + w + 1]) {
                    token += rc[q] + (int) Double.doubleToRawLongBits(rsum[q]);
                }
            }
        }
        if (token == Integer.MIN_VALUE) { // almost never: a write shared by the workers each tick would cost more
            touched = token;
        }
    }

    /** Entries of an int (or float) array in a 64-byte cache line. */
    private static final int INTS_PER_LINE = 16;
    /** What {@link #touchRows} read, kept so that the compiler keeps its loads. */
    @SuppressWarnings("unused")
    private int touched;

    /** Delivers the spikes of the current tick to worker {@code w}'s targets (all of them with one way), see {@link #rowSplit}. */
    void deliver(int w, SpikeSink spikes) {
        deliver(w, spikes, false);
    }

    /**
     * Delivers the spikes of the tick before the current one, after {@link #beginTick} of the current one and
     * before its neurons are integrated: into the same ring slots, and (direct delivery) into the current
     * tick's per-chunk sums, which {@code beginTick} would have moved them to. The result is the same as
     * {@link #deliver(int, SpikeSink)} at the end of that tick; it lets a worker deliver to its own targets and
     * integrate them in one round.
     */
    void deliverLate(int w, SpikeSink spikes) {
        deliver(w, spikes, true);
    }

    private void deliver(int w, SpikeSink spikes, boolean late) {
        final int[] ids = spikes.array();
        final int count = spikes.size();
        final int ways = splitWays;
        final int[] rs = rowSplit;
        final int[] targets = post;
        final float[] wt = weight;
        if (count > 1) {
            touchRows(w, ids, count);
        }
        if (direct) {
            // the rules of SynapticInput applied at delivery, one synapse at a time: w into ge or gi, or ±w into
            // the input current (subtracted, not added negated: the two differ in the sign of a zero)
            final boolean exp = kind == SynapseKind.EXP_CURRENT;
            final double[] in = state.input;
            final int[] rcs = rowChunkSplit;
            final int[] rc = rowChunk;
            final double[] rsum = rowChunkSum;
            for (int s = 0; s < count; s++) {
                final int pre = ids[s];
                final boolean inh = inhibitory[pre];
                final int from = rs[pre * ways + w];
                final int end = rs[pre * ways + w + 1];
                final double w1 = wt == null ? rowWeight[pre] : 0.0;
                if (exp) {
                    add(inh ? state.gi : state.ge, 0, targets, from, end, wt, w1);
                } else if (inh) {
                    subtract(in, targets, from, end, wt, w1);
                } else {
                    add(in, 0, targets, from, end, wt, w1);
                }
                final double[] next = late ? (inh ? curI : curE) : (inh ? nextI : nextE);
                if (rc != null) {
                    for (int q = rcs[pre * ways + w], qEnd = rcs[pre * ways + w + 1]; q < qEnd; q++) {
                        next[rc[q] * SUM_STRIDE] += rsum[q];
                    }
                } else {
                    final int[] tc = targetChunk;
                    if (wt == null) {
                        for (int k = from; k < end; k++) {
                            next[tc[targets[k]] * SUM_STRIDE] += w1;
                        }
                    } else {
                        for (int k = from; k < end; k++) {
                            next[tc[targets[k]] * SUM_STRIDE] += wt[k];
                        }
                    }
                }
            }
        } else if (delay == null) {
            final int off = late ? lateSlotOffset[uniformDelay] : slotOffset[uniformDelay];
            for (int s = 0; s < count; s++) {
                final int pre = ids[s];
                add(inhibitory[pre] ? ringI : ringE, off, targets, rs[pre * ways + w], rs[pre * ways + w + 1], wt,
                        wt == null ? rowWeight[pre] : 0.0);
            }
        } else {
            final short[] d = delay;
            final int[] so = late ? lateSlotOffset : slotOffset;
            for (int s = 0; s < count; s++) {
                final int pre = ids[s];
                final double[] ring = inhibitory[pre] ? ringI : ringE;
                final double w1 = wt == null ? rowWeight[pre] : 0.0;
                for (int k = rs[pre * ways + w], end = rs[pre * ways + w + 1]; k < end; k++) {
                    ring[so[d[k]] + targets[k]] += wt == null ? w1 : wt[k];
                }
            }
        }
    }

    /**
     * Adds synapses {@code [from, end)} into {@code to[off + target]}: each its own weight {@code wt[k]}, or all
     * {@code w1} when {@code wt} is null (the row's one weight; the same double either way).
     */
    private static void add(double[] to, int off, int[] targets, int from, int end, float[] wt, double w1) {
        if (wt == null) {
            for (int k = from; k < end; k++) {
                to[off + targets[k]] += w1;
            }
        } else {
            for (int k = from; k < end; k++) {
                to[off + targets[k]] += wt[k];
            }
        }
    }

    /** {@link #add} subtracting (not adding the negated weight: the two differ in the sign of a zero). */
    private static void subtract(double[] to, int[] targets, int from, int end, float[] wt, double w1) {
        if (wt == null) {
            for (int k = from; k < end; k++) {
                to[targets[k]] -= w1;
            }
        } else {
            for (int k = from; k < end; k++) {
                to[targets[k]] -= wt[k];
            }
        }
    }
}
