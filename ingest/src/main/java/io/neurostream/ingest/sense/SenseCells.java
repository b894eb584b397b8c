package io.neurostream.ingest.sense;

import io.neurostream.schemas.avro.Topology;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Which neuron sits at each cell of a sense's area: what a POISSON encoding targets, since the simulator
 * names POISSON targets by neuron id (a coordinate holding no neuron would reject the whole input).
 * Only the area's cells at its lower w are used, the w a MATRIX lands on.
 */
public final class SenseCells {
    private final SenseShape shape;
    private final int[] ids; // [z][x][y] flattened, -1 = no neuron

    private SenseCells(SenseShape shape, int[] ids) {
        this.shape = shape;
        this.ids = ids;
    }

    /** The neurons of a network's topology (all its chunks) that sit in the sense's area. */
    public static SenseCells fromTopology(SenseShape shape, List<Topology> chunks) {
        int[] ids = new int[shape.layers() * shape.cells()];
        Arrays.fill(ids, -1);
        int[] o = shape.origin();
        for (Topology t : chunks) {
            ByteBuffer c = t.getCoordinates().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < t.getCount(); k++) {
                int x = c.getShort() - o[0];
                int y = c.getShort() - o[1];
                int z = c.getShort() - o[2];
                int w = c.getShort() - o[3];
                if (w == 0 && x >= 0 && x < shape.rows() && y >= 0 && y < shape.cols() && z >= 0 && z < shape.layers()) {
                    ids[(z * shape.rows() + x) * shape.cols() + y] = t.getFirstNeuron() + k;
                }
            }
        }
        return new SenseCells(shape, ids);
    }

    /** A sense whose cells hold the given neuron ids, {@code [z][x][y]}, -1 for none (tests, other lookups). */
    public static SenseCells of(SenseShape shape, int[][][] idsZxy) {
        int[] ids = new int[shape.layers() * shape.cells()];
        for (int z = 0; z < shape.layers(); z++) {
            for (int x = 0; x < shape.rows(); x++) {
                System.arraycopy(idsZxy[z][x], 0, ids, (z * shape.rows() + x) * shape.cols(), shape.cols());
            }
        }
        return new SenseCells(shape, ids);
    }

    public SenseShape shape() {
        return shape;
    }

    /** The neuron at cell (x, y) of z-layer z (counted from the area's corner), or -1. */
    public int neuronAt(int z, int x, int y) {
        return ids[(z * shape.rows() + x) * shape.cols() + y];
    }

    /** Cells holding a neuron. */
    public int neurons() {
        return (int) Arrays.stream(ids).filter(i -> i >= 0).count();
    }
}
