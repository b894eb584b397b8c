package io.neurostream.engine.spec;

import io.neurostream.engine.random.CounterRng;

/**
 * A value in a spec that may be a constant or drawn per element: {@code 1.5},
 * {@code {"uniform": [lo, hi]}} (uniform on [lo, hi)), {@code {"normal": [mean, sd]}}, or
 * {@code {"from_r": [offset, scale, power]}}, which is {@code offset + scale·r^power} with one
 * uniform {@code r ∈ [0, 1)} per neuron shared by all of that neuron's parameters (the
 * heterogeneity of Izhikevich 2003: {@code c = -65 + 15 r²}, {@code d = 8 - 6 r²}).
 */
public record Dist(Kind kind, double a, double b, double c) {

    /** The forms a value can take. */
    public enum Kind { CONSTANT, UNIFORM, NORMAL, FROM_R }

    public static Dist constant(double value) {
        return new Dist(Kind.CONSTANT, value, 0, 0);
    }

    public static Dist uniform(double lo, double hi) {
        return new Dist(Kind.UNIFORM, lo, hi, 0);
    }

    public static Dist normal(double mean, double sd) {
        return new Dist(Kind.NORMAL, mean, sd, 0);
    }

    public boolean isConstant() {
        return kind == Kind.CONSTANT;
    }

    /** The smallest value this can produce ({@code -∞} for a normal with sd &gt; 0). */
    public double min() {
        switch (kind) {
            case CONSTANT: return a;
            case UNIFORM: return a;
            case NORMAL: return b == 0 ? a : Double.NEGATIVE_INFINITY;
            default: return Math.min(a, a + b);
        }
    }

    /** The largest value this can produce ({@code +∞} for a normal with sd &gt; 0). */
    public double max() {
        switch (kind) {
            case CONSTANT: return a;
            case UNIFORM: return b;
            case NORMAL: return b == 0 ? a : Double.POSITIVE_INFINITY;
            default: return Math.max(a, a + b);
        }
    }

    /** The mean of the distribution. */
    public double mean() {
        switch (kind) {
            case CONSTANT: return a;
            case UNIFORM: return 0.5 * (a + b);
            case NORMAL: return a;
            default: return a + b / (c + 1.0);
        }
    }

    /**
     * A draw for element {@code index}, draw number {@code counter}, of stream {@code key};
     * {@code r} is the element's shared heterogeneity variable (used by {@code from_r} only).
     */
    public double sample(long key, long index, long counter, double r) {
        switch (kind) {
            case CONSTANT: return a;
            case UNIFORM: return a + (b - a) * CounterRng.uniform(key, index, counter);
            case NORMAL: return a + b * CounterRng.normal(key, index, counter);
            default: return a + b * (c == 1.0 ? r : (c == 2.0 ? r * r : StrictMath.pow(r, c)));
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case CONSTANT: return Double.toString(a);
            case UNIFORM: return "{\"uniform\": [" + a + ", " + b + "]}";
            case NORMAL: return "{\"normal\": [" + a + ", " + b + "]}";
            default: return "{\"from_r\": [" + a + ", " + b + ", " + c + "]}";
        }
    }
}
