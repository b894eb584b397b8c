package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code neurostream run}, in process, with stdout and stderr captured. */
class RunCommandTest {
    /** The engine's test specs (surefire runs with the ops module as working directory). */
    private static final Path SPECS = Path.of("..", "engine", "src", "test", "resources", "specs");
    private static final Path CUBA = SPECS.resolve("cuba.json");

    @TempDir
    Path tmp;

    /** What one execution printed and returned. */
    private static Cli neurostream(String... args) {
        return Cli.run(args);
    }

    @Test
    void shouldWriteSpikesSortedByTickThenNeuron() throws IOException {
        Path csv = tmp.resolve("spikes.csv");

        Cli r = neurostream("run", CUBA.toString(), "--duration-ms", "100", "--spikes-out", csv.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("tick,neuron");
        assertThat(lines).hasSizeGreaterThan(100);
        long prevTick = -1;
        int prevNeuron = -1;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            long tick = Long.parseLong(f[0]);
            int neuron = Integer.parseInt(f[1]);
            assertThat(tick).isBetween(0L, 999L);
            assertThat(neuron).isBetween(0, 3999);
            assertThat(tick > prevTick || tick == prevTick && neuron > prevNeuron)
                    .as("row %s after %d,%d", line, prevTick, prevNeuron).isTrue();
            prevTick = tick;
            prevNeuron = neuron;
        }
    }

    @Test
    void shouldPrintSummaryWhoseNumbersAgreeWithTheSpikeFile() throws IOException {
        Path csv = tmp.resolve("spikes.csv");

        Cli r = neurostream("run", CUBA.toString(), "--duration-ms", "100", "--spikes-out", csv.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        JsonNode s = r.summary();
        assertThat(s.fieldNames()).toIterable().contains("name", "neurons", "synapses", "ticks", "dt_ms", "duration_ms",
                "spikes", "synaptic_events", "rate_hz", "wall_s", "build_s", "threads", "spike_checksum");
        assertThat(s.get("name").asText()).isEqualTo("cuba");
        assertThat(s.get("neurons").asInt()).isEqualTo(4000);
        assertThat(s.get("synapses").asLong()).isBetween(300_000L, 340_000L);
        assertThat(s.get("ticks").asLong()).isEqualTo(1000);
        assertThat(s.get("dt_ms").asDouble()).isEqualTo(0.1);
        assertThat(s.get("duration_ms").asDouble()).isEqualTo(100.0);
        assertThat(s.get("threads").asInt()).isEqualTo(1);
        assertThat(s.get("wall_s").asDouble()).isPositive();
        assertThat(s.get("build_s").asDouble()).isPositive();
        assertThat(s.get("spike_checksum").asText()).matches("[0-9a-f]{16}");

        // spikes in the summary are the rows of the file, split by population as the ids say
        List<String> rows = Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size());
        long spikes = s.get("spikes").asLong();
        assertThat(spikes).isEqualTo(rows.size()).isPositive();
        long e = rows.stream().filter(l -> Integer.parseInt(l.split(",")[1]) < 3200).count();
        assertThat(s.get("population_spikes").get("E").asLong()).isEqualTo(e);
        assertThat(s.get("population_spikes").get("I").asLong()).isEqualTo(spikes - e);

        // rate = spikes / neurons / seconds, per population
        assertThat(s.get("rate_hz").get("E").asDouble()).isCloseTo(e / 3200.0 / 0.1, within(1e-9));
        assertThat(s.get("rate_hz").get("I").asDouble()).isCloseTo((spikes - e) / 800.0 / 0.1, within(1e-9));
        // every spike of this network reaches its ~80 targets (2 % of 4000), except those still in flight at the end
        assertThat(s.get("synaptic_events").asLong()).isBetween(spikes * 60, spikes * 100);
    }

    @Test
    void shouldPrintOnlyTheSummaryOnStdout() {
        Cli r = neurostream("run", CUBA.toString(), "--duration-ms", "10");

        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.out().strip().lines()).hasSize(1);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void shouldRejectUnknownKeyWithOneLineNamingFileAndKey() throws IOException {
        Path spec = tmp.resolve("typo.json");
        Files.writeString(spec, """
                {"name": "typo", "populations": [{"name": "n", "count": 1, "modle": "lif"}]}
                """);

        Cli r = neurostream("run", spec.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("neurostream: typo.json: populations[0].modle: unknown key")
                .contains("did you mean 'model'?")
                .doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void shouldRejectMissingSpecFileWithOneLine() {
        Path missing = tmp.resolve("no-such-spec.json");

        Cli r = neurostream("run", missing.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("neurostream: ").contains("no-such-spec.json").contains("no such file")
                .doesNotContain("Exception");
    }

    @Test
    void shouldRejectBadOptionsWithPicocliMessage() {
        Cli r = neurostream("run", CUBA.toString(), "--threads", "zero");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).as("one line").hasSize(1).first().asString().startsWith("neurostream: ")
                .contains("--threads").contains("zero").endsWith("(see 'neurostream run --help')");
    }

    @Test
    void shouldRejectDurationShorterThanOneTick() {
        Cli r = neurostream("run", CUBA.toString(), "--duration-ms", "0.01");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("less than one tick");
    }

    @Test
    void shouldGiveTheSameChecksumForTheSameSpecTwice() throws IOException {
        JsonNode first = neurostream("run", CUBA.toString(), "--duration-ms", "100").summary();
        JsonNode second = neurostream("run", CUBA.toString(), "--duration-ms", "100").summary();

        assertThat(second.get("spike_checksum").asText()).isEqualTo(first.get("spike_checksum").asText());
        assertThat(second.get("spikes").asLong()).isEqualTo(first.get("spikes").asLong());
    }

    @Test
    void shouldGiveTheSameChecksumOnTwoThreadsAsOnOne() throws IOException {
        JsonNode one = neurostream("run", CUBA.toString(), "--duration-ms", "100", "--threads", "1").summary();
        JsonNode two = neurostream("run", CUBA.toString(), "--duration-ms", "100", "--threads", "2").summary();

        assertThat(two.get("threads").asInt()).isEqualTo(2);
        assertThat(two.get("spike_checksum").asText()).isEqualTo(one.get("spike_checksum").asText());
        assertThat(two.get("synaptic_events").asLong()).isEqualTo(one.get("synaptic_events").asLong());
    }

    @Test
    void shouldRecordProbesEveryPeriod() throws IOException {
        Path spec = tmp.resolve("probed.json");
        Files.writeString(spec, """
                {"name": "probed", "seed": 1, "dt_ms": 1.0,
                 "populations": [{"name": "n", "count": 3, "model": "izhikevich", "type": "regular_spiking"}],
                 "inputs": [{"target": {"population": "n"}, "current": 10.0}],
                 "probes": [{"population": "n", "first": 2, "variables": ["v", "u"], "every_ms": 5}]}
                """);
        Path csv = tmp.resolve("probes.csv");

        Cli r = neurostream("run", spec.toString(), "--duration-ms", "20", "--probes-out", csv.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("tick,neuron,variable,value");
        // ticks 0, 5, 10, 15 × neurons 0, 1 × variables v, u
        assertThat(lines).hasSize(1 + 4 * 2 * 2);
        assertThat(lines.get(1)).startsWith("0,0,v,");
        assertThat(lines.get(2)).startsWith("0,0,u,");
        assertThat(lines.get(3)).startsWith("0,1,v,");
        assertThat(lines.get(5)).startsWith("5,0,v,");
        assertThat(r.summary().get("probe_samples").asLong()).isEqualTo(16);
    }

    @Test
    void shouldSayClearlyWhenProbesAreAskedForButTheSpecHasNone() {
        Cli r = neurostream("run", CUBA.toString(), "--duration-ms", "10", "--probes-out", tmp.resolve("p.csv").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("neurostream: cuba.json: --probes-out").contains("no probes");
        assertThat(tmp.resolve("p.csv")).doesNotExist();
    }

    @Test
    void shouldRejectUnknownProbeVariable() throws IOException {
        Path spec = tmp.resolve("badprobe.json");
        Files.writeString(spec, """
                {"name": "badprobe", "populations": [{"name": "n", "count": 1}],
                 "probes": [{"neurons": [0], "variables": ["voltage"]}]}
                """);

        Cli r = neurostream("run", spec.toString(), "--probes-out", tmp.resolve("p.csv").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(
                "neurostream: badprobe.json: probes[0].variables[0]: unknown variable 'voltage'; variables: v, u, ge, gi");
    }

    @Test
    void shouldPrintSpecNotesOnStderrBeforeRunning() throws IOException {
        Path seed = tmp.resolve("brain_base_model.json");
        Files.writeString(seed, """
                {"model_version": 1, "dimensions": 4, "lattice_shape": [4, 4, 4, 1],
                 "neuron_model": {"type": "LIF", "params_default": {"tau_m": 20.0}},
                 "cell_lifecycle": {"enable_death": true},
                 "areas": [{"name": "V1_like", "coord_ranges": {"x": [0, 3], "y": [0, 3], "z": [0, 3], "w": [0, 0]}}]}
                """);

        Cli r = neurostream("run", seed.toString(), "--duration-ms", "5");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        assertThat(r.err().lines()).isNotEmpty().allMatch(l -> l.startsWith("note: "));
        assertThat(r.err()).contains("cell_lifecycle");
        JsonNode s = r.summary();
        assertThat(s.get("seed").asLong()).isEqualTo(42);
        List<String> pops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : s.get("rate_hz").properties()) {
            pops.add(e.getKey());
        }
        assertThat(pops).containsExactly("V1_like");
    }

    @Test
    void shouldShowExamplesInEveryCommandsHelp() {
        for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"bench", "--help"}}) {
            Cli r = neurostream(args);

            assertThat(r.exitCode()).isEqualTo(0);
            assertThat(r.out()).contains("Usage:").contains("Examples:");
        }
    }

    @Test
    void shouldPrintVersion() {
        Cli r = neurostream("--version");

        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.out()).startsWith("neurostream 0.1.0");
    }

    @Test
    void shouldExplainMissingSubcommand() {
        Cli r = neurostream();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).as("one line").hasSize(1).first().asString()
                .contains("Missing required subcommand (demo, simulate,").endsWith("(see 'neurostream --help')");
    }
}
