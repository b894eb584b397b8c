package io.neurostream.ingest.sense.internal;

/**
 * Resizes a matrix by area averaging: target cell {@code (i, j)} of an {@code rows x cols} result covers
 * the source rectangle {@code [i R/rows, (i+1) R/rows) x [j C/cols, (j+1) C/cols)} of an {@code R x C}
 * source, and takes the mean of the source cells under it, each weighted by how much of it lies inside.
 * Shrinking, that is a box filter (every source value counts once in all); growing, a target cell that
 * falls inside one source cell takes its value (nearest), one that straddles two takes their weighted
 * mean; same size, the values are copied unchanged.
 */
public final class Resample {
    private Resample() {
    }

    public static float[][] resize(float[][] in, int rows, int cols) {
        int srcRows = in.length;
        int srcCols = in[0].length;
        if (srcRows == rows && srcCols == cols) {
            float[][] copy = new float[rows][];
            for (int i = 0; i < rows; i++) {
                copy[i] = in[i].clone();
            }
            return copy;
        }
        double[][] wx = weights(srcRows, rows);
        double[][] wy = weights(srcCols, cols);
        float[][] out = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            int x0 = (int) wx[i][0];
            for (int j = 0; j < cols; j++) {
                int y0 = (int) wy[j][0];
                double sum = 0;
                double total = 0;
                for (int a = 1; a < wx[i].length; a++) {
                    double fx = wx[i][a];
                    if (fx == 0) {
                        continue;
                    }
                    float[] row = in[x0 + a - 1];
                    for (int b = 1; b < wy[j].length; b++) {
                        double w = fx * wy[j][b];
                        sum += w * row[y0 + b - 1];
                        total += w;
                    }
                }
                out[i][j] = (float) (sum / total);
            }
        }
        return out;
    }

    /**
     * For each of {@code n} target cells over {@code src} source cells: entry 0 = first source cell touched,
     * then the overlap of each touched source cell (in target-cell units, summing to 1).
     */
    private static double[][] weights(int src, int n) {
        double[][] w = new double[n][];
        double step = (double) src / n;
        for (int i = 0; i < n; i++) {
            double lo = i * step;
            double hi = (i + 1) * step;
            int first = (int) Math.floor(lo);
            int last = Math.min(src - 1, (int) Math.ceil(hi) - 1);
            double[] row = new double[last - first + 2];
            row[0] = first;
            for (int k = first; k <= last; k++) {
                row[k - first + 1] = Math.max(0, Math.min(hi, k + 1) - Math.max(lo, k));
            }
            w[i] = row;
        }
        return w;
    }
}
