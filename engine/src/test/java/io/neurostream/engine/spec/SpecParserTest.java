package io.neurostream.engine.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.neurostream.engine.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every mistake in a spec is one {@link SpecException} whose message names the file and the key path,
 * whether the parser or the builder finds it.
 */
class SpecParserTest {

    /** A valid spec with two populations in two areas, one connection and one input; {@code %s} marks edit points. */
    private static String spec(String root, String pop0, String conn0, String input0) {
        return "{\"name\": \"net\", \"seed\": 1, \"dt_ms\": 0.5, \"lattice\": [10, 10, 2, 1]," + root
                + " \"areas\": [{\"name\": \"V1\", \"x\": [0, 9], \"y\": [0, 4], \"z\": [0, 1], \"w\": [0, 0], \"sense\": \"vision\"},"
                + "   {\"name\": \"M1\", \"x\": [0, 9], \"y\": [5, 9], \"z\": [0, 1], \"w\": [0, 0]}],"
                + " \"populations\": [{\"name\": \"E\", \"area\": \"V1\", \"count\": 80, \"model\": \"lif\"" + pop0 + "},"
                + "   {\"name\": \"I\", \"area\": \"M1\", \"density\": 0.2, \"model\": \"izhikevich\", \"type\": \"fast_spiking\"}],"
                + " \"connections\": [{\"from\": \"E\", \"to\": [\"E\", \"I\"], \"probability\": 0.1, \"weight\": 0.5" + conn0 + "}],"
                + " \"inputs\": [{\"target\": {\"population\": \"E\"}, \"current\": 2.0" + input0 + "}]}";
    }

    private static String spec() {
        return spec("", "", "", "");
    }

    /** The one SpecException that parsing and building the text throws. */
    private static String error(String json) {
        SpecException e = catchThrowableOfType(SpecException.class,
                () -> Network.build(SpecParser.parse(json, "net.json")));
        assertThat(e).as("a SpecException for:\n%s", json).isNotNull();
        assertThat(e.source()).isEqualTo("net.json");
        return e.getMessage();
    }

    @Test
    void shouldAcceptTheBaseSpec() {
        Network net = Network.build(SpecParser.parse(spec(), "net.json"));
        assertThat(net.populations()).hasSize(2);
        assertThat(net.population("E").size()).isEqualTo(80);
        assertThat(net.dtMs()).isEqualTo(0.5);
    }

    @Test
    void shouldRejectUnknownKeySuggestingTheClosestOne() {
        assertThat(error(spec(" \"inptus\": [],", "", "", "")))
                .startsWith("net.json: inptus: unknown key").contains("did you mean 'inputs'?");
        assertThat(error(spec("", "", ", \"probablity\": 0.2", "")))
                .startsWith("net.json: connections[0].probablity: unknown key").contains("did you mean 'probability'?");
        assertThat(error(spec("", "", "", ", \"form_ms\": 3")))
                .startsWith("net.json: inputs[0].form_ms: unknown key").contains("did you mean 'from_ms'?");
    }

    @Test
    void shouldRejectMisspelledModelParameterNamingKeyPath() {
        assertThat(error(spec("", ", \"params\": {\"tau_membrain\": 20.0}", "", "")))
                .startsWith("net.json: populations[0].params.tau_membrain: ")
                .contains("tau_membrane");
    }

    @Test
    void shouldSuggestClosestModelParameterForTypo() {
        assertThat(error(spec("", ", \"params\": {\"tau_membrain\": 20.0}", "", "")))
                .startsWith("net.json: populations[0].params.tau_membrain: ")
                .contains("did you mean 'tau_membrane'?");
    }

    @Test
    void shouldRejectUnknownArea() {
        assertThat(error(spec().replace("\"area\": \"M1\"", "\"area\": \"M2\"")))
                .startsWith("net.json: populations[1].area: unknown area 'M2'").contains("V1", "M1");
        assertThat(error(spec().replace("\"target\": {\"population\": \"E\"}", "\"target\": {\"area\": \"A1\"}")))
                .startsWith("net.json: inputs[0].target.area: unknown area 'A1'");
    }

    @Test
    void shouldRejectUnknownPopulationInConnectionsAndInputs() {
        assertThat(error(spec().replace("\"from\": \"E\"", "\"from\": \"X\"")))
                .startsWith("net.json: connections[0].from: unknown population 'X'").contains("E", "I");
        assertThat(error(spec().replace("\"to\": [\"E\", \"I\"]", "\"to\": [\"E\", \"Y\"]")))
                .startsWith("net.json: connections[0].to: unknown population 'Y'");
        assertThat(error(spec().replace("\"target\": {\"population\": \"E\"}", "\"target\": {\"population\": \"Z\"}")))
                .startsWith("net.json: inputs[0].target.population: unknown population 'Z'");
    }

    @Test
    void shouldRejectUnknownModel() {
        assertThat(error(spec().replace("\"model\": \"izhikevich\"", "\"model\": \"hodgkin_huxley\"")))
                .startsWith("net.json: populations[1].model: unknown model 'hodgkin_huxley'").contains("lif", "izhikevich");
    }

    @Test
    void shouldRejectUnknownNeuronType() {
        assertThat(error(spec().replace("\"type\": \"fast_spiking\"", "\"type\": \"fast_spiker\"")))
                .startsWith("net.json: populations[1].type: unknown neuron type 'fast_spiker'")
                .contains("fast_spiking", "regular_spiking", "chattering", "balanced");
    }

    @ParameterizedTest(name = "dt_ms = {0}")
    @ValueSource(strings = {"0", "0.0", "-1.0"})
    void shouldRejectNonPositiveTimeStep(String dt) {
        assertThat(error(spec().replace("\"dt_ms\": 0.5", "\"dt_ms\": " + dt)))
                .startsWith("net.json: dt_ms: must be > 0");
    }

    @Test
    void shouldRejectProbabilityAndDensityAboveOne() {
        assertThat(error(spec().replace("\"probability\": 0.1", "\"probability\": 1.5")))
                .startsWith("net.json: connections[0].probability: must be <= 1");
        assertThat(error(spec().replace("\"density\": 0.2", "\"density\": 1.2")))
                .startsWith("net.json: populations[1].density: must be <= 1");
        assertThat(error(spec().replace("\"probability\": 0.1", "\"probability\": -0.1")))
                .startsWith("net.json: connections[0].probability: must be >= 0");
    }

    @Test
    void shouldRejectNegativeWeightExplainingDalesLaw() {
        assertThat(error(spec().replace("\"weight\": 0.5", "\"weight\": -0.5")))
                .startsWith("net.json: connections[0].weight: must not be negative")
                .contains("magnitudes", "Dale's law");
        assertThat(error(spec().replace("\"weight\": 0.5", "\"weight\": {\"uniform\": [-1.0, 1.0]}")))
                .startsWith("net.json: connections[0].weight: must not be negative");
    }

    @ParameterizedTest(name = "delay_ms = {0}")
    @ValueSource(strings = {"0.0", "0.25", "0.4999"})
    void shouldRejectDelayBelowTimeStep(String delay) {
        assertThat(error(spec("", "", ", \"delay_ms\": " + delay, "")))
                .startsWith("net.json: connections[0].delay_ms: must be at least dt_ms = 0.5");
    }

    @Test
    void shouldRejectUniformDelaysReachingBelowTimeStep() {
        assertThat(error(spec("", "", ", \"delay_ms\": {\"uniform\": [0.1, 0.4]}", "")))
                .startsWith("net.json: connections[0].delay_ms: must be at least dt_ms = 0.5");
    }

    @Test
    void shouldClipNormalDelaysToAtLeastOneTick() {
        // docs/spec-format.md: a normal delay is unbounded; draws below one tick are clipped to one tick
        Network net = Network.build(SpecParser.parse(spec("", "", ", \"delay_ms\": {\"normal\": [0.5, 2.0]}", ""), "net.json"));
        assertThat(net.synapseCount()).isPositive();
        int ones = 0;
        for (int s = 0; s < net.synapseCount(); s++) {
            assertThat(net.synapseDelayTicks(s)).isGreaterThanOrEqualTo(1);
            ones += net.synapseDelayTicks(s) == 1 ? 1 : 0;
        }
        assertThat(ones).as("about half the draws fall below one tick and are clipped").isPositive();
    }

    @Test
    void shouldRejectMalformedJsonWithLineAndColumn() {
        // line 3, column 32 (1-based) is the quote that opens "count" where a comma was expected
        String json = "{\"name\": \"net\",\n  \"seed\": 1,\n  \"populations\": [{\"name\": \"n\" \"count\": 1}]}";
        assertThat(error(json)).startsWith("net.json: not valid JSON at line 3, column 32");
        assertThat(error("{\"name\": \"net\", \"populations\": [")).startsWith("net.json: not valid JSON at line 1");
        assertThat(error("")).startsWith("net.json: ").contains("empty");
    }

    @Test
    void shouldRejectDuplicateKeyNamingFileLineAndKey() {
        String json = "{\"name\": \"net\",\n \"populations\": [{\"name\": \"n\",\n   \"count\": 1, \"count\": 2}]}";
        assertThat(error(json)).startsWith("net.json: ").contains("line 3", "'count'").containsIgnoringCase("duplicate");
    }

    @Test
    void shouldNameKeyPathOfDuplicateKey() {
        String json = "{\"name\": \"net\",\n \"populations\": [{\"name\": \"n\",\n   \"count\": 1, \"count\": 2}]}";
        assertThat(error(json)).contains("populations[0].count");
    }

    @Test
    void shouldRejectCountThatDoesNotFitItsArea() {
        // V1 holds 10·5·2 = 100 coordinates
        assertThat(error(spec().replace("\"count\": 80", "\"count\": 101")))
                .startsWith("net.json: populations[0].count: 101 neurons do not fit").contains("V1", "100");
    }

    @Test
    void shouldRejectAmbiguousDeltaSynapseKind() {
        assertThat(error(spec(" \"synapse\": {\"kind\": \"delta\"},", "", "", "")))
                .startsWith("net.json: synapse.kind: 'delta' is ambiguous").contains("current_pulse", "voltage_jump");
        assertThat(error(spec(" \"synapse\": {\"kind\": \"alpha\"},", "", "", "")))
                .startsWith("net.json: synapse.kind: unknown synapse kind 'alpha'");
    }

    @Test
    void shouldPlaceNeuronsInOrderInOneDefaultAreaWithoutLattice() {
        NetworkSpec spec = SpecParser.parse("{\"name\": \"flat\", \"populations\": [{\"name\": \"a\", \"count\": 3},"
                + " {\"name\": \"b\", \"count\": 2, \"model\": \"izhikevich\"}]}", "flat.json");
        Network net = Network.build(spec);
        assertThat(net.size()).isEqualTo(5);
        assertThat(net.areas()).hasSize(1);
        String area = net.areas().get(0).name();
        assertThat(net.neuronsInArea(area)).containsExactly(0, 1, 2, 3, 4);
        for (int id = 0; id < 5; id++) {
            assertThat(net.coordinates(id)).containsExactly(id, 0, 0, 0);
            assertThat(net.neuronAt(id, 0, 0, 0)).isEqualTo(id);
        }
        assertThat(net.neuronsOfPopulation("b")).containsExactly(3, 4);
        assertThat(net.lattice()).containsExactly(5, 1, 1, 1);
        assertThat(net.seed()).isZero();
        assertThat(net.dtMs()).isEqualTo(1.0);
    }

    @Test
    void shouldNameFileGivenAsPath() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("spec");
        java.nio.file.Path file = dir.resolve("broken.json");
        java.nio.file.Files.writeString(file, spec().replace("\"dt_ms\": 0.5", "\"dt_ms\": -2"));
        SpecException e = catchThrowableOfType(SpecException.class, () -> SpecParser.parse(file));
        assertThat(e.getMessage()).startsWith("broken.json: dt_ms: ");
        assertThat(e.path()).isEqualTo("dt_ms");
        java.nio.file.Files.delete(file);
        java.nio.file.Files.delete(dir);
    }
}
