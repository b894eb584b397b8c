package io.neurostream.engine.model;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.num;
import static io.neurostream.engine.TestNetworks.spikeTicks;
import static io.neurostream.engine.TestNetworks.spiked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.neurostream.engine.Network;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A single LIF neuron under a constant current, against closed forms computed here from the
 * equation {@code tau·dv/dt = -(v - v_rest) + r·I}, never with the engine's code.
 *
 * <p>Between spikes, {@code v - v∞} shrinks by a constant factor per tick: {@code e^{-dt/τ}} for the
 * exact scheme (so ticks sample the continuous solution), {@code 1 - dt/τ} for Euler. Starting from
 * {@code v0}, the neuron therefore first reaches the threshold at the end of tick {@code m - 1}, where
 * {@code m} is the smallest whole number with {@code factor^m ≤ (v_th - v∞)/(v0 - v∞)}.
 */
class LifModelTest {
    private static final double V_REST = -65.0;
    private static final double V_TH = -50.0;
    private static final double TAU = 10.0;

    private static String spec(String integration, double dt, double current, double vReset, double refractoryMs,
            double r) {
        return "{\"name\": \"lif1\", \"seed\": 1, \"dt_ms\": " + num(dt) + ","
                + " \"populations\": [{\"name\": \"n\", \"count\": 1, \"model\": \"lif\","
                + "   \"params\": {\"v_rest\": " + num(V_REST) + ", \"v_threshold\": " + num(V_TH)
                + ", \"v_reset\": " + num(vReset) + ", \"tau_membrane\": " + num(TAU)
                + ", \"refractory_ms\": " + num(refractoryMs) + ", \"r\": " + num(r)
                + ", \"integration\": \"" + integration + "\"}}],"
                + " \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": " + num(current) + ", \"from_ms\": 0}]}";
    }

    /** Per-tick contraction of {@code v - v∞}. */
    private static double factor(String integration, double dt) {
        return "exact".equals(integration) ? Math.exp(-dt / TAU) : 1.0 - dt / TAU;
    }

    /** Ticks needed to go from v0 to the threshold: smallest m with factor^m ≤ ratio. */
    private static long ticksToThreshold(String integration, double dt, double v0, double vInf) {
        double ratio = (V_TH - vInf) / (v0 - vInf);
        double m = Math.log(ratio) / Math.log(factor(integration, dt));
        double frac = m - Math.floor(m);
        // keep clear of ties, where rounding could decide either way
        assertThat(frac).as("test parameters must not put a crossing on a tick boundary").isBetween(1e-6, 1 - 1e-6);
        return (long) Math.ceil(m);
    }

    /** An independent scalar recurrence of the LIF equation, tick by tick. */
    private static List<Long> recurrence(String integration, double dt, double current, double vReset, int refTicks,
            double r, long ticks) {
        List<Long> spikes = new ArrayList<>();
        double v = V_REST;
        int hold = 0;
        double vInf = V_REST + r * current;
        double decay = StrictMath.exp(-dt / TAU);
        for (long k = 0; k < ticks; k++) {
            if (hold > 0) {
                hold--;
                v = vReset;
                continue;
            }
            v = "exact".equals(integration)
                    ? vInf + (v - vInf) * decay
                    : v + dt / TAU * (-(v - V_REST) + r * current);
            if (v >= V_TH) {
                spikes.add(k);
                v = vReset;
                hold = refTicks;
            }
        }
        return spikes;
    }

    @ParameterizedTest(name = "{0}, dt {1} ms, r {2}, I {3}")
    @CsvSource({
        "exact, 1.0, 1.0, 16.0",
        "exact, 0.1, 1.0, 16.0",
        "euler, 1.0, 1.0, 16.0",
        "euler, 0.1, 1.0, 16.0",
        "exact, 1.0, 2.0, 8.0",
        "euler, 0.1, 2.0, 8.0",
    })
    void shouldFireAtClosedFormTimesUnderConstantCurrent(String integration, double dt, double r, double current) {
        double vReset = -70.0;
        double refractoryMs = 2.0;
        int refTicks = (int) Math.round(refractoryMs / dt);
        long ticks = Math.round(200.0 / dt);
        double vInf = V_REST + r * current;

        List<Long> actual = spikeTicks(build(spec(integration, dt, current, vReset, refractoryMs, r)), 0, ticks);

        long first = ticksToThreshold(integration, dt, V_REST, vInf) - 1;
        long isi = refTicks + ticksToThreshold(integration, dt, vReset, vInf);
        List<Long> closedForm = new ArrayList<>();
        for (long k = first; k < ticks; k += isi) {
            closedForm.add(k);
        }
        assertThat(actual).as("spike ticks vs closed form").isEqualTo(closedForm);
        assertThat(actual).as("spike ticks vs scalar recurrence")
                .isEqualTo(recurrence(integration, dt, current, vReset, refTicks, r, ticks));
        assertThat(actual).hasSize(6);
        if ("exact".equals(integration)) {
            // the continuous first-passage time t* lies within the first spike's tick (k·dt, (k+1)·dt]
            double tStar = TAU * Math.log((V_REST - vInf) / (V_TH - vInf));
            assertThat(tStar).isGreaterThan(first * dt).isLessThanOrEqualTo((first + 1) * dt);
            double tStarReset = TAU * Math.log((vReset - vInf) / (V_TH - vInf));
            double isiMs = isi * dt - refractoryMs;
            assertThat(tStarReset).isGreaterThan(isiMs - dt).isLessThanOrEqualTo(isiMs);
        }
    }

    @Test
    void shouldIntegrateEulerDifferentlyFromExactAtCoarseSteps() {
        // t* = 10·ln 16 = 27.73 ms, so exact fires first on tick 27; Euler's (0.9)^m reaches 1/16 at m = 27
        List<Long> exact = spikeTicks(build(spec("exact", 1.0, 16.0, -70.0, 2.0, 1.0)), 0, 60);
        List<Long> euler = spikeTicks(build(spec("euler", 1.0, 16.0, -70.0, 2.0, 1.0)), 0, 60);
        assertThat(exact.get(0)).isEqualTo(27L);
        assertThat(euler.get(0)).isEqualTo(26L);
    }

    @Test
    void shouldUseTutorialDefaultsWhenNoParamsGiven() {
        // defaults v_rest -65, v_threshold -50, v_reset -65, tau 10 ms, refractory 0, r 1, exact:
        // I = 20 gives v∞ = -45, t* = 10·ln(20/5) = 13.86 ms, so spikes on ticks 13, 27, 41, ... (period 14)
        Network net = build("{\"name\": \"d\", \"seed\": 1, \"populations\": [{\"name\": \"n\", \"count\": 1}],"
                + " \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": 20.0}]}");
        assertThat(net.variable(0, "v")).isEqualTo(-65.0);
        List<Long> expected = new ArrayList<>();
        for (long k = 13; k < 100; k += 14) {
            expected.add(k);
        }
        assertThat(spikeTicks(net, 0, 100)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"exact, 1.0", "exact, 0.1", "euler, 1.0", "euler, 0.1"})
    void shouldHoldVAtResetDuringRefractoryPeriodThenIntegrate(String integration, double dt) {
        double vReset = -70.0;
        double refractoryMs = 5.0;
        int refTicks = (int) Math.round(5.0 / dt); // 5 or 50 ticks
        assertThat(refTicks).isEqualTo(dt == 1.0 ? 5 : 50);
        double current = 20.0;
        double vInf = V_REST + current;
        double f = factor(integration, dt);
        Network net = build(spec(integration, dt, current, vReset, refractoryMs, 1.0));
        long ticks = Math.round(100.0 / dt);
        double[] v = new double[(int) ticks];
        List<Long> spikes = new ArrayList<>();
        for (int k = 0; k < ticks; k++) {
            net.step();
            v[k] = net.variable(0, "v");
            if (spiked(net, 0)) {
                spikes.add((long) k);
            }
        }
        assertThat(spikes).hasSizeGreaterThanOrEqualTo(2);
        for (int s = 0; s + 1 < spikes.size(); s++) {
            int k = spikes.get(s).intValue();
            assertThat(v[k]).as("reset at once on spike tick %d", k).isEqualTo(vReset);
            for (int j = 1; j <= refTicks; j++) {
                assertThat(v[k + j]).as("held on tick %d", k + j).isEqualTo(vReset);
            }
            // then integrates from v_reset: m ticks later, v - v∞ = (v_reset - v∞)·f^m
            int next = spikes.get(s + 1).intValue();
            for (int m = 1; k + refTicks + m < next; m++) {
                assertThat(v[k + refTicks + m]).as("tick %d", k + refTicks + m)
                        .isCloseTo(vInf + (vReset - vInf) * Math.pow(f, m), within(1e-9));
            }
            assertThat(v[k + refTicks + 1]).isGreaterThan(vReset);
        }
    }

    @ParameterizedTest(name = "{0}, dt {1} ms, r {2}, I {3}")
    @CsvSource({
        "exact, 1.0, 1.0, 10.0",
        "exact, 0.1, 1.0, 10.0",
        "euler, 1.0, 1.0, 10.0",
        "euler, 0.1, 2.0, 7.0",
    })
    void shouldNeverSpikeUnderSubthresholdInputAndSettleAtRestPlusRI(String integration, double dt, double r,
            double current) {
        Network net = build(spec(integration, dt, current, -70.0, 2.0, r));
        double vInf = V_REST + r * current;
        assertThat(vInf).isLessThan(V_TH);
        long ticks = Math.round(200.0 / dt);
        int total = 0;
        double previous = V_REST;
        for (long k = 0; k < ticks; k++) {
            total += net.step();
            double v = net.variable(0, "v");
            assertThat(v).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(vInf);
            previous = v;
        }
        assertThat(total).isZero();
        assertThat(net.variable(0, "v")).isCloseTo(vInf, within(1e-6));
    }

    @Test
    void shouldSampleTheContinuousSolutionExactlyAtTicks() {
        // exact integration: v(t) = v∞ + (v0 - v∞)·e^{-t/τ} at t = (k+1)·dt, whatever dt is
        double current = 12.0;
        double vInf = V_REST + current;
        for (double dt : new double[] {1.0, 0.1, 0.25}) {
            Network net = build(spec("exact", dt, current, -70.0, 0.0, 1.0));
            for (int k = 0; k < Math.round(50.0 / dt); k++) {
                net.step();
                double t = (k + 1) * dt;
                assertThat(net.variable(0, "v")).as("dt %s tick %d", dt, k)
                        .isCloseTo(vInf + (V_REST - vInf) * Math.exp(-t / TAU), within(1e-9));
            }
        }
    }
}
