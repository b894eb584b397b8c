package io.neurostream.ops.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DemoSensorsTest {

    @Test
    void shouldShowTheGratingForThreeSecondsThenBlankForThree() {
        assertThat(sum(DemoSensors.grating(0.5))).isGreaterThan(100);
        assertThat(sum(DemoSensors.grating(2.9))).isGreaterThan(100);
        assertThat(sum(DemoSensors.grating(3.1))).isZero();
        assertThat(sum(DemoSensors.grating(5.9))).isZero();
        assertThat(sum(DemoSensors.grating(6.1))).isGreaterThan(100);
    }

    @Test
    void shouldDriftTheGratingAlongXAndKeepItConstantAlongY() {
        float[][] a = DemoSensors.grating(0.0);
        float[][] b = DemoSensors.grating(0.125); // a quarter cycle at 2 Hz
        assertThat(a).hasDimensions(20, 20);
        for (int x = 0; x < 20; x++) {
            for (int y = 0; y < 20; y++) {
                assertThat(a[x][y]).isBetween(0f, 1f).isEqualTo(a[x][0]);
            }
        }
        // a quarter cycle later, the phase at x has moved on by a quarter: sin 0 -> sin(-pi/2)
        assertThat(a[0][0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(b[0][0]).isCloseTo(0.0f, within(1e-6f));
        // the crest (value 1) at t = 0 sits at x = 2.5; a quarter cycle later at x = 5
        assertThat(b[5][0]).isCloseTo(1.0f, within(1e-6f));
    }

    @Test
    void shouldSweepTheChirpUpInOneSecondThenStaySilentForOne() {
        assertThat(peakX(DemoSensors.chirp(0.0))).isZero();
        assertThat(peakX(DemoSensors.chirp(0.5))).isBetween(9, 10);
        assertThat(peakX(DemoSensors.chirp(0.99))).isEqualTo(19);
        assertThat(sum(DemoSensors.chirp(1.5))).isZero();
        assertThat(peakX(DemoSensors.chirp(2.5))).isBetween(9, 10);
    }

    private static double sum(float[][] m) {
        double s = 0;
        for (float[] row : m) {
            for (float v : row) {
                s += v;
            }
        }
        return s;
    }

    private static int peakX(float[][] m) {
        int best = 0;
        for (int x = 1; x < m.length; x++) {
            if (m[x][0] > m[best][0]) {
                best = x;
            }
        }
        return best;
    }
}
