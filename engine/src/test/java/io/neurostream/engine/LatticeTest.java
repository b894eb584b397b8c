package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.engine.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lookups between coordinates and neurons, shared by the network and its builder. */
class LatticeTest {

    /** Neuron i at (i % 3, i / 3, 0, 0) of a 3 x 2 x 1 x 1 lattice; neuron 4 is missing. */
    private static Lattice sixCells() {
        int[] cx = {0, 1, 2, 0, 2};
        int[] cy = {0, 0, 0, 1, 1};
        int[] zero = new int[5];
        Area all = new Area(0, "all", new int[4], new int[] {2, 1, 0, 0}, null);
        return new Lattice(new int[] {3, 2, 1, 1}, List.of(all), cx, cy, zero, zero.clone());
    }

    @Test
    void findsTheNeuronAtACoordinate() {
        Lattice l = sixCells();
        for (int id = 0; id < l.neurons(); id++) {
            int[] c = l.coordinates(id);
            assertThat(l.neuronAt(c[0], c[1], c[2], c[3])).isEqualTo(id);
        }
        assertThat(l.neuronAt(1, 1, 0, 0)).as("a free coordinate").isEqualTo(-1);
    }

    @Test
    void aCoordinateOffTheLatticeHasNoNeuronEvenWhereItsCellNumberWouldHaveOne() {
        Lattice l = sixCells();
        // (3, 0) would number as cell 3 = (0, 1), (-1, 1) as cell 2 = (2, 0)
        assertThat(l.neuronAt(3, 0, 0, 0)).isEqualTo(-1);
        assertThat(l.neuronAt(-1, 1, 0, 0)).isEqualTo(-1);
        assertThat(l.neuronAt(0, 0, 1, 0)).isEqualTo(-1);
    }

    @Test
    void matrixInputSkipsCoordinatesWithoutANeuron() {
        Lattice l = sixCells();
        Input in = l.matrixInput(l.area("all"), 0, new double[][] {{1, 2}, {3, 4}}, 10.0, 0, 5);
        // x = 0: (0,0) -> 0, (0,1) -> 3; x = 1: (1,0) -> 1, (1,1) free
        assertThat(in.neurons).containsExactly(0, 3, 1);
        assertThat(in.values).containsExactly(10.0, 20.0, 30.0);
    }

    @Test
    void aTargetCoordinateOffTheLatticeIsASpecErrorWithoutALatticeToo() {
        // without "lattice" the neurons lie on a row [n, 1, 1, 1], where the parser checks no coordinates
        String spec = "{\"name\": \"row\", \"seed\": 1, \"dt_ms\": 0.1,"
                + " \"populations\": [{\"name\": \"E\", \"count\": 4, \"model\": \"lif\", \"type\": \"excitatory\"}],"
                + " \"inputs\": [{\"target\": {\"coordinates\": [[-1, 1, 0, 0]]}, \"current\": 1.0}]}";
        assertThatThrownBy(() -> build(spec)).isInstanceOf(SpecException.class).hasMessageContaining("no neuron at");
    }
}
