package io.neurostream.engine;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.num;
import static io.neurostream.engine.TestNetworks.spiked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two neurons and one synapse 0 → 1: neuron 0 is forced to spike once by a one-tick current of 20000
 * at 5 ms; neuron 1 (LIF, rest -65 mV, τ = 10 ms, at rest before) is read against closed forms.
 */
class SynapseKindsTest {
    private static final double REST = -65.0;
    private static final double TAU = 10.0;
    private static final double T0_MS = 5.0;

    private static String spec(double dt, String kind, String preType, double weight, double delayMs, String postModel,
            String postParams, double tauExc, double tauInh) {
        return "{\"name\": \"syn\", \"seed\": 3, \"dt_ms\": " + num(dt) + ","
                + " \"populations\": ["
                + "   {\"name\": \"pre\", \"count\": 1, \"model\": \"lif\", \"type\": \"" + preType + "\"},"
                + "   {\"name\": \"post\", \"count\": 1, \"model\": \"" + postModel + "\", \"type\": \"excitatory\","
                + "    \"params\": {" + postParams + "}}],"
                + " \"synapse\": {\"kind\": \"" + kind + "\", \"tau_exc_ms\": " + num(tauExc) + ", \"tau_inh_ms\": " + num(tauInh) + "},"
                + " \"connections\": [{\"from\": \"pre\", \"to\": \"post\", \"probability\": 1.0, \"weight\": " + num(weight)
                + ", \"delay_ms\": " + num(delayMs) + "}],"
                + " \"inputs\": [{\"target\": {\"population\": \"pre\"}, \"current\": 20000.0, \"from_ms\": " + num(T0_MS)
                + ", \"duration_ms\": " + num(dt) + "}]}";
    }

    private static String lif(String integration, double r) {
        return "\"integration\": \"" + integration + "\", \"r\": " + num(r);
    }

    /** Runs {@code ticks} ticks; returns v, ge, gi of neuron 1 and the E and I input of population "post" per tick. */
    private static double[][] trace(Network net, int ticks, long preSpikeTick) {
        double[][] out = new double[5][ticks];
        for (int k = 0; k < ticks; k++) {
            net.step();
            assertThat(spiked(net, 0)).as("pre spikes on tick %d only", preSpikeTick).isEqualTo(k == preSpikeTick);
            out[0][k] = net.variable(1, "v");
            out[1][k] = net.variable(1, "ge");
            out[2][k] = net.variable(1, "gi");
            out[3][k] = net.excitatoryInputOfPopulation(1);
            out[4][k] = net.inhibitoryInputOfPopulation(1);
        }
        return out;
    }

    @ParameterizedTest(name = "dt {0} ms, delay {1} ms → {2} ticks")
    @CsvSource({
        "1.0, 1.0, 1", "1.0, 3.0, 3", "1.0, 2.4, 2", "1.0, 2.6, 3",
        "0.1, 0.1, 1", "0.1, 1.5, 15", "0.1, 0.24, 2", "0.1, 0.26, 3",
    })
    void shouldAddCurrentPulseToInputExactlyOnSpikeTickPlusDelay(double dt, double delayMs, int delayTicks) {
        double w = 4.0;
        double r = 2.0;
        Network net = build(spec(dt, "current_pulse", "excitatory", w, delayMs, "lif", lif("exact", r), 5, 10));
        assertThat(net.synapseCount()).isEqualTo(1);
        assertThat(net.synapseDelayTicks(0)).isEqualTo(delayTicks);
        assertThat(net.synapseWeight(0)).isEqualTo(4.0f);
        long t0 = Math.round(T0_MS / dt);
        long arrival = t0 + delayTicks;
        double p = Math.exp(-dt / TAU);
        double[][] tr = trace(net, (int) arrival + 40, t0);
        for (int k = 0; k < tr[0].length; k++) {
            if (k < arrival) {
                assertThat(tr[0][k]).as("v before arrival, tick %d", k).isEqualTo(REST);
            } else {
                // one tick of current r·w: v - rest = r·w·(1 - e^{-dt/τ}), then free decay
                double expected = REST + r * w * (1 - p) * Math.pow(p, k - arrival);
                assertThat(tr[0][k]).as("v on tick %d", k).isCloseTo(expected, within(1e-12));
            }
            assertThat(tr[3][k]).as("E input on tick %d", k).isEqualTo(k == arrival ? w : 0.0);
            assertThat(tr[4][k]).isZero();
            assertThat(tr[1][k]).isZero();
        }
    }

    @ParameterizedTest(name = "{0}, dt {1} ms")
    @CsvSource({"exact, 1.0", "exact, 0.1", "euler, 1.0", "euler, 0.1"})
    void shouldJumpVoltageByWeightOnArrivalTick(String integration, double dt) {
        double w = 3.0;
        int delayTicks = 2;
        Network net = build(spec(dt, "voltage_jump", "excitatory", w, delayTicks * dt, "lif", lif(integration, 1.0), 5, 10));
        long t0 = Math.round(T0_MS / dt);
        long arrival = t0 + delayTicks;
        // v jumps by the whole w at the end of the arrival tick (after its integration, before the threshold
        // test, as NEST's iaf_psc_delta), then relaxes toward rest
        double f = "exact".equals(integration) ? Math.exp(-dt / TAU) : 1 - dt / TAU;
        double[][] tr = trace(net, (int) arrival + 30, t0);
        for (int k = 0; k < tr[0].length; k++) {
            double expected = k < arrival ? REST : REST + w * Math.pow(f, k - arrival);
            assertThat(tr[0][k]).as("v on tick %d", k).isCloseTo(expected, within(1e-12));
            assertThat(tr[3][k]).isEqualTo(k == arrival ? w : 0.0);
        }
    }

    @Test
    void shouldFireOnArrivalTickWhenVoltageJumpCrossesThreshold() {
        Network net = build(spec(0.1, "voltage_jump", "excitatory", 20.0, 0.3, "lif", lif("exact", 1.0), 5, 10));
        for (int k = 0; k < 60; k++) {
            net.step();
            assertThat(spiked(net, 1)).as("post on tick %d", k).isEqualTo(k == 53);
        }
    }

    @Test
    void shouldDiscardVoltageJumpWhileRefractory() {
        // post is forced to spike together with pre (tick 5) and is refractory for 5 ticks; the jump arrives on tick 7
        double dt = 1.0;
        String json = "{\"name\": \"ref\", \"seed\": 3, \"dt_ms\": 1.0,"
                + " \"populations\": [{\"name\": \"pre\", \"count\": 1},"
                + "   {\"name\": \"post\", \"count\": 1, \"params\": {\"v_reset\": -70.0, \"refractory_ms\": 5.0}}],"
                + " \"synapse\": {\"kind\": \"voltage_jump\"},"
                + " \"connections\": [{\"from\": \"pre\", \"to\": \"post\", \"probability\": 1.0, \"weight\": 10.0, \"delay_ms\": 2.0}],"
                + " \"inputs\": [{\"target\": {\"population\": [\"pre\", \"post\"]}, \"current\": 20000.0, \"from_ms\": 5, \"duration_ms\": 1}]}";
        Network net = build(json);
        double p = Math.exp(-dt / TAU);
        for (int k = 0; k < 40; k++) {
            net.step();
            double v = net.variable(1, "v");
            if (k < 5) {
                assertThat(v).isEqualTo(REST);
            } else if (k <= 10) {
                assertThat(v).as("held at reset on tick %d", k).isEqualTo(-70.0);
            } else {
                assertThat(v).as("no trace of the jump on tick %d", k).isCloseTo(REST - 5.0 * Math.pow(p, k - 10), within(1e-12));
            }
        }
    }

    @ParameterizedTest(name = "post {0}, τe {1} ms, dt {2} ms")
    @CsvSource({"lif, 5.0, 1.0", "lif, 5.0, 0.1", "lif, 10.0, 1.0", "lif, 3.0, 0.5", "izhikevich, 5.0, 1.0", "izhikevich, 5.0, 0.5"})
    void shouldJumpGeByWeightAndDecayWithTauExc(String postModel, double tauExc, double dt) {
        double w = 4.0;
        double r = 2.0;
        String params = "lif".equals(postModel) ? lif("exact", r) : "\"scheme\": \"paper\"";
        Network net = build(spec(dt, "exp_current", "excitatory", w, 1.0, postModel, params, tauExc, 7.0));
        long t0 = Math.round(T0_MS / dt);
        long arrival = t0 + Math.round(1.0 / dt);
        double[][] tr = trace(net, (int) (arrival + Math.round(40 / dt)), t0);
        for (int k = 0; k < tr[0].length; k++) {
            // ge is read at the end of each tick: t = (k - arrival + 1)·dt after the jump
            double t = (k - arrival + 1) * dt;
            double ge = k < arrival ? 0.0 : w * Math.exp(-t / tauExc);
            if (arrival - t0 == 1 && k == arrival - 1) {
                ge = w; // a one-tick delay is delivered straight into ge at the end of the spike's tick
            }
            assertThat(tr[1][k]).as("ge on tick %d", k).isCloseTo(ge, within(1e-12));
            assertThat(tr[2][k]).isZero();
            assertThat(tr[3][k]).isEqualTo(k == arrival ? w : 0.0);
            if ("lif".equals(postModel)) {
                // τ dv/dt = -(v - rest) + r·w·e^{-t/τe}: v - rest = r·w·τe/(τe - τ)·(e^{-t/τe} - e^{-t/τ}), or r·w·(t/τ)·e^{-t/τ}
                double dv = k < arrival ? 0.0
                        : tauExc == TAU ? r * w * (t / TAU) * Math.exp(-t / TAU)
                        : r * w * tauExc / (tauExc - TAU) * (Math.exp(-t / tauExc) - Math.exp(-t / TAU));
                assertThat(tr[0][k]).as("v on tick %d", k).isCloseTo(REST + dv, within(1e-9));
            }
        }
    }

    @Test
    void shouldFoldExpCurrentIntoEulerStepAtTickStart() {
        double dt = 0.5;
        double w = 4.0;
        double tauExc = 5.0;
        Network net = build(spec(dt, "exp_current", "excitatory", w, 1.0, "lif", lif("euler", 1.0), tauExc, 7.0));
        long arrival = 10 + 2;
        double[][] tr = trace(net, 100, 10);
        double v = REST;
        for (int k = 0; k < 100; k++) {
            double ge = k < arrival ? 0.0 : w * Math.exp(-(k - arrival) * dt / tauExc); // at the start of tick k
            v = v + dt / TAU * (-(v - REST) + ge);
            assertThat(tr[0][k]).as("v on tick %d", k).isCloseTo(v, within(1e-12));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"current_pulse", "voltage_jump", "exp_current"})
    void shouldGiveInhibitoryPresynapticSpikesANegativeSignInGi(String kind) {
        double dt = 1.0;
        double w = 6.0;
        double tauInh = 8.0;
        Network net = build(spec(dt, kind, "inhibitory", w, 2.0, "lif", lif("exact", 1.0), 5.0, tauInh));
        assertThat(net.isInhibitory(0)).isTrue();
        assertThat(net.synapseWeight(0)).as("weights are magnitudes").isEqualTo(6.0f);
        long arrival = 5 + 2;
        double p = Math.exp(-dt / TAU);
        double[][] tr = trace(net, 40, 5);
        for (int k = 0; k < 40; k++) {
            double t = (k - arrival + 1) * dt;
            double expected;
            if (k < arrival) {
                expected = REST;
            } else if ("current_pulse".equals(kind)) {
                expected = REST - w * (1 - p) * Math.pow(p, k - arrival);
            } else if ("voltage_jump".equals(kind)) {
                expected = REST - w * Math.pow(p, k - arrival);
            } else {
                expected = REST - w * tauInh / (tauInh - TAU) * (Math.exp(-t / tauInh) - Math.exp(-t / TAU));
                assertThat(tr[2][k]).as("gi on tick %d", k).isCloseTo(w * Math.exp(-t / tauInh), within(1e-12));
            }
            assertThat(tr[0][k]).as("v on tick %d", k).isCloseTo(expected, within(1e-9));
            if (k >= arrival) {
                assertThat(tr[0][k]).isLessThan(REST);
            }
            assertThat(tr[1][k]).as("nothing in ge").isZero();
            assertThat(tr[3][k]).isZero();
            assertThat(tr[4][k]).as("I input (a magnitude) on tick %d", k).isEqualTo(k == arrival ? w : 0.0);
        }
    }
}
