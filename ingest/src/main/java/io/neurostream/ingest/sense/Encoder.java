package io.neurostream.ingest.sense;

import io.neurostream.ingest.sense.internal.Resample;
import io.neurostream.schemas.Matrices;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link Sample} into the ExternalInputs that make one sense of one network feel it, from a given
 * tick for a given number of ticks. Every sample is first resized to the sense's {@code rows x cols} by
 * area averaging (see {@link Resample}), so any source fits any sense. Two encodings:
 *
 * <ul>
 *   <li>{@link #current}: one {@code MATRIX} input per chosen z-layer, {@code scale} = the gain: the
 *       neuron at cell (x, y) of the layer receives value x gain (mV, the model input unit) on every tick.</li>
 *   <li>{@link #poisson}: the simulator's POISSON input takes one rate for all its targets and targets
 *       neurons, not a sense; so each cell's rate (value x gain, Hz) is rounded to a multiple of
 *       gain / {@value #POISSON_LEVELS}, cells of equal rate are gathered, and each group becomes one
 *       POISSON input on the neuron ids at those cells (looked up in the network's topology by
 *       {@link SenseCells}); cells with no neuron and cells of rate 0 are left out.</li>
 * </ul>
 * Inputs carry {@code input_id} {@code ingest/SENSE/INDEX} (and {@code /zLAYER} or {@code /rRATE}) so
 * the journal names the sample each came from.
 */
public interface Encoder {

    /** Rate levels of the POISSON encoding between 0 and the gain (rates above the gain keep the same step). */
    int POISSON_LEVELS = 32;

    /**
     * The inputs that lay {@code sample} on the sense from {@code tick} for {@code durationTicks} ticks; a null
     * tick: from the first tick the network has not computed when the input arrives.
     */
    List<ExternalInput> encode(Sample sample, Long tick, int durationTicks);

    /** The sense this encoder feeds. */
    SenseShape shape();

    /**
     * MATRIX inputs: value x {@code gainMv} into each neuron of the chosen z-layers of the sense's area.
     *
     * @param zLayers z-layers counted from the area's lower z (each below {@code shape.layers()})
     */
    static Encoder current(String networkId, SenseShape shape, int[] zLayers, double gainMv) {
        checkLayers(shape, zLayers);
        int[] layers = zLayers.clone();
        return new Encoder() {
            @Override
            public List<ExternalInput> encode(Sample sample, Long tick, int durationTicks) {
                float[][] m = Resample.resize(sample.values(), shape.rows(), shape.cols());
                float[] flat = new float[shape.cells()];
                for (int i = 0; i < m.length; i++) {
                    System.arraycopy(m[i], 0, flat, i * shape.cols(), shape.cols());
                }
                List<ExternalInput> out = new ArrayList<>(layers.length);
                for (int z : layers) {
                    out.add(ExternalInput.newBuilder().setNetworkId(networkId)
                            .setInputId("ingest/" + shape.sense() + "/" + sample.index() + "/z" + z)
                            .setKind(InputKind.MATRIX).setTick(tick).setDurationTicks(durationTicks)
                            .setMatrixRows(shape.rows()).setMatrixCols(shape.cols())
                            .setMatrixValues(Matrices.pack(flat, shape.rows(), shape.cols())).setScale(gainMv)
                            .setTarget(Target.newBuilder().setSense(shape.sense()).setZLayer(z).build()).build());
                }
                return out;
            }

            @Override
            public SenseShape shape() {
                return shape;
            }
        };
    }

    /**
     * POISSON inputs: each cell of the chosen z-layers drives the neuron there at value x {@code gainHz} Hz
     * (rounded, see above), each event adding {@code weight} (model input unit) to its excitatory input.
     *
     * @param cells the neuron at each cell of the sense's area ({@link SenseCells#fromTopology})
     */
    static Encoder poisson(String networkId, SenseCells cells, int[] zLayers, double gainHz, double weight) {
        SenseShape shape = cells.shape();
        checkLayers(shape, zLayers);
        if (!(gainHz > 0)) {
            throw new IllegalArgumentException("the POISSON gain must be > 0 Hz, got " + gainHz);
        }
        int[] layers = zLayers.clone();
        double step = gainHz / POISSON_LEVELS;
        return new Encoder() {
            @Override
            public List<ExternalInput> encode(Sample sample, Long tick, int durationTicks) {
                float[][] m = Resample.resize(sample.values(), shape.rows(), shape.cols());
                Map<Long, List<Integer>> byLevel = new TreeMap<>();
                for (int z : layers) {
                    for (int x = 0; x < shape.rows(); x++) {
                        for (int y = 0; y < shape.cols(); y++) {
                            int id = cells.neuronAt(z, x, y);
                            long level = Math.round(Math.max(0, m[x][y]) * gainHz / step);
                            if (id >= 0 && level > 0) {
                                byLevel.computeIfAbsent(level, k -> new ArrayList<>()).add(id);
                            }
                        }
                    }
                }
                List<ExternalInput> out = new ArrayList<>(byLevel.size());
                byLevel.forEach((level, ids) -> out.add(ExternalInput.newBuilder().setNetworkId(networkId)
                        .setInputId("ingest/" + shape.sense() + "/" + sample.index() + "/r" + level * step)
                        .setKind(InputKind.POISSON).setTick(tick).setDurationTicks(durationTicks)
                        .setRateHz(level * step).setWeight(weight)
                        .setTarget(Target.newBuilder().setNeurons(ids).build()).build()));
                return out;
            }

            @Override
            public SenseShape shape() {
                return shape;
            }
        };
    }

    private static void checkLayers(SenseShape shape, int[] zLayers) {
        if (zLayers.length == 0) {
            throw new IllegalArgumentException("no z-layer chosen for sense '" + shape.sense() + "'");
        }
        for (int z : zLayers) {
            if (z < 0 || z >= shape.layers()) {
                throw new IllegalArgumentException("z-layer " + z + " is outside sense '" + shape.sense() + "' (0.."
                        + (shape.layers() - 1) + ")");
            }
        }
    }
}
