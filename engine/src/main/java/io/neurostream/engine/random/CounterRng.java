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
    private static final double TWO_PI = 2.0 * Math.PI;

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

    /**
     * A standard normal deviate (Box-Muller, cosine branch) from the two uniforms at counters
     * {@code 2·counter} and {@code 2·counter + 1}.
     */
    public static double normal(long key, long index, long counter) {
        double u1 = uniformOpenZero(key, index, counter << 1);
        double u2 = uniform(key, index, (counter << 1) | 1);
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
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
