package io.neurostream.ingest.sense;

import java.util.Arrays;

/**
 * The size of a sense as a matrix sees it: the extent of the sense's area along x ({@code rows}), along
 * y ({@code cols}) and along z ({@code layers}), and the area's lower corner on the lattice
 * ({@code origin} = x, y, z, w), which a POISSON encoding needs to name the area's cells.
 *
 * <p>A MATRIX input's row {@code i} lands on x = origin x + i and its column {@code j} on y = origin y + j,
 * on one z-layer; so a sample for this sense is resized to {@code rows x cols} before it is sent.
 *
 * @param sense  the sense's name in the network's spec
 * @param rows   cells along x (at least 1)
 * @param cols   cells along y (at least 1)
 * @param layers cells along z (at least 1)
 * @param origin the area's lower corner, x, y, z, w (lattice cells)
 */
public record SenseShape(String sense, int rows, int cols, int layers, int[] origin) {

    public SenseShape {
        if (rows < 1 || cols < 1 || layers < 1) {
            throw new IllegalArgumentException("sense '" + sense + "' must be at least 1x1x1, got " + rows + "x" + cols + "x"
                    + layers);
        }
        if (origin == null || origin.length != 4) {
            throw new IllegalArgumentException("the origin of sense '" + sense + "' needs x, y, z, w");
        }
        origin = origin.clone();
    }

    /** A sense of {@code rows x cols x layers} whose area starts at the lattice's corner (0, 0, 0, 0). */
    public static SenseShape of(String sense, int rows, int cols, int layers) {
        return new SenseShape(sense, rows, cols, layers, new int[4]);
    }

    @Override
    public int[] origin() {
        return origin.clone();
    }

    /** Cells of one z-layer: rows x cols. */
    public int cells() {
        return rows * cols;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SenseShape s && s.sense.equals(sense) && s.rows == rows && s.cols == cols && s.layers == layers
                && Arrays.equals(s.origin, origin);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * sense.hashCode() + rows) + cols) + layers + Arrays.hashCode(origin);
    }

    /** e.g. {@code vision 20x20x5 at [0, 0, 0, 0]}. */
    @Override
    public String toString() {
        return sense + " " + rows + "x" + cols + "x" + layers + " at " + Arrays.toString(origin);
    }
}
