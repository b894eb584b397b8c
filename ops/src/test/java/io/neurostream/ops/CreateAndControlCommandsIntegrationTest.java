package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream create} and {@code neurostream control} run in this JVM against a real
 * SimulatorService on the in-JVM broker: what they print and how they exit for each kind of answer.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CreateAndControlCommandsIntegrationTest {
    /** 400 LIF neurons: built on the simulator's loop, so its CREATE is answered CREATED. */
    static final String SPEC = """
            {"name": "small", "seed": 7, "dt_ms": 0.1,
             "populations": [
               {"name": "E", "count": 320, "model": "lif", "type": "excitatory",
                "params": {"v_rest": -49.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 5.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}},
               {"name": "I", "count": 80, "model": "lif", "type": "inhibitory",
                "params": {"v_rest": -49.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 5.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}}],
             "synapse": {"kind": "exp_current", "tau_exc_ms": 5.0, "tau_inh_ms": 10.0},
             "connections": [
               {"from": "E", "to": ["E", "I"], "probability": 0.1, "weight": 1.62, "delay_ms": 0.1},
               {"from": "I", "to": ["E", "I"], "probability": 0.1, "weight": 9.0, "delay_ms": 0.1}]}
            """;

    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("cli-", 2);

    @TempDir
    Path dir;

    private static Cli cli(String... args) {
        return service.cli(args);
    }

    private Path spec(String name, String json) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test
    void shouldCreateANetworkNamedAfterTheSpecAndPrintItsStateNeuronsAndRun() throws Exception {
        Cli c = cli("create", spec("small.json", SPEC).toString());

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).matches("applied CREATE small at tick 0: CREATED at tick 0, 400 neurons, run \\d+\n");
    }

    @Test
    void shouldCreateAndStartWithTwoAnswerLines() throws Exception {
        Cli c = cli("create", spec("small.json", SPEC).toString(), "--id", "started", "--start", "--speed", "0");

        assertThat(c.exitCode()).as(c.err()).isZero();
        List<String> lines = c.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("applied CREATE started at tick 0: CREATED");
        assertThat(lines.get(1)).startsWith("applied START started at tick 0: ");
        assertThat(cli("control", "started", "stop").out()).startsWith("applied STOP started");
    }

    @Test
    void shouldExitOneAndPrintBadSpecWhenTheSimulatorRejectsTheSpec() throws Exception {
        Cli c = cli("create", spec("bad.json", "{\"name\": \"bad\", \"populations\": 12}").toString());

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.out()).startsWith("rejected BAD_SPEC: ").contains("populations");
        assertThat(c.out().lines()).hasSize(1);
    }

    @Test
    void shouldApplyAStepOnACreatedNetwork() throws Exception {
        assertThat(cli("create", spec("small.json", SPEC).toString(), "--id", "stepper").exitCode()).isZero();

        Cli c = cli("control", "stepper", "step", "50");

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).matches("applied STEP stepper at tick 0: (PAUSED|RUNNING) at tick \\d+, run \\d+\n");
    }

    @Test
    void shouldExitOneWithUnknownNetworkWhenPausingANetworkThatDoesNotExist() {
        Cli c = cli("control", "nobody-here", "pause");

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.out()).startsWith("rejected UNKNOWN_NETWORK: ").contains("nobody-here");
    }

    @Test
    void shouldClearTheProbesOfANetwork() throws Exception {
        assertThat(cli("create", spec("small.json", SPEC).toString(), "--id", "probed").exitCode()).isZero();
        assertThat(cli("control", "probed", "probe", "--neurons", "1,2").exitCode()).isZero();

        Cli c = cli("control", "probed", "probe", "--clear");

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).startsWith("applied PROBE probed");
    }

    @Test
    void shouldAnswerAnUnknownParameterOfASetWithTheSimulatorsReason() throws Exception {
        assertThat(cli("create", spec("small.json", SPEC).toString(), "--id", "setter").exitCode()).isZero();

        assertThat(cli("control", "setter", "set", "E.v_threshold=-51").exitCode()).isZero();
        Cli wrong = cli("control", "setter", "set", "E.no_such_parameter=1");

        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.out()).startsWith("rejected UNKNOWN_PARAMETER: ");
    }
}
