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
}
