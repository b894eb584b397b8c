package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording guarantee on a real SimulatorService and the in-JVM broker: a live run fed with inputs
 * (with and without explicit ticks) and a SET mid-run, recorded with its outputs, has the recorded
 * spike_checksum, and so have its offline replay on one and two threads and its live replays at speed max
 * and at speed 1; a replay with a parameter changed has another.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RecordReplayIntegrationTest {
    /**
     * 400 LIF neurons on a 20 x 20 lattice whose rest is above threshold: they fire on their own, and inputs
     * change how. The lattice is one area with a sense, so that {@code neurostream ingest} can feed it.
     */
    private static final String SPEC = """
            {"name": "small", "seed": 7, "dt_ms": 0.1,
             "lattice": [20, 20, 1, 1],
             "areas": [{"name": "S1", "x": [0, 19], "y": [0, 19], "z": [0, 0], "w": [0, 0]}],
             "senses": {"touch": {"area": "S1"}},
             "populations": [
               {"name": "E", "area": "S1", "count": 320, "model": "lif", "type": "excitatory",
                "params": {"v_rest": -49.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 5.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}},
               {"name": "I", "area": "S1", "count": 80, "model": "lif", "type": "inhibitory",
                "params": {"v_rest": -49.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 5.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}}],
             "synapse": {"kind": "exp_current", "tau_exc_ms": 5.0, "tau_inh_ms": 10.0},
             "connections": [
               {"from": "E", "to": ["E", "I"], "probability": 0.1, "weight": 1.62, "delay_ms": 0.1},
               {"from": "I", "to": ["E", "I"], "probability": 0.1, "weight": 9.0, "delay_ms": 0.1}]}
            """;

    @RegisterExtension
    static final ServiceFixture service = new ServiceFixture("rec-", 2);

    @TempDir
    Path dir;

    private static Cli cli(String... args) {
        return service.cli(args);
    }

    private static ExternalInput.Builder toE(String id) {
        return ExternalInput.newBuilder().setNetworkId(id).setTarget(Target.newBuilder().setPopulations(List.of("E")).build());
    }

    /**
     * A run in real time for about 1.2 s of simulated time, fed while it runs the ways a user feeds one: the
     * Java client (inputs with and without a tick, a SET), {@code neurostream send} (JSON lines, with and
     * without a tick) and {@code neurostream ingest} (a synthetic moving bar on the sense, ticks stamped ahead
     * of the network); then paused.
     */
    private void liveRun(String id) throws Exception {
        try (NeuroStreamClient client = new NeuroStreamClient(service.clientSettings())) {
            assertThat(client.create(id, SPEC, Duration.ofSeconds(30)).isApplied()).isTrue();
            assertThat(client.start(id, 1.0).isApplied()).isTrue();
            client.send(toE(id).setKind(InputKind.CURRENT).setCurrent(20.0).setDurationTicks(1500).build());
            client.send(toE(id).setKind(InputKind.POISSON).setRateHz(500.0).setWeight(3.0).setDurationTicks(2000)
                    .setTick(6000L).build());
            Thread.sleep(300);
            assertThat(client.set(id, "E", "v_threshold", -49.0).isApplied()).isTrue();
            client.send(toE(id).setKind(InputKind.CURRENT).setCurrent(-15.0).setDurationTicks(800).build());
            Path lines = dir.resolve("inputs.jsonl");
            Files.writeString(lines, """
                    {"target": {"populations": ["I"]}, "current": 8, "duration_ticks": 600}
                    {"target": {"area": "S1"}, "rate_hz": 200, "weight": 1.5, "tick": 9000, "duration_ticks": 500}
                    """);
            Cli send = cli("send", id, lines.toString());
            assertThat(send.exitCode()).as(send.err()).isZero();
            Cli ingest = cli("ingest", "synthetic:bar", "--network", id, "--sense", "touch", "--frames", "5",
                    "--rate-hz", "40", "--gain", "15");
            assertThat(ingest.exitCode()).as(ingest.err()).isZero();
            client.send(toE(id).setKind(InputKind.POISSON).setRateHz(300.0).setWeight(2.0).setDurationTicks(1000).build());
            client.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.status(id).map(Status::getTick).orElse(0L) < 12_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(client.pause(id).isApplied()).isTrue();
        }
    }

    @Test
    void shouldReplayARecordedLiveRunToTheSameSpikesOfflineAndLiveAtAnySpeed() throws Exception {
        String id = "rec-" + UUID.randomUUID().toString().substring(0, 6);
        liveRun(id);
        Path file = dir.resolve("run.nsrec");

        Cli record = cli("record", id, "--out", file.toString(), "--with-outputs");
        assertThat(record.exitCode()).as(record.err()).isZero();
        assertThat(record.out()).startsWith("recorded " + id + " run ");

        Cli inspect = Cli.run("inspect", file.toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("CURRENT 3, MATRIX 5, POISSON 3").contains("SET 1");
        String recorded = inspect.out().replaceAll("(?s).*spike_checksum: ([0-9a-f]{16}).*", "$1");
        assertThat(recorded).matches("[0-9a-f]{16}");

        JsonNode offline = summary(Cli.run("replay", file.toString(), "--offline"));
        JsonNode offline2 = summary(Cli.run("replay", file.toString(), "--offline", "--threads", "2"));
        JsonNode max = summary(cli("replay", file.toString(), "--as", id + "-max", "--speed", "max"));
        JsonNode realTime = summary(cli("replay", file.toString(), "--as", id + "-rt", "--speed", "1"));

        assertThat(offline.get("ticks").asLong()).isGreaterThanOrEqualTo(12_000);
        assertThat(offline.get("spikes").asLong()).isPositive();
        for (JsonNode s : List.of(offline, offline2, max, realTime)) {
            assertThat(s.get("spike_checksum").asText()).as(s.toString()).isEqualTo(recorded);
            assertThat(s.get("inputs").asInt()).isEqualTo(11);
            assertThat(s.get("inputs_at_other_ticks").asInt()).isZero();
        }
        assertThat(max.get("spikes").asLong()).isEqualTo(offline.get("spikes").asLong());

        JsonNode changed = summary(Cli.run("replay", file.toString(), "--offline", "--set", "E.v_threshold=-51"));
        assertThat(changed.get("spike_checksum").asText()).isNotEqualTo(recorded);
    }

    @Test
    void shouldRecordTheRunOfItsOwnNetworkWhenAnotherNetworkOnTheSamePartitionWasCreatedAfterIt() throws Exception {
        String id = "own-" + UUID.randomUUID().toString().substring(0, 6);
        String other = sharingPartitionWith(id);
        String otherSpec = SPEC.replace("\"name\": \"small\"", "\"name\": \"other\"");
        try (NeuroStreamClient client = new NeuroStreamClient(service.clientSettings())) {
            assertThat(client.create(id, SPEC, Duration.ofSeconds(30)).isApplied()).isTrue();
            assertThat(client.step(id, 100).isApplied()).isTrue();
            assertThat(client.create(other, otherSpec, Duration.ofSeconds(30)).isApplied()).isTrue();
            assertThat(client.step(other, 50).isApplied()).isTrue();
        }
        Path file = dir.resolve("own.nsrec");

        Cli record = cli("record", id, "--out", file.toString());

        assertThat(record.exitCode()).as(record.err()).isZero();
        io.neurostream.ingest.recording.Recording r = io.neurostream.ingest.recording.Recording.open(file);
        assertThat(r.info().specJson()).isEqualTo(SPEC);
        assertThat(r.readAll().journal()).isNotEmpty().allSatisfy(a -> assertThat(a.getNetworkId()).isEqualTo(id));
    }

    /** Another network id whose records share the partition of {@code id}'s on every topic of the test. */
    private static String sharingPartitionWith(String id) {
        for (int i = 0; ; i++) {
            String other = id + "-other-" + i;
            if (io.neurostream.schemas.Topics.partitionOf(other, 2) == io.neurostream.schemas.Topics.partitionOf(id, 2)) {
                return other;
            }
        }
    }

    @Test
    void shouldSayWhenANetworkHasNoRunToRecord() {
        Cli c = cli("record", "never-created", "--out", dir.resolve("x.nsrec").toString());

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).contains("holds no CREATE of network 'never-created'").hasLineCount(1);
    }

    private static JsonNode summary(Cli c) throws Exception {
        assertThat(c.exitCode()).as(c.err()).isZero();
        return c.summary();
    }
}
