package io.neurostream.engine.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The counter-based streams give the distributions they claim, and the same numbers for the same keys. */
class CounterRngTest {
    private static final int N = 2_000_000;

    @Test
    void shouldDrawStandardNormalsWithTheRightMomentsAndTails() {
        long key = CounterRng.streamKey(7, "test/normal");
        double sum = 0;
        double sum2 = 0;
        double sum4 = 0;
        int beyond1 = 0;
        int beyond2 = 0;
        int beyond3 = 0;
        int beyond4 = 0;
        for (int i = 0; i < N; i++) {
            double z = CounterRng.normal(key, i % 1000, i / 1000);
            sum += z;
            sum2 += z * z;
            sum4 += z * z * z * z;
            double a = Math.abs(z);
            beyond1 += a > 1 ? 1 : 0;
            beyond2 += a > 2 ? 1 : 0;
            beyond3 += a > 3 ? 1 : 0;
            beyond4 += a > 4 ? 1 : 0;
        }
        double mean = sum / N;
        double var = sum2 / N - mean * mean;
        // standard errors for N = 2e6: mean 0.0007, variance 0.001, kurtosis 0.0035
        assertThat(mean).isCloseTo(0.0, within(0.004));
        assertThat(var).isCloseTo(1.0, within(0.005));
        assertThat(sum4 / N).isCloseTo(3.0, within(0.03));
        // two-sided tail probabilities of N(0, 1): 0.3173, 0.0455, 0.0027, 6.3e-5
        assertThat(beyond1 / (double) N).isCloseTo(0.31731, within(0.0015));
        assertThat(beyond2 / (double) N).isCloseTo(0.04550, within(0.0007));
        assertThat(beyond3 / (double) N).isCloseTo(0.00270, within(0.00015));
        assertThat(beyond4 / (double) N).isCloseTo(6.33e-5, within(3e-5));
    }

    @Test
    void shouldDrawUniformsOnTheUnitIntervalWithoutShortCycles() {
        long key = CounterRng.streamKey(7, "test/uniform");
        double sum = 0;
        int[] bins = new int[10];
        for (int i = 0; i < N; i++) {
            double u = CounterRng.uniform(key, i, 0);
            assertThat(u).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
            sum += u;
            bins[(int) (u * 10)]++;
        }
        assertThat(sum / N).isCloseTo(0.5, within(0.002));
        for (int b : bins) {
            assertThat(b / (double) N).isCloseTo(0.1, within(0.002));
        }
    }

    @Test
    void shouldBeAPureFunctionOfItsArguments() {
        long key = CounterRng.streamKey(42, "x");
        assertThat(CounterRng.normal(key, 5, 9)).isEqualTo(CounterRng.normal(key, 5, 9));
        assertThat(CounterRng.normal(key, 5, 9)).isNotEqualTo(CounterRng.normal(key, 5, 10));
        assertThat(CounterRng.streamKey(42, "x")).isNotEqualTo(CounterRng.streamKey(43, "x"));
    }
}
