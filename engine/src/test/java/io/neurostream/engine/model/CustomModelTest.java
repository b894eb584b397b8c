package io.neurostream.engine.model;

import static io.neurostream.engine.TestNetworks.build;
import static io.neurostream.engine.TestNetworks.spikeTicks;
import static io.neurostream.engine.TestNetworks.spiked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.neurostream.engine.Network;
import io.neurostream.engine.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Custom neuron models, as the tutorial's "Implementing Custom Models" describes, found by name. */
class CustomModelTest {

    private static String oneNeuron(String model, String params, String current) {
        return "{\"name\": \"custom\", \"seed\": 1, \"populations\": [{\"name\": \"n\", \"count\": 1,"
                + " \"model\": \"" + model + "\", \"params\": {" + params + "}}]"
                + (current == null ? "" : ", \"inputs\": [{\"target\": {\"population\": \"n\"}, \"current\": " + current + "}]")
                + "}";
    }

    @Test
    void shouldFindServiceLoadedModelByNameAndMatchHandComputation() {
        assertThat(NeuronModels.find("decay_threshold")).isInstanceOf(DecayThresholdModel.class);
        Network net = build(oneNeuron("decay_threshold", "\"decay\": 0.8, \"threshold\": -30.0, \"v_reset\": -65.0", "3.0"));
        assertThat(net.variable(0, "v")).isEqualTo(-65.0);
        // by hand: -65·0.8 + 3 = -49; -49·0.8 + 3 = -36.2; -36.2·0.8 + 3 = -25.96 ≥ -30 → spike, reset to -65; period 3
        double[] v = {-49.0, -36.2, -65.0, -49.0, -36.2, -65.0};
        for (int k = 0; k < v.length; k++) {
            net.step();
            assertThat(net.variable(0, "v")).as("tick %d", k).isCloseTo(v[k], within(1e-12));
            assertThat(spiked(net, 0)).isEqualTo(k % 3 == 2);
        }
        assertThat(spikeTicks(net, 0, 24)).containsExactly(8L, 11L, 14L, 17L, 20L, 23L, 26L, 29L);
    }

    @Test
    void shouldUseTutorialDefaultsOfDecayThresholdModel() {
        // decay 0.9, threshold -50, reset -65, no input: -58.5, -52.65, -47.385 ≥ -50 → spike on tick 2
        Network net = build(oneNeuron("decay_threshold", "", null));
        double[] v = {-58.5, -52.65, -65.0};
        for (int k = 0; k < v.length; k++) {
            net.step();
            assertThat(net.variable(0, "v")).isCloseTo(v[k], within(1e-12));
            assertThat(spiked(net, 0)).isEqualTo(k == 2);
        }
    }

    @Test
    void shouldCountPoissonInputIntoTheExcitatoryInputOfAModelThatDoesNotGatherItsOwn() {
        // the same Poisson input into a built-in model (which gathers its input) and a custom one (the engine
        // gathers for it): the population's excitatory input must be the same, tick by tick, and not zero
        String spec = "{\"name\": \"poisson-in\", \"seed\": 3, \"dt_ms\": 0.1,"
                + " \"populations\": [{\"name\": \"p\", \"count\": 50, \"model\": \"MODEL\"}],"
                + " \"inputs\": [{\"target\": {\"population\": \"p\"}, \"poisson\": {\"rate_hz\": 2000.0, \"weight\": 0.5}}]}";
        Network builtIn = build(spec.replace("MODEL", "lif"));
        Network custom = build(spec.replace("MODEL", "decay_threshold"));
        double total = 0.0;
        for (int k = 0; k < 200; k++) {
            builtIn.step();
            custom.step();
            assertThat(custom.excitatoryInputOfPopulation(0)).as("tick %d", k).isEqualTo(builtIn.excitatoryInputOfPopulation(0));
            total += custom.excitatoryInputOfPopulation(0);
        }
        assertThat(total).isGreaterThan(0.0);
    }

    private static String withSynapse(String kind, String preType) {
        return "{\"name\": \"custom-syn\", \"seed\": 1, \"dt_ms\": 1.0,"
                + " \"populations\": [{\"name\": \"pre\", \"count\": 1, \"type\": \"" + preType + "\"},"
                + "   {\"name\": \"post\", \"count\": 1, \"model\": \"decay_threshold\","
                + "    \"params\": {\"decay\": 0.5, \"threshold\": 100.0}}],"
                + " \"synapse\": {\"kind\": \"" + kind + "\", \"tau_exc_ms\": 5.0, \"tau_inh_ms\": 10.0},"
                + " \"connections\": [{\"from\": \"pre\", \"to\": \"post\", \"probability\": 1.0, \"weight\": 4.0, \"delay_ms\": 1.0}],"
                + " \"inputs\": [{\"target\": {\"population\": \"pre\"}, \"current\": 20000.0, \"from_ms\": 5, \"duration_ms\": 1}]}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"excitatory, 4.0", "inhibitory, -4.0"})
    void shouldReceiveCurrentPulseSynapticInputOnItsArrivalTick(String preType, double signedWeight) {
        Network net = build(withSynapse("current_pulse", preType));
        // v = -65·0.5^(k+1) until the pulse arrives on tick 6 (pre spikes on tick 5, delay 1)
        double[] v = {-32.5, -16.25, -8.125, -4.0625, -2.03125, -1.015625,
            -0.5078125 + signedWeight, (-0.5078125 + signedWeight) * 0.5, (-0.5078125 + signedWeight) * 0.25};
        for (int k = 0; k < v.length; k++) {
            net.step();
            assertThat(spiked(net, 0)).isEqualTo(k == 5);
            assertThat(net.variable(1, "v")).as("tick %d", k).isEqualTo(v[k]);
        }
    }

    @Test
    void shouldReceiveExpCurrentFoldedIntoItsInput() {
        Network net = build(withSynapse("exp_current", "excitatory"));
        double v = -65.0;
        for (int k = 0; k < 30; k++) {
            net.step();
            // the current of tick k is ge at the start of that tick: 4·e^{-(k-6)/5} from tick 6 on
            double current = k < 6 ? 0.0 : 4.0 * Math.exp(-(k - 6) / 5.0);
            v = v * 0.5 + current;
            assertThat(net.variable(1, "v")).as("tick %d", k).isCloseTo(v, within(1e-12));
            // with a one-tick delay the spike (tick 5) is delivered straight into ge at the end of its own
            // tick (direct delivery, as Brian2 with delay 0): ge reads 4 after tick 5, then decays
            double ge = k < 5 ? 0.0 : (k == 5 ? 4.0 : 4.0 * Math.exp(-(k - 5) / 5.0));
            assertThat(net.variable(1, "ge")).as("ge after tick %d", k).isCloseTo(ge, within(1e-12));
        }
    }

    /** Fires every {@code period}-th tick, counting in u; registered in code, not through the service file. */
    static final class EveryNthModel implements NeuronModel {
        @Override
        public String name() {
            return "test_every_nth";
        }

        @Override
        public NeuronDynamics create(ModelParameters p) {
            final double period = p.scalar("period", 3, 1, 1000);
            p.done();
            return (s, from, to, out) -> {
                for (int j = from; j < to; j++) {
                    s.u[j] += 1;
                    if (s.u[j] >= period) {
                        s.u[j] = 0;
                        out.add(j);
                    }
                }
            };
        }
    }

    @Test
    void shouldUseModelRegisteredInCode() {
        NeuronModels.register(new EveryNthModel());
        assertThat(NeuronModels.names()).contains("test_every_nth", "decay_threshold", "lif", "izhikevich");
        List<Long> s = spikeTicks(build(oneNeuron("test_every_nth", "\"period\": 4", null)), 0, 13);
        assertThat(s).containsExactly(3L, 7L, 11L);
    }

    @Test
    void shouldChangeCustomParameterAtRunTime() {
        Network net = build(oneNeuron("decay_threshold", "\"decay\": 0.8, \"threshold\": -30.0", "3.0"));
        net.setParameter("n", "threshold", -20.0);
        // -49, -36.2, -25.96, -17.768 ≥ -20 → spike on tick 3
        assertThat(spikeTicks(net, 0, 5)).containsExactly(3L);
        assertThatThrownBy(() -> net.setParameter("n", "tau", 1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tau");
    }

    @Test
    void shouldRejectUnknownModelNamingKeyPathAndListingModels() {
        assertThatThrownBy(() -> build(oneNeuron("decay_treshold", "", null)))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("test.json: populations[0].model: ")
                .hasMessageContaining("decay_treshold")
                .hasMessageContaining("decay_threshold").hasMessageContaining("izhikevich").hasMessageContaining("lif");
    }

    @Test
    void shouldRejectUnknownOrOutOfRangeCustomParameters() {
        assertThatThrownBy(() -> build(oneNeuron("decay_threshold", "\"treshold\": -40.0", null)))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("test.json: populations[0].params.treshold: ")
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> build(oneNeuron("decay_threshold", "\"decay\": 1.5", null)))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("test.json: populations[0].params.decay: ")
                .hasMessageContaining("1.5");
    }
}
