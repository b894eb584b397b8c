package io.neurostream.engine;

/** A brain area: an inclusive coordinate box {@code [lo, hi]} on x, y, z, w of the lattice. */
public record Area(int index, String name, int[] lo, int[] hi, String sense) {

    public boolean contains(int x, int y, int z, int w) {
        return x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]
                && z >= lo[2] && z <= hi[2] && w >= lo[3] && w <= hi[3];
    }
}
