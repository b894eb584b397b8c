package io.neurostream.ingest.sense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.neurostream.ingest.sense.internal.Resample;
import io.neurostream.schemas.Matrices;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderTest {
    private static final SenseShape VISION = SenseShape.of("vision", 2, 3, 4);

    @Test
    void shouldLayTheSampleOnEachChosenLayerAsAMatrixScaledByTheGain() {
        float[][] m = {{0f, 0.5f, 1f}, {0.25f, 0.75f, 0.125f}};
        List<ExternalInput> out = Encoder.current("n1", VISION, new int[] {0, 3}, 12.0)
                .encode(new Sample(7, 0.7, m), 100L, 5);

        assertThat(out).hasSize(2);
        assertThat(out).extracting(in -> in.getTarget().getZLayer()).containsExactly(0, 3);
        ExternalInput in = out.get(0);
        assertThat(in.getKind()).isEqualTo(InputKind.MATRIX);
        assertThat(in.getTarget().getSense()).isEqualTo("vision");
        assertThat(in.getTick()).isEqualTo(100L);
        assertThat(in.getDurationTicks()).isEqualTo(5);
        assertThat(in.getScale()).isEqualTo(12.0);
        assertThat(in.getInputId()).isEqualTo("ingest/vision/7/z0");
        assertThat(Matrices.unpack(in)).containsExactly(0f, 0.5f, 1f, 0.25f, 0.75f, 0.125f);
    }

    @Test
    void shouldAverageFourCellsIntoOneWhenHalvingTheSize() {
        float[][] src = {{1, 0, 0, 0}, {1, 0, 0, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}};
        float[][] out = Resample.resize(src, 2, 2);
        assertThat(out[0]).containsExactly(0.5f, 0.25f);
        assertThat(out[1]).containsExactly(0f, 1f);
    }

    @Test
    void shouldTakeTheNearestCellWhenDoublingTheSizeAndBlendOnlyAcrossAStraddledEdge() {
        float[][] up = Resample.resize(new float[][] {{0f, 1f}}, 1, 4);
        assertThat(up[0]).containsExactly(0f, 0f, 1f, 1f);
        float[][] three = Resample.resize(new float[][] {{0f, 1f}}, 1, 3);
        assertThat(three[0][0]).isZero();
        assertThat(three[0][1]).isCloseTo(0.5f, within(1e-6f)); // straddles both source cells equally
        assertThat(three[0][2]).isEqualTo(1f);
    }

    @Test
    void shouldKeepTheMeanOfTheSampleWhenResizingToAnUnevenSize() {
        float[][] src = new float[7][5];
        double sum = 0;
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 5; j++) {
                src[i][j] = (i * 5 + j) % 3;
                sum += src[i][j];
            }
        }
        float[][] out = Resample.resize(src, 3, 2);
        double outSum = 0;
        for (float[] row : out) {
            for (float v : row) {
                outSum += v;
            }
        }
        assertThat(outSum / 6).isCloseTo(sum / 35, within(1e-5));
    }

    @Test
    void shouldGroupCellsOfEqualRateIntoOnePoissonInputOnTheirNeuronsAndSkipEmptyCells() {
        SenseShape shape = SenseShape.of("touch", 2, 2, 1);
        int[][][] ids = {{{10, 11}, {-1, 13}}};
        float[][] m = {{1f, 0.5f}, {1f, 1f}};
        List<ExternalInput> out = Encoder.poisson("n1", SenseCells.of(shape, ids), new int[] {0}, 64.0, 2.0)
                .encode(new Sample(0, 0, m), 40L, 10);

        assertThat(out).hasSize(2);
        assertThat(out).allSatisfy(in -> {
            assertThat(in.getKind()).isEqualTo(InputKind.POISSON);
            assertThat(in.getWeight()).isEqualTo(2.0);
            assertThat(in.getTick()).isEqualTo(40L);
            assertThat(in.getDurationTicks()).isEqualTo(10);
        });
        assertThat(out.get(0).getRateHz()).isEqualTo(32.0);
        assertThat(out.get(0).getTarget().getNeurons()).containsExactly(11);
        assertThat(out.get(1).getRateHz()).isEqualTo(64.0);
        assertThat(out.get(1).getTarget().getNeurons()).containsExactly(10, 13); // cell [1][0] holds no neuron
    }

    @Test
    void shouldRejectAZLayerOutsideTheSense() {
        assertThatThrownBy(() -> Encoder.current("n1", VISION, new int[] {4}, 1.0))
                .hasMessageContaining("z-layer 4 is outside sense 'vision' (0..3)");
    }
}
