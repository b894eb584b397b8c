package io.neurostream.engine.random;

/**
 * Counter-based random numbers: every draw is a pure function of (seed, purpose, index, counter),
 * so results never depend on the order in which neurons, synapses or threads ask for them.
 *
 * <p>A stream is identified by a 64-bit key derived once from the network seed and a purpose
 * (see {@link #streamKey(long, String)}); a draw mixes the key with an index (a neuron, a synapse
 * row, a coordinate) and a counter (a tick, or the n-th draw of that index) through two rounds of
 * the SplitMix64 finaliser. All arithmetic is integer or IEEE-754 strict, and the transcendental
 * functions come from {@link StrictMath}, so the same key gives the same bits on every JVM and
 * machine.
 */
public final class CounterRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long C2 = 0xD1B54A32D192ED03L;

    private CounterRng() {
    }

    /** SplitMix64's finaliser: a bijective 64-bit mixer. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key of the stream used for {@code purpose} in a network with {@code seed}. */
    public static long streamKey(long seed, String purpose) {
        long h = mix(seed + GOLDEN);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h ^ purpose.charAt(i));
        }
        return h;
    }

    /** The key of a sub-stream, e.g. the n-th connection rule of a network. */
    public static long subKey(long key, long n) {
        return mix(key ^ mix(n * C2 + GOLDEN));
    }

    /** 64 random bits for (index, counter) of the stream {@code key}. */
    public static long bits(long key, long index, long counter) {
        long h = mix(key + index * GOLDEN);
        return mix(h ^ (counter * C2 + 0x632BE59BD9B4E019L));
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    public static double uniform(long key, long index, long counter) {
        return (bits(key, index, counter) >>> 11) * 0x1.0p-53;
    }

    /** A uniform double in (0, 1]: safe to take the logarithm of. */
    public static double uniformOpenZero(long key, long index, long counter) {
        return ((bits(key, index, counter) >>> 11) + 1) * 0x1.0p-53;
    }

    // Ziggurat of Marsaglia and Tsang (2000) in Doornik's (2005) form: 128 layers; tables computed
    // once with StrictMath, so they are the same bits on every JVM.
    private static final int ZIG_LAYERS = 128;
    private static final double ZIG_R = 3.442619855899;
    private static final double ZIG_V = 9.91256303526217e-3;
    private static final double[] ZIG_X = new double[ZIG_LAYERS + 1];
    private static final double[] ZIG_RATIO = new double[ZIG_LAYERS];

    static {
        double f = StrictMath.exp(-0.5 * ZIG_R * ZIG_R);
        ZIG_X[0] = ZIG_V / f;
        ZIG_X[1] = ZIG_R;
        ZIG_X[ZIG_LAYERS] = 0.0;
        for (int i = 2; i < ZIG_LAYERS; i++) {
            ZIG_X[i] = StrictMath.sqrt(-2.0 * StrictMath.log(ZIG_V / ZIG_X[i - 1] + f));
            f = StrictMath.exp(-0.5 * ZIG_X[i] * ZIG_X[i]);
        }
        for (int i = 0; i < ZIG_LAYERS; i++) {
            ZIG_RATIO[i] = ZIG_X[i + 1] / ZIG_X[i];
        }
    }

    /** Draws of one normal deviate use counters {@code counter·64 + j}, j < 64. */
    private static final int NORMAL_DRAWS = 64;

    /**
     * A standard normal deviate for (index, counter) of stream {@code key}, by the ziggurat method: one
     * 64-bit draw (7 bits pick the layer, 53 the position) is accepted about 98.8 % of the time with
     * one multiplication; wedges and the tail take further draws of the same (index, counter). No
     * shared state: the same arguments always give the same value.
     */
    public static double normal(long key, long index, long counter) {
        final long base = counter * NORMAL_DRAWS;
        int j = 0;
        while (j < NORMAL_DRAWS - 4) {
            long b = bits(key, index, base + j++);
            int layer = (int) (b & 0x7F);
            double u = 2.0 * ((b >>> 11) * 0x1.0p-53) - 1.0;
            if (Math.abs(u) < ZIG_RATIO[layer]) {
                return u * ZIG_X[layer];
            }
            if (layer == 0) {
                // the tail beyond R (Marsaglia 1964)
                double x;
                double y;
                do {
                    x = StrictMath.log(uniformOpenZero(key, index, base + j++)) / ZIG_R;
                    y = StrictMath.log(uniformOpenZero(key, index, base + j++));
                } while (-2.0 * y < x * x && j < NORMAL_DRAWS - 2);
                return u < 0 ? x - ZIG_R : ZIG_R - x;
            }
            double x = u * ZIG_X[layer];
            double f0 = StrictMath.exp(-0.5 * (ZIG_X[layer] * ZIG_X[layer] - x * x));
            double f1 = StrictMath.exp(-0.5 * (ZIG_X[layer + 1] * ZIG_X[layer + 1] - x * x));
            if (f1 + uniform(key, index, base + j++) * (f0 - f1) < 1.0) {
                return x;
            }
        }
        return 0.0; // after ~60 rejections in a row (probability below 1e-100)
    }

    /**
     * A Poisson-distributed count with mean {@code lambda}, given {@code expMinusLambda =
     * exp(-lambda)}, by inversion of one uniform (exact; meant for small means such as rate·dt).
     */
    public static int poisson(long key, long index, long counter, double lambda, double expMinusLambda) {
        double u = uniform(key, index, counter);
        double p = expMinusLambda;
        double s = p;
        int k = 0;
        while (u > s && k < 1000) {
            k++;
            p *= lambda / k;
            s += p;
        }
        return k;
    }
}
