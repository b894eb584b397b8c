package io.neurostream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.neurostream.ingest.recording.RecordingFormat;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code neurostream inspect} and {@code neurostream replay --offline} on the golden recording of format
 * version 1 (a run with inputs with and without ticks and a SET mid-run, recorded with its outputs), and on
 * bad files: one line naming the file, exit 1.
 */
class ReplayOfflineTest {
    static final Path GOLDEN = Path.of("..", "ingest", "src", "test", "resources", "io", "neurostream", "ingest", "recording",
            "golden-v1.nsrec");

    @TempDir
    Path dir;

    @Test
    void shouldInspectTheMetadataCountsAndRecordedChecksum() {
        Cli c = Cli.run("inspect", GOLDEN.toString());

        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).contains("network:     tiny, run 0, seed 11, dt_ms 0.1")
                .contains("ticks:       [0, 400) = 40 ms")
                .containsPattern("inputs:      CURRENT 2, POISSON 1, ticks 0 to 200")
                .contains("commands:    CREATE 1, SET 1, STEP 2")
                .containsPattern("spike_checksum: [0-9a-f]{16}");
    }

    @Test
    void shouldReplayOfflineToTheRecordedSpikesOnOneThreadOrTwo() throws Exception {
        String recorded = Cli.run("inspect", GOLDEN.toString()).out().replaceAll("(?s).*spike_checksum: ([0-9a-f]{16}).*", "$1");

        Cli one = Cli.run("replay", GOLDEN.toString(), "--offline");
        Cli two = Cli.run("replay", GOLDEN.toString(), "--offline", "--threads", "2");

        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(two.exitCode()).as(two.err()).isZero();
        JsonNode s = one.summary();
        assertThat(s.get("spike_checksum").asText()).isEqualTo(recorded).isEqualTo(s.get("recorded_spike_checksum").asText());
        assertThat(two.summary().get("spike_checksum").asText()).isEqualTo(recorded);
        assertThat(s.get("ticks").asLong()).isEqualTo(400);
        assertThat(s.get("inputs").asInt()).isEqualTo(3);
        assertThat(s.get("inputs_at_other_ticks").asInt()).isZero();
        assertThat(s.get("spikes").asLong()).isPositive();
    }

    @Test
    void shouldChangeTheSpikesWhenAParameterIsSetFromTickZero() throws Exception {
        Cli plain = Cli.run("replay", GOLDEN.toString(), "--offline");
        Cli lower = Cli.run("replay", GOLDEN.toString(), "--offline", "--set", "E.v_threshold=-51");

        assertThat(lower.exitCode()).as(lower.err()).isZero();
        assertThat(lower.summary().get("spike_checksum").asText()).isNotEqualTo(plain.summary().get("spike_checksum").asText());
        assertThat(lower.summary().get("set").asText()).isEqualTo("E.v_threshold=-51");
    }

    @Test
    void shouldSayInOneLineThatATruncatedRecordingEndsMidBlock() throws Exception {
        Path cut = dir.resolve("cut.nsrec");
        Files.copy(GOLDEN, cut);
        try (RandomAccessFile f = new RandomAccessFile(cut.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }

        for (String cmd : new String[] {"inspect", "replay"}) {
            Cli c = cmd.equals("inspect") ? Cli.run(cmd, cut.toString()) : Cli.run(cmd, cut.toString(), "--offline");
            assertThat(c.exitCode()).isEqualTo(1);
            assertThat(c.err()).startsWith("neurostream: " + cut + ": the file ends in the middle of block ").hasLineCount(1);
        }
    }

    @Test
    void shouldSayInOneLineWhichBlockIsCorrupted() throws Exception {
        Path bad = dir.resolve("bad.nsrec");
        byte[] bytes = Files.readAllBytes(GOLDEN);
        for (int i = bytes.length - 500; i < bytes.length - 400; i++) {
            bytes[i] ^= 0x33;
        }
        Files.write(bad, bytes);

        Cli c = Cli.run("replay", bad.toString(), "--offline");

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).startsWith("neurostream: " + bad + ": ").contains("block").hasLineCount(1);
    }

    @Test
    void shouldRefuseANewerFormatVersionInOneLine() throws Exception {
        Path v2 = dir.resolve("v2.nsrec");
        try (DataFileWriter<Object> w = new DataFileWriter<>(new GenericDatumWriter<>(RecordingFormat.schema()))) {
            w.setMeta(RecordingFormat.META_FORMAT_VERSION, "2");
            w.create(RecordingFormat.schema(), v2.toFile());
        }

        Cli c = Cli.run("replay", v2.toString(), "--offline");

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("neurostream: " + v2 + ": recording format 2 is newer than this NeuroStream reads (1); "
                + "upgrade\n");
    }

    @Test
    void shouldSayASpecFileIsNotARecording() throws Exception {
        Path spec = dir.resolve("net.json");
        Files.writeString(spec, "{\"name\": \"x\"}");

        Cli c = Cli.run("inspect", spec.toString());

        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("neurostream: " + spec + ": not a NeuroStream recording (not an Avro object container "
                + "file)\n");
    }

    @Test
    void shouldRejectAMalformedSetAsAUsageError() {
        Cli c = Cli.run("replay", GOLDEN.toString(), "--offline", "--set", "v_threshold=-51");

        assertThat(c.exitCode()).isEqualTo(2);
        assertThat(c.err()).contains("--set v_threshold=-51: expected POP.PARAM=VALUE").hasLineCount(1);
    }

    @Test
    void shouldFailInOneLineWhenTheReplayedSpikesDifferFromTheRecordedOnes() throws Exception {
        Path other = dir.resolve("other-spikes.nsrec");
        io.neurostream.ingest.recording.Recording golden = io.neurostream.ingest.recording.Recording.open(GOLDEN);
        io.neurostream.ingest.recording.Recording.Contents c = golden.readAll();
        try (io.neurostream.ingest.recording.RecordingWriter w = io.neurostream.ingest.recording.RecordingWriter.create(other,
                golden.info())) {
            for (var a : c.journal()) {
                w.journal(a);
            }
            int dropped = -1; // the last batch with spikes: without it, the recorded spikes are not the run's
            for (int i = 0; i < c.spikes().size(); i++) {
                if (io.neurostream.schemas.SpikeBatches.neuronIds(c.spikes().get(i)).length > 0) {
                    dropped = i;
                }
            }
            for (int i = 0; i < c.spikes().size(); i++) {
                if (i != dropped) {
                    w.spikes(c.spikes().get(i));
                }
            }
            for (var f : c.frames()) {
                w.frame(f);
            }
            w.finish(c.committedTick());
        }

        Cli replay = Cli.run("replay", other.toString(), "--offline");
        Cli changed = Cli.run("replay", other.toString(), "--offline", "--set", "E.v_threshold=-51");

        assertThat(replay.exitCode()).isEqualTo(1);
        JsonNode s = replay.summary();
        assertThat(replay.err()).isEqualTo("neurostream: " + other + ": the replay's spike_checksum "
                + s.get("spike_checksum").asText() + " differs from the recorded " + s.get("recorded_spike_checksum").asText()
                + "\n");
        assertThat(changed.exitCode()).as("with --set the spikes are meant to differ").isZero();
    }

    @Test
    void shouldRejectAWindowThatIsNegativeOrBackwardsAsAUsageError() {
        String[][] windows = {{"--to-ms", "-1"}, {"--from-ms", "300", "--to-ms", "200"}, {"--from-ms", "NaN"},
            {"--timeout-s", "0"}};
        for (String[] w : windows) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("replay", GOLDEN.toString(),
                    "--bootstrap-server", "127.0.0.1:1"));
            args.addAll(java.util.List.of(w));

            Cli c = Cli.run(args.toArray(String[]::new));

            assertThat(c.exitCode()).as(String.join(" ", w) + ": " + c.err()).isEqualTo(2);
            assertThat(c.err()).startsWith("neurostream: " + w[w.length - 2]).hasLineCount(1);
        }
    }
}
