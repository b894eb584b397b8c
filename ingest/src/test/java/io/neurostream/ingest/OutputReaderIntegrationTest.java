package io.neurostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link OutputReader} against a real SimulatorService on the in-JVM broker: where it starts. */
class OutputReaderIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private SimulatorFixture sim;
    private NeuroStreamClient client;

    @BeforeEach
    void setUp() throws Exception {
        sim = new SimulatorFixture("reader").withSimulator();
        client = new NeuroStreamClient(sim.clientSettings());
    }

    @AfterEach
    void tearDown() {
        client.close();
        sim.close();
    }

    private Status steppedTo(String id, long ticks) throws InterruptedException {
        assertThat(client.create(id, SimulatorFixture.resource("small.json"), WAIT).isApplied()).isTrue();
        assertThat(client.step(id, ticks).isApplied()).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        Status s = client.status(id).orElseThrow();
        while (s.getTick() < ticks && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = client.status(id).orElseThrow();
        }
        assertThat(s.getTick()).isEqualTo(ticks);
        return s;
    }

    private List<OutputReader.Output<SpikeBatch>> all(OutputReader.Options options) {
        List<OutputReader.Output<SpikeBatch>> out = new ArrayList<>();
        try (OutputReader<SpikeBatch> r = OutputReader.open(sim.clientSettings(), Topics.SPIKES, options)) {
            r.readToEnd(out::add, WAIT);
        }
        return out;
    }

    @Test
    void shouldReadEveryRecordFromTheTimestampOnAndLittleBefore() throws Exception {
        Status s = steppedTo("timed", 8000); // 800 spike records: enough for the start to be searched for
        List<OutputReader.Output<SpikeBatch>> everything = all(OutputReader.Options.fromBeginning().network("timed"));
        long at = s.getRunEpochMs() + (long) (s.getSimTimeMs() / 2);
        List<OutputReader.Output<SpikeBatch>> expected = everything.stream().filter(o -> o.timestampMs() >= at).toList();
        assertThat(expected).isNotEmpty().hasSizeLessThan(everything.size());

        List<OutputReader.Output<SpikeBatch>> fromAt = all(OutputReader.Options.fromTimestamp(at).network("timed"));

        // every record at or after the timestamp, and at most a few hundred before it (a transaction's marker
        // carries the wall-clock time of its commit, which may be later than the simulated times of the records
        // after it: the time index alone may start far too early), never a gap
        List<Long> offsets = fromAt.stream().map(OutputReader.Output::offset).toList();
        List<Long> all = everything.stream().map(OutputReader.Output::offset).toList();
        assertThat(offsets).endsWith(expected.stream().map(OutputReader.Output::offset).toArray(Long[]::new));
        assertThat(all).endsWith(offsets.toArray(Long[]::new));
        assertThat(offsets.size() - expected.size()).isLessThanOrEqualTo(256);
    }

    @Test
    void shouldStartAtTheEndWhenNoRecordIsThatLate() throws Exception {
        Status s = steppedTo("late", 50);

        List<OutputReader.Output<SpikeBatch>> fromLater = all(OutputReader.Options.fromTimestamp(s.getRunEpochMs() + 3_600_000L)
                .network("late"));

        assertThat(fromLater).isEmpty();
    }
}
