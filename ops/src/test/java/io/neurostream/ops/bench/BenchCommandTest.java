package io.neurostream.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The bench command's output and figures. No assertion here is about wall-clock time. */
class BenchCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private record Outcome(int exitCode, String out, String err) {
        List<String> resultLines() {
            return Arrays.stream(out.split("\n")).filter(l -> l.startsWith("RESULT ")).collect(Collectors.toList());
        }

        JsonNode result() throws Exception {
            return MAPPER.readTree(resultLines().get(0).substring("RESULT ".length()));
        }
    }

    private static Outcome bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new BenchCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void shouldPrintExactlyOneResultLineWithFiguresThatAddUp() throws Exception {
        Outcome o = bench("cuba", "--duration-ms", "50", "--repeat", "2");
        assertThat(o.exitCode()).isZero();
        assertThat(o.resultLines()).hasSize(1);
        assertThat(o.out()).contains("warm-up: 1 untimed run of 50 ms first (JIT");
        JsonNode r = o.result();
        assertThat(r.get("bench").asText()).isEqualTo("cuba");
        assertThat(r.get("N").asInt()).isEqualTo(4000);
        assertThat(r.get("Ne").asInt()).isEqualTo(3200);
        assertThat(r.get("Ni").asInt()).isEqualTo(800);
        assertThat(r.get("dt_ms").asDouble()).isEqualTo(0.1);
        assertThat(r.get("ticks").asLong()).isEqualTo(500);
        assertThat(r.get("seed").asLong()).isEqualTo(1234);
        assertThat(r.get("spikes").asLong()).isEqualTo(r.get("spikes_e").asLong() + r.get("spikes_i").asLong());
        assertThat(r.get("rate_e_hz").asDouble()).isEqualTo(r.get("spikes_e").asLong() / 3200.0 / 0.05);
        assertThat(r.get("t_sim_all")).hasSize(2);
        double fastest = Math.min(r.get("t_sim_all").get(0).asDouble(), r.get("t_sim_all").get(1).asDouble());
        assertThat(r.get("t_sim").asDouble()).isEqualTo(fastest);
        assertThat(r.get("checksums_agree").asBoolean()).isTrue();
        assertThat(r.get("spike_checksum").asText()).matches("[0-9a-f]{16}");
        // ~80 synapses per neuron; events are spikes × out-degree, so at most spikes × max fan-out
        assertThat(r.get("syn_per_neuron").asDouble()).isBetween(75.0, 85.0);
        assertThat(r.get("spikes").asLong()).isPositive();
        assertThat(r.get("syn_events").asLong()).isPositive();
        assertThat(r.get("t_sim_cpu_all")).hasSize(2);
        for (String key : new String[] {"t_build", "t_sim_cpu", "heap_bytes_per_synapse", "java"}) {
            assertThat(r.has(key)).as(key).isTrue();
        }
    }

    @Test
    void shouldKeepStaticSynapsesWithinSixteenBytes() throws Exception {
        JsonNode r = bench("izhikevich2003", "--duration-ms", "5", "--warmup", "0").result();
        assertThat(r.get("synapses").asLong()).isEqualTo(1_000_000L);
        assertThat(r.get("bytes_per_synapse").asDouble()).isLessThanOrEqualTo(16.0);
    }

    @Test
    void shouldGiveTheSameSpikesForTheSameSeedAndOtherSpikesForAnother() throws Exception {
        JsonNode a = bench("cuba", "--duration-ms", "100", "--warmup", "0", "--seed", "7").result();
        JsonNode b = bench("cuba", "--duration-ms", "100", "--warmup", "0", "--seed", "7", "--threads", "2").result();
        JsonNode c = bench("cuba", "--duration-ms", "100", "--warmup", "0", "--seed", "8").result();
        assertThat(a.get("seed").asLong()).isEqualTo(7);
        assertThat(b.get("spike_checksum")).isEqualTo(a.get("spike_checksum"));
        assertThat(c.get("spike_checksum")).isNotEqualTo(a.get("spike_checksum"));
    }

    @Test
    void shouldRunCopiesAtOnceWithTheSpikesOfOneAndTimeEachCopy() throws Exception {
        JsonNode one = bench("cuba", "--duration-ms", "50", "--warmup", "0").result();
        Outcome o = bench("cuba", "--duration-ms", "50", "--warmup", "0", "--copies", "2", "--repeat", "2");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).contains("2 copies at once, one thread each").contains("the copies' t_sim [");
        JsonNode r = o.result();
        assertThat(r.get("copies").asInt()).isEqualTo(2);
        assertThat(r.get("spike_checksum")).as("each copy simulates the same spikes as one alone").isEqualTo(one.get("spike_checksum"));
        JsonNode each = r.get("t_sim_copies_all");
        assertThat(each).hasSize(2);
        for (int run = 0; run < 2; run++) {
            assertThat(each.get(run)).hasSize(2);
            double slower = Math.max(each.get(run).get(0).asDouble(), each.get(run).get(1).asDouble());
            assertThat(r.get("t_sim_all").get(run).asDouble()).as("a run's t_sim is its slower copy's").isEqualTo(slower);
        }
    }

    @Test
    void shouldReportTheSpeedUpAndItsCeilingPerRoundForScaling() throws Exception {
        Outcome o = bench("cuba", "--duration-ms", "20", "--warmup", "1", "--repeat", "3", "--threads", "2", "--scaling");
        assertThat(o.exitCode()).isZero();
        assertThat(o.out()).contains("round 3/3: t1 ").contains("median of 3 rounds: speed-up ");
        JsonNode r = o.result();
        assertThat(r.get("checksums_agree").asBoolean()).isTrue();
        for (int round = 0; round < 3; round++) {
            double t1 = r.get("t_sim_one_thread_all").get(round).asDouble();
            double t2 = r.get("t_sim_threads_all").get(round).asDouble();
            double tc = r.get("t_sim_copies_all").get(round).asDouble();
            assertThat(r.get("speed_up_all").get(round).asDouble()).isEqualTo(t1 / t2);
            assertThat(r.get("ceiling_all").get(round).asDouble()).isEqualTo(2 * t1 / tc);
        }
        assertThat(r.get("speed_up_all")).hasSize(3);
        assertThat(r.get("hand_off_us_all")).hasSize(3);
        assertThat(r.get("hand_off_us_all").get(0).asDouble()).as("a round trip between two threads takes time").isPositive();
    }

    @Test
    void shouldRejectUnknownNetworksAndBadCountsAsUsageErrors() {
        Outcome unknown = bench("cobahh");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown network 'cobahh'").contains("cuba, cuba40k, izhikevich2003");
        assertThat(bench("cuba", "--repeat", "0").exitCode()).isEqualTo(2);
        assertThat(bench("cuba", "--duration-ms", "-1").exitCode()).isEqualTo(2);
        assertThat(bench("cuba", "--threads", "0").exitCode()).isEqualTo(2);
        Outcome copiesOnThreads = bench("cuba", "--copies", "2", "--threads", "2");
        assertThat(copiesOnThreads.exitCode()).isEqualTo(2);
        assertThat(copiesOnThreads.err()).contains("--copies runs each copy on one thread");
        Outcome tooMany = bench("cuba40k", "--copies", "100000", "--warmup", "0");
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).contains("100000 copies of cuba40k at once need about").contains("MiB of heap");
        Outcome scalingAlone = bench("cuba", "--scaling");
        assertThat(scalingAlone.exitCode()).isEqualTo(2);
        assertThat(scalingAlone.err()).contains("--scaling compares one thread with --threads N");
        assertThat(bench("cuba", "--duration-ms", "0.01").exitCode()).isEqualTo(2);
    }

    @Test
    void shouldShowExamplesInHelp() {
        Outcome help = bench("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Examples:").contains("bench cuba").contains("--repeat");
    }
}
