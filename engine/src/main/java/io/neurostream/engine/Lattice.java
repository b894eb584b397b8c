package io.neurostream.engine;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Where the neurons sit: the 4D lattice's sizes, its areas, each neuron's coordinates {x, y, z, w}
 * and the way back from a coordinate to the neuron placed there (at most one per coordinate).
 *
 * <p>A coordinate is numbered as the cell {@code x + X·(y + Y·(z + Z·w))} for lattice sizes
 * {@code X, Y, Z, W}; the placed cells are kept sorted, with their neurons alongside, so that a
 * lookup is a binary search. Immutable once built.
 */
final class Lattice {
    private final int[] size;
    private final List<Area> areas;
    private final int[] cx;
    private final int[] cy;
    private final int[] cz;
    private final int[] cw;
    private final long[] sortedCells;
    private final int[] cellNeuron;

    /**
     * A lattice of {@code size} holding neuron {@code i} at {@code (cx[i], cy[i], cz[i], cw[i])}, each at
     * a distinct coordinate inside the lattice. The arrays are kept, not copied.
     */
    Lattice(int[] size, List<Area> areas, int[] cx, int[] cy, int[] cz, int[] cw) {
        this.size = size.clone();
        this.areas = Collections.unmodifiableList(areas);
        this.cx = cx;
        this.cy = cy;
        this.cz = cz;
        this.cw = cw;
        int n = cx.length;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = (cell(size, cx[i], cy[i], cz[i], cw[i]) << 32) | i;
        }
        Arrays.sort(packed);
        sortedCells = new long[n];
        cellNeuron = new int[n];
        for (int i = 0; i < n; i++) {
            sortedCells[i] = packed[i] >>> 32;
            cellNeuron[i] = (int) packed[i];
        }
    }

    /** The cell number of a coordinate inside a lattice of {@code size}. */
    static long cell(int[] size, int x, int y, int z, int w) {
        return x + (long) size[0] * (y + (long) size[1] * (z + (long) size[2] * w));
    }

    /** Sizes on x, y, z, w (a copy). */
    int[] size() {
        return size.clone();
    }

    /** Number of neurons placed. */
    int neurons() {
        return cx.length;
    }

    List<Area> areas() {
        return areas;
    }

    Area area(String name) {
        for (Area a : areas) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown area '" + name + "'");
    }

    /** Coordinates {x, y, z, w} of neuron {@code id}. */
    int[] coordinates(int id) {
        return new int[] {cx[id], cy[id], cz[id], cw[id]};
    }

    /** Euclidean distance between two neurons in lattice units. */
    double distance(int a, int b) {
        double dx = cx[a] - cx[b];
        double dy = cy[a] - cy[b];
        double dz = cz[a] - cz[b];
        double dw = cw[a] - cw[b];
        return Math.sqrt(dx * dx + dy * dy + dz * dz + dw * dw);
    }

    /** The neuron at a coordinate, or -1 (also for a coordinate off the lattice). */
    int neuronAt(int x, int y, int z, int w) {
        if (x < 0 || y < 0 || z < 0 || w < 0 || x >= size[0] || y >= size[1] || z >= size[2] || w >= size[3]) {
            return -1;
        }
        int i = Arrays.binarySearch(sortedCells, cell(size, x, y, z, w));
        return i >= 0 ? cellNeuron[i] : -1;
    }

    /** The neurons whose coordinates lie in the area's box, ascending. */
    int[] neuronsIn(Area a) {
        int[] out = new int[16];
        int m = 0;
        for (int id = 0; id < cx.length; id++) {
            if (a.contains(cx[id], cy[id], cz[id], cw[id])) {
                if (m == out.length) {
                    out = Arrays.copyOf(out, m * 2);
                }
                out[m++] = id;
            }
        }
        return Arrays.copyOf(out, m);
    }

    /**
     * The input of a matrix laid on an area: {@code matrix[i][j]·scale} as current into the neuron at
     * {@code x = x0 + i}, {@code y = y0 + j}, {@code z = z0 + zLayer}, {@code w = w0} (the area's lowest
     * corner {@code (x0, y0, z0, w0)}), for the coordinates where a neuron is placed, in that order.
     */
    Input matrixInput(Area a, int zLayer, double[][] matrix, double scale, long fromTick, long toTick) {
        int cells = 0;
        for (double[] row : matrix) {
            cells += row.length;
        }
        int[] ids = new int[cells];
        double[] vals = new double[cells];
        int m = 0;
        for (int i = 0; i < matrix.length; i++) {
            for (int j = 0; j < matrix[i].length; j++) {
                int id = neuronAt(a.lo()[0] + i, a.lo()[1] + j, a.lo()[2] + zLayer, a.lo()[3]);
                if (id >= 0) {
                    ids[m] = id;
                    vals[m] = matrix[i][j] * scale;
                    m++;
                }
            }
        }
        return Input.values(Arrays.copyOf(ids, m), Arrays.copyOf(vals, m), fromTick, toTick);
    }
}
