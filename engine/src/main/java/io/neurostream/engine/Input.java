package io.neurostream.engine;

import io.neurostream.engine.random.CounterRng;
import io.neurostream.engine.spec.Dist;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An input applied to some neurons on ticks {@code [fromTick, toTick)}:
 * <ul>
 *   <li>{@link Kind#CURRENT}: the same current to each neuron, or drawn per neuron per tick from a
 *       distribution (thalamic noise);</li>
 *   <li>{@link Kind#VALUES}: one current per neuron (a sense matrix mapped onto a z-layer);</li>
 *   <li>{@link Kind#POISSON}: independent Poisson trains at {@code rateHz}; each event adds
 *       {@code weight} to the neuron's excitatory synaptic input of that tick.</li>
 * </ul>
 * Random draws are keyed by the input's stream id, the neuron and the tick, so an input gives the
 * same values whenever and wherever it is replayed.
 */
public final class Input {
    /** The kinds of input. */
    public enum Kind { CURRENT, VALUES, POISSON }

    /** Ticks to run forever. */
    public static final long FOREVER = Long.MAX_VALUE;

    final Kind kind;
    final int[] neurons;
    final double[] values;
    final Dist current;
    final double rateHz;
    final double weight;
    final long fromTick;
    final long toTick;
    final long streamId;
    // derived
    long key;
    double lambda;
    double expMinusLambda;

    private Input(Kind kind, int[] neurons, double[] values, Dist current, double rateHz, double weight,
            long fromTick, long toTick, long streamId) {
        if (toTick <= fromTick) {
            throw new IllegalArgumentException("an input must end after it starts: [" + fromTick + ", " + toTick + ")");
        }
        this.kind = kind;
        this.neurons = neurons;
        this.values = values;
        this.current = current;
        this.rateHz = rateHz;
        this.weight = weight;
        this.fromTick = fromTick;
        this.toTick = toTick;
        this.streamId = streamId;
    }

    /** A current (constant or drawn per neuron per tick) into {@code neurons}. */
    public static Input current(int[] neurons, Dist current, long fromTick, long toTick) {
        return new Input(Kind.CURRENT, neurons.clone(), null, current, 0, 0, fromTick, toTick, -1);
    }

    /** Current {@code values[i]} into {@code neurons[i]}. */
    public static Input values(int[] neurons, double[] values, long fromTick, long toTick) {
        if (neurons.length != values.length) {
            throw new IllegalArgumentException("neurons and values differ in length");
        }
        return new Input(Kind.VALUES, neurons.clone(), values.clone(), null, 0, 0, fromTick, toTick, -1);
    }

    /** Poisson trains at {@code rateHz} into {@code neurons}, each event an excitatory input of {@code weight}. */
    public static Input poisson(int[] neurons, double rateHz, double weight, long fromTick, long toTick) {
        return new Input(Kind.POISSON, neurons.clone(), null, null, rateHz, weight, fromTick, toTick, -1);
    }

    /**
     * This input with its random stream bound, its neurons sorted ascending (values with them) so
     * that each chunk of the network finds its own neurons by binary search.
     */
    Input withStream(long id, long seed, double dtMs) {
        int[] ids = neurons.clone();
        double[] vals = values == null ? null : values.clone();
        if (vals == null) {
            java.util.Arrays.sort(ids);
        } else {
            long[] packed = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                packed[i] = ((long) ids[i] << 32) | i;
            }
            java.util.Arrays.sort(packed);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) (packed[i] >>> 32);
                vals[i] = values[(int) packed[i]];
            }
        }
        Input in = new Input(kind, ids, vals, current, rateHz, weight, fromTick, toTick, id);
        in.key = CounterRng.subKey(CounterRng.streamKey(seed, "input"), id);
        in.lambda = rateHz * dtMs / 1000.0;
        in.expMinusLambda = StrictMath.exp(-in.lambda);
        return in;
    }

    /** Index of the first of this input's (sorted) neurons that is {@code >= id}. */
    int lowerBound(int id) {
        return Network.lowerBound(neurons, 0, neurons.length, id);
    }

    public Kind kind() {
        return kind;
    }

    public int[] neurons() {
        return neurons.clone();
    }

    /** How many neurons the input reaches (the length of {@link #neurons()}, without copying). */
    public int neuronCount() {
        return neurons.length;
    }

    /** Heap the input holds, about, in bytes: its neuron ids and per-neuron values. */
    public long heapBytes() {
        return 64 + 4L * neurons.length + (values == null ? 0 : 8L * values.length);
    }

    public long fromTick() {
        return fromTick;
    }

    public long toTick() {
        return toTick;
    }

    /** Input kinds in the order snapshot format 2 wrote them (by ordinal), frozen: the enum may grow. */
    private static final Kind[] V2_KINDS = {Kind.CURRENT, Kind.VALUES, Kind.POISSON};
    /** Distribution kinds in the order snapshot format 2 wrote them (by ordinal), frozen. */
    private static final Dist.Kind[] V2_DIST_KINDS = {Dist.Kind.CONSTANT, Dist.Kind.UNIFORM, Dist.Kind.NORMAL,
        Dist.Kind.FROM_R};

    /** Writes this input in the current snapshot format: kinds by name, so that new kinds do not shift old ones. */
    void write(DataOutput out) throws IOException {
        out.writeUTF(kind.name());
        out.writeLong(fromTick);
        out.writeLong(toTick);
        out.writeLong(streamId);
        out.writeInt(neurons.length);
        for (int id : neurons) {
            out.writeInt(id);
        }
        switch (kind) {
            case VALUES:
                for (double v : values) {
                    out.writeDouble(v);
                }
                break;
            case CURRENT:
                out.writeUTF(current.kind().name());
                out.writeDouble(current.a());
                out.writeDouble(current.b());
                out.writeDouble(current.c());
                break;
            default:
                out.writeDouble(rateHz);
                out.writeDouble(weight);
        }
    }

    /**
     * Reads what {@link #write} wrote in snapshot format {@code version}: 3 names the kinds, 2 wrote
     * their ordinals (mapped through the order of that time).
     */
    static Input read(DataInput in, long seed, double dtMs, int version) throws IOException {
        Kind kind = version >= 3 ? named(Kind.class, in.readUTF(), "input") : byOrdinal(V2_KINDS, in.readUnsignedByte(), "input");
        long from = in.readLong();
        long to = in.readLong();
        long stream = in.readLong();
        int n = in.readInt();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = in.readInt();
        }
        Input input;
        switch (kind) {
            case VALUES: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = in.readDouble();
                }
                input = new Input(kind, ids, v, null, 0, 0, from, to, stream);
                break;
            }
            case CURRENT: {
                Dist.Kind dk = version >= 3 ? named(Dist.Kind.class, in.readUTF(), "distribution")
                        : byOrdinal(V2_DIST_KINDS, in.readUnsignedByte(), "distribution");
                input = new Input(kind, ids, null, new Dist(dk, in.readDouble(), in.readDouble(), in.readDouble()),
                        0, 0, from, to, stream);
                break;
            }
            default:
                input = new Input(kind, ids, null, null, in.readDouble(), in.readDouble(), from, to, stream);
        }
        return input.withStream(stream, seed, dtMs);
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name, String what) throws IOException {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IOException("snapshot holds an " + what + " of kind '" + name + "' this build does not know (it knows "
                    + java.util.Arrays.toString(type.getEnumConstants()) + ")");
        }
    }

    private static <E> E byOrdinal(E[] v2Order, int ordinal, String what) throws IOException {
        if (ordinal >= v2Order.length) {
            throw new IOException("snapshot is corrupt (" + what + " kind " + ordinal + " of format 2 does not exist)");
        }
        return v2Order[ordinal];
    }
}
