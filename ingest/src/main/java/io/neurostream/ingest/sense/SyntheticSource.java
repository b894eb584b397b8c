package io.neurostream.ingest.sense;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Made-up stimuli, generated at the sense's size for any time: sample {@code k} is the pattern at
 * {@code t = k / rateHz} s, without end. Values in [0, 1] except {@link #noise} (event counts).
 * The demo's sensors are these patterns with their defaults (a grating on vision, a chirp on audition).
 */
public final class SyntheticSource implements Source {

    /** A stimulus as a function of time: {@code [x][y]} values of a {@code rows x cols} sense at {@code tS} s. */
    @FunctionalInterface
    public interface Pattern {
        float[][] at(double tS, int rows, int cols);
    }

    /** Default grating: spatial period, cells along x. */
    public static final double GRATING_PERIOD_CELLS = 10.0;
    /** Default grating: drift, cycles per second. */
    public static final double GRATING_HZ = 2.0;
    /** Default grating: shown this long, then blank as long, s (0 = always shown). */
    public static final double GRATING_ON_S = 3.0;
    /** Default chirp: one sweep along x, then silence as long, s. */
    public static final double CHIRP_SWEEP_S = 1.0;
    /** Default chirp: width (sigma) of its Gaussian bump along x, cells. */
    public static final double CHIRP_SIGMA_CELLS = 2.0;
    /** Default moving bar: speed along x, cells per second. */
    public static final double BAR_CELLS_PER_S = 10.0;
    /** Default moving bar: width along x, cells. */
    public static final int BAR_WIDTH_CELLS = 2;
    /** Default noise: mean events per cell and sample. */
    public static final double NOISE_MEAN = 0.5;

    /** The names {@link #pattern(String)} knows. */
    public static final List<String> NAMES = List.of("grating", "chirp", "bar", "noise");

    private final Pattern pattern;
    private final int rows;
    private final int cols;
    private final double rateHz;
    private final String name;
    private long index;

    public SyntheticSource(Pattern pattern, int rows, int cols, double rateHz, String name) {
        this.pattern = pattern;
        this.rows = rows;
        this.cols = cols;
        this.rateHz = rateHz;
        this.name = name;
    }

    /** A pattern with its defaults by name: grating, chirp, bar, noise. */
    public static Pattern pattern(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "grating" -> grating(GRATING_PERIOD_CELLS, GRATING_HZ, GRATING_ON_S);
            case "chirp" -> chirp(CHIRP_SWEEP_S, CHIRP_SIGMA_CELLS);
            case "bar" -> bar(BAR_CELLS_PER_S, BAR_WIDTH_CELLS);
            case "noise" -> noise(NOISE_MEAN, 0L);
            default -> throw new IllegalArgumentException("no synthetic source '" + name + "'; there are: "
                    + String.join(", ", NAMES));
        };
    }

    /**
     * A sinusoidal grating drifting along x, constant along y: {@code 0.5 + 0.5 sin(2 pi (x / periodCells - hz t))};
     * shown for {@code onS} s, then all 0 for as long ({@code onS} = 0: always shown).
     */
    public static Pattern grating(double periodCells, double hz, double onS) {
        return (t, rows, cols) -> {
            float[][] m = new float[rows][cols];
            if (onS > 0 && (long) Math.floor(t / onS) % 2 == 1) {
                return m;
            }
            for (int x = 0; x < rows; x++) {
                float v = (float) (0.5 + 0.5 * Math.sin(2 * Math.PI * (x / periodCells - hz * t)));
                for (int y = 0; y < cols; y++) {
                    m[x][y] = v;
                }
            }
            return m;
        };
    }

    /**
     * A chirp on a tonotopic x axis: a Gaussian bump ({@code sigmaCells} wide) whose centre sweeps from
     * x = 0 to x = rows - 1 in {@code sweepS} s, then silence (all 0) for as long; constant along y.
     */
    public static Pattern chirp(double sweepS, double sigmaCells) {
        return (t, rows, cols) -> {
            float[][] m = new float[rows][cols];
            double phase = t % (2 * sweepS);
            if (phase >= sweepS) {
                return m;
            }
            double center = (rows - 1) * phase / sweepS;
            for (int x = 0; x < rows; x++) {
                double d = (x - center) / sigmaCells;
                float v = (float) Math.exp(-0.5 * d * d);
                for (int y = 0; y < cols; y++) {
                    m[x][y] = v;
                }
            }
            return m;
        };
    }

    /**
     * A bar {@code widthCells} wide along x (spanning y) moving along x at {@code cellsPerS}, wrapping
     * around: cells under the bar are 1, the others 0.
     */
    public static Pattern bar(double cellsPerS, int widthCells) {
        return (t, rows, cols) -> {
            float[][] m = new float[rows][cols];
            int start = (int) Math.floor(cellsPerS * t);
            for (int k = 0; k < widthCells; k++) {
                int x = Math.floorMod(start + k, rows);
                java.util.Arrays.fill(m[x], 1f);
            }
            return m;
        };
    }

    /**
     * Poisson noise: each cell's value is an independent Poisson count with mean {@code mean}, drawn from
     * a generator seeded by {@code seed} and the time in microseconds, so the same time gives the same noise.
     */
    public static Pattern noise(double mean, long seed) {
        double limit = Math.exp(-mean);
        return (t, rows, cols) -> {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + Math.round(t * 1e6));
            float[][] m = new float[rows][cols];
            for (int x = 0; x < rows; x++) {
                for (int y = 0; y < cols; y++) {
                    int k = 0;
                    double p = r.nextDouble();
                    while (p > limit) {
                        k++;
                        p *= r.nextDouble();
                    }
                    m[x][y] = k;
                }
            }
            return m;
        };
    }

    @Override
    public double rateHz() {
        return rateHz;
    }

    @Override
    public Sample next() {
        long k = index++;
        double t = k / rateHz;
        return new Sample(k, t, pattern.at(t, rows, cols));
    }

    @Override
    public String describe() {
        return "synthetic:" + name + " (" + rows + "x" + cols + " at " + rateHz + " Hz)";
    }
}
