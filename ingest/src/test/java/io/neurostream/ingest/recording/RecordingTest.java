package io.neurostream.ingest.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.neurostream.engine.SpikeChecksum;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.InputKind;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Target;
import io.neurostream.simulator.SimulatorTestDriver;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording format: what is written is read back, the frozen schema of the format version is the one
 * written, the golden recording of each format version still reads, and every kind of bad file is one
 * line naming the file.
 */
class RecordingTest {
    static final String SPEC = """
            {"name": "tiny", "seed": 11, "dt_ms": 0.1,
             "populations": [
               {"name": "E", "count": 80, "model": "lif", "type": "excitatory",
                "params": {"v_rest": -60.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 2.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}},
               {"name": "I", "count": 20, "model": "lif", "type": "inhibitory",
                "params": {"v_rest": -60.0, "v_threshold": -50.0, "v_reset": -60.0, "tau_membrane": 20.0,
                           "refractory_ms": 2.0, "integration": "exact"},
                "init": {"v": {"uniform": [-60.0, -50.0]}}}],
             "synapse": {"kind": "exp_current", "tau_exc_ms": 5.0, "tau_inh_ms": 10.0},
             "connections": [
               {"from": "E", "to": ["E", "I"], "probability": 0.1, "weight": 1.5, "delay_ms": 0.1},
               {"from": "I", "to": ["E", "I"], "probability": 0.1, "weight": 6.0, "delay_ms": 0.1}]}
            """;
    static final String ID = "tiny";
    static final long TICKS = 400;
    private static final Path GOLDEN_DIR = Path.of(System.getProperty("basedir", "."),
            "src/test/resources/io/neurostream/ingest/recording");

    @TempDir
    Path dir;

    /** A run on the real simulator core: CREATE, inputs with and without a tick, a SET mid-run, 400 ticks. */
    static SimulatorTestDriver run() {
        SimulatorTestDriver d = new SimulatorTestDriver();
        d.pipeControl(control(ControlCommand.CREATE).setSpecJson(SPEC).build());
        d.pipeInput(current(null, 30.0, 100));
        d.pipeInput(current(120L, 25.0, 60));
        d.pipeControl(control(ControlCommand.STEP).setSteps(150L).build());
        d.runUntilIdle();
        d.pipeControl(control(ControlCommand.SET).setSetPopulation("E").setSetParameter("v_threshold").setSetValue(-52.0).build());
        d.pipeInput(ExternalInput.newBuilder().setNetworkId(ID).setKind(InputKind.POISSON).setRateHz(800.0).setWeight(2.0)
                .setDurationTicks(200).setTick(200L).setTarget(Target.newBuilder().setPopulations(List.of("E")).build()).build());
        d.pipeControl(control(ControlCommand.STEP).setSteps(TICKS - 150).build());
        d.runUntilIdle();
        return d;
    }

    static Control.Builder control(ControlCommand c) {
        return Control.newBuilder().setNetworkId(ID).setCommand(c).setIssuedAtMs(SimulatorTestDriver.START_MS);
    }

    static ExternalInput current(Long tick, double value, int ticks) {
        return ExternalInput.newBuilder().setNetworkId(ID).setKind(InputKind.CURRENT).setCurrent(value).setTick(tick)
                .setDurationTicks(ticks).setTarget(Target.newBuilder().setPopulations(List.of("E")).build()).build();
    }

    static void write(SimulatorTestDriver d, Path file, Instant createdAt) throws IOException {
        long runId = d.journal().get(0).getRunId();
        try (RecordingWriter w = RecordingWriter.create(file, RecordingInfo.of("test", createdAt, ID, runId, SPEC, 11, 0.1))) {
            for (AppliedInput a : d.journal()) {
                w.journal(a);
            }
            w.mark(150);
            d.frames().forEach(f -> rethrow(() -> w.frame(f)));
            d.spikes().forEach(s -> rethrow(() -> w.spikes(s)));
            w.finish(TICKS);
        }
    }

    interface Io {
        void run() throws IOException;
    }

    static void rethrow(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String checksum(List<SpikeBatch> batches) {
        SpikeChecksum c = new SpikeChecksum();
        for (SpikeBatch b : batches) {
            int[] ids = SpikeBatches.neuronIds(b);
            int[] offs = SpikeBatches.tickOffsets(b);
            for (int i = 0; i < ids.length; i++) {
                c.add(b.getFirstTick() + offs[i], ids[i]);
            }
        }
        return c.hex() + "/" + c.count();
    }

    @Test
    void shouldReadBackEveryJournalEntryOutputAndTheFinalMark() throws Exception {
        try (SimulatorTestDriver d = run()) {
            Path file = dir.resolve("r.nsrec");
            write(d, file, Instant.parse("2026-01-02T03:04:05Z"));

            Recording r = Recording.open(file);
            Recording.Contents c = r.readAll();

            assertThat(r.info().networkId()).isEqualTo(ID);
            assertThat(r.info().specJson()).isEqualTo(SPEC);
            assertThat(r.info().createdAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(r.info().formatVersion()).isEqualTo(1);
            assertThat(c.journal()).isEqualTo(d.journal());
            assertThat(c.frames()).isEqualTo(d.frames());
            assertThat(checksum(c.spikes())).isEqualTo(checksum(d.spikes())).doesNotStartWith("/0");
            assertThat(c.committedTick()).isEqualTo(TICKS);
            assertThat(c.complete()).isTrue();
        }
    }

    @Test
    void shouldHandOverTheOutputsInFileOrderWithoutKeepingThemWhenReadingTheJournal() throws Exception {
        try (SimulatorTestDriver d = run()) {
            Path file = dir.resolve("r.nsrec");
            write(d, file, Instant.parse("2026-01-02T03:04:05Z"));
            List<SpikeBatch> spikes = new java.util.ArrayList<>();
            List<Frame> frames = new java.util.ArrayList<>();

            Recording.Contents c = Recording.open(file).readJournal(new Recording.Outputs() {
                @Override
                public void spikes(SpikeBatch batch) {
                    spikes.add(batch);
                }

                @Override
                public void frame(Frame frame) {
                    frames.add(frame);
                }
            });

            assertThat(c.journal()).isEqualTo(d.journal());
            assertThat(c.spikes()).isEmpty();
            assertThat(c.frames()).isEmpty();
            assertThat(frames).isEqualTo(d.frames());
            assertThat(checksum(spikes)).isEqualTo(checksum(d.spikes())).doesNotStartWith("/0");
            assertThat(c.committedTick()).isEqualTo(TICKS);
            assertThat(c.complete()).isTrue();
        }
    }

    @Test
    void shouldWriteTheFrozenSchemaOfFormatVersionOne() throws Exception {
        Path frozen = Path.of(System.getProperty("basedir", "."), "src/main/resources", RecordingFormat.SCHEMA_RESOURCE);
        if (Boolean.getBoolean("golden.write")) {
            Files.writeString(frozen, RecordingFormat.schema().toString(true) + "\n");
        }
        Schema current = RecordingFormat.schema();
        assertThat(current.toString()).as("the schema written now; if a member record changed on purpose, decide whether "
                + "it is a new format version, and write the frozen file again with -Dgolden.write=true")
                .isEqualTo(RecordingFormat.frozenSchema().toString());
    }

    @Test
    void shouldReadTheGoldenRecordingOfFormatVersionOneAsTheSameRunToday() throws Exception {
        Path golden = GOLDEN_DIR.resolve("golden-v1.nsrec");
        try (SimulatorTestDriver d = run()) {
            if (Boolean.getBoolean("golden.write")) {
                write(d, golden, Instant.parse("2026-12-07T00:00:00Z"));
            }
            Recording r = Recording.open(golden);
            Recording.Contents c = r.readAll();

            assertThat(r.info().formatVersion()).isEqualTo(1);
            assertThat(r.info().networkId()).isEqualTo(ID);
            assertThat(r.info().seed()).isEqualTo(11);
            assertThat(r.info().dtMs()).isEqualTo(0.1);
            assertThat(r.info().specJson()).isEqualTo(SPEC);
            assertThat(c.complete()).isTrue();
            assertThat(c.committedTick()).isEqualTo(TICKS);
            // the simulation is deterministic: today's run of the same commands is the recorded one
            assertThat(c.journal()).hasSize(d.journal().size());
            for (int i = 0; i < c.journal().size(); i++) {
                assertThat(c.journal().get(i).getTick()).isEqualTo(d.journal().get(i).getTick());
                assertThat(c.journal().get(i).getPayload()).isEqualTo(d.journal().get(i).getPayload());
            }
            assertThat(checksum(c.spikes())).isEqualTo(checksum(d.spikes()));
            assertThat(c.frames()).hasSameSizeAs(d.frames());
        }
    }

    private Path recorded() throws IOException {
        Path file = dir.resolve("r.nsrec");
        try (SimulatorTestDriver d = run()) {
            write(d, file, Instant.now());
        }
        return file;
    }

    @Test
    void shouldSayWhichBlockAFileCutShortEndsInAndKeepTheWholeBlocks() throws Exception {
        Path file = recorded();
        long size = Files.size(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size - 40);
        }

        assertThatThrownBy(() -> Recording.open(file).readAll())
                .isInstanceOf(RecordingException.class)
                .hasMessageStartingWith(file + ": the file ends in the middle of block ")
                .satisfies(e -> {
                    Recording.Contents partial = ((RecordingException) e).partial();
                    assertThat(partial.journal()).isNotEmpty();
                    assertThat(partial.committedTick()).isEqualTo(150);
                    assertThat(partial.complete()).isFalse();
                });
    }

    @Test
    void shouldReadAFileCutAtABlockBoundaryAsIncomplete() throws Exception {
        Path file = dir.resolve("cut.nsrec");
        try (SimulatorTestDriver d = run();
                RecordingWriter w = RecordingWriter.create(file, RecordingInfo.of("test", Instant.now(), ID, 0, SPEC, 11, 0.1))) {
            for (AppliedInput a : d.journal()) {
                w.journal(a);
            }
            w.mark(150);
            // no finish: as a recorder killed after its last flush leaves the file
        }

        Recording.Contents c = Recording.open(file).readAll();

        assertThat(c.complete()).isFalse();
        assertThat(c.committedTick()).isEqualTo(150);
    }

    @Test
    void shouldReportACorruptedBlockWithTheRecordsReadBeforeIt() throws Exception {
        Path file = recorded();
        byte[] bytes = Files.readAllBytes(file);
        for (int i = bytes.length - 300; i < bytes.length - 200; i++) {
            bytes[i] ^= 0x5A;
        }
        Files.write(file, bytes);

        assertThatThrownBy(() -> Recording.open(file).readAll())
                .isInstanceOf(RecordingException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("block")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void shouldRefuseARecordingOfANewerFormatVersionInOneLine() throws Exception {
        Path file = dir.resolve("v2.nsrec");
        try (DataFileWriter<Object> w = new DataFileWriter<>(new GenericDatumWriter<>(RecordingFormat.schema()))) {
            w.setMeta(RecordingFormat.META_FORMAT_VERSION, "2");
            w.create(RecordingFormat.schema(), file.toFile());
        }

        assertThatThrownBy(() -> Recording.open(file)).isInstanceOf(RecordingException.class)
                .hasMessage(file + ": recording format 2 is newer than this NeuroStream reads (1); upgrade");
    }

    @Test
    void shouldNameTheMissingMetadata() throws Exception {
        Path file = dir.resolve("nometa.nsrec");
        try (DataFileWriter<Object> w = new DataFileWriter<>(new GenericDatumWriter<>(RecordingFormat.schema()))) {
            w.setMeta(RecordingFormat.META_FORMAT_VERSION, "1");
            w.create(RecordingFormat.schema(), file.toFile());
        }

        assertThatThrownBy(() -> Recording.open(file)).isInstanceOf(RecordingException.class)
                .hasMessage(file + ": recording metadata " + RecordingFormat.META_WRITER_VERSION + " is missing");
    }

    @Test
    void shouldSayAFileThatIsNoAvroContainerIsNotARecording() throws Exception {
        Path file = dir.resolve("spec.json");
        Files.writeString(file, SPEC, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> Recording.open(file)).isInstanceOf(RecordingException.class)
                .hasMessage(file + ": not a NeuroStream recording (not an Avro object container file)");
    }
}
