package io.neurostream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.simulator.BadInputCorpus.Entry;
import io.neurostream.simulator.BadInputCorpus.Net;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Feeds the committed bad-input corpus ({@link BadInputCorpus}) to networks running in real time with
 * {@link SimulatorTestDriver}, and checks that every record is rejected once with the manifest's reason
 * and a sentence naming what was wrong, that the counts per reason and per network add up, and that
 * the networks neither slow down nor change: same ticks as pacing says, same spikes as a run that never
 * saw the corpus.
 *
 * <p>Records the simulator once mishandled keep a test each below; {@link #KNOWN_BUGS} lists any the
 * main test must leave out (none now).
 *
 * <p>How to run: {@code mvn -B -o test -pl simulator -Dtest=BadInputCorpusTest} (about 10 s).
 */
class BadInputCorpusTest {
    static final BadInputCorpus CORPUS = BadInputCorpus.load();
    /** Wall time the running networks run before the corpus is fed. */
    static final Duration WARM_UP = Duration.ofMillis(200);
    /** Wall time over which the corpus is fed, record after record. */
    static final Duration FEEDING = Duration.ofSeconds(1);

    /** Corpus files the simulator mishandles (none since the fixes of 2026-11-27; each had its own test below). */
    static final Map<String, String> KNOWN_BUGS = new LinkedHashMap<>();


    @Test
    void corpusShouldHoldAtLeastThirtyDistinctRecordsOnBothTopicsWithKnownReasons() {
        assertThat(CORPUS.entries).hasSizeGreaterThanOrEqualTo(30);
        assertThat(CORPUS.entries).extracting(Entry::topic).contains("control", "external-input")
                .allMatch(t -> t.equals("control") || t.equals("external-input"));
        assertThat(CORPUS.entries.stream().map(Entry::file).distinct().count()).isEqualTo(CORPUS.entries.size());
        Set<String> reasons = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
        assertThat(CORPUS.entries).allSatisfy(e -> {
            assertThat(reasons).as(e.file()).contains(e.reasonCode());
            assertThat(e.bytes()).as(e.file()).isNotNull();
            assertThat(e.description()).as(e.file()).isNotBlank();
        });
        assertThat(KNOWN_BUGS.keySet()).allSatisfy(CORPUS::entry);
    }

    @Test
    void corpusFilesShouldBeExactlyTheOnesTheManifestLists() throws Exception {
        Path dir = Path.of(BadInputCorpusTest.class.getResource("/" + BadInputCorpus.DIR + "/corpus.json").toURI()).getParent();
        try (var files = Files.list(dir)) {
            Set<String> bins = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
                    .collect(Collectors.toSet());
            assertThat(bins).containsExactlyInAnyOrderElementsOf(CORPUS.entries.stream().map(Entry::file).toList());
        }
    }

    @Test
    void shouldRejectEveryCorpusRecordWithItsReasonAndKeepTheNetworksRunningUnchanged() {
        List<Entry> fed = CORPUS.entries.stream().filter(e -> !KNOWN_BUGS.containsKey(e.file())).toList();
        Run reference = Run.of(List.of());
        Run run = Run.of(fed);

        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < fed.size(); i++) {
            checkRejection(soft, fed.get(i), run.rejectionsPerEntry.get(i), run.offsets.get(i), run.driver.config().topicPrefix());
        }
        // counted per reason, exactly as the manifest says
        Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
        fed.forEach(e -> expected.merge(RejectReason.valueOf(e.reasonCode()), 1L, Long::sum));
        soft.assertThat(run.driver.core().rejectedByReason()).as("rejectedByReason()").isEqualTo(expected);
        // and per network in its Status
        for (Net n : CORPUS.networks) {
            long about = fed.stream().filter(e -> n.id().equals(e.networkId())).count();
            run.driver.core().publishStatus(n.id(), run.driver.wallClockMs());
            soft.assertThat(run.driver.status(n.id()).getRejectedCount()).as("rejected_count of %s", n.id()).isEqualTo(about);
        }
        soft.assertAll();

        // the networks kept their pace and their spikes: no record changed the simulation
        long ticksByPacing = Math.round((WARM_UP.toNanos() + FEEDING.toNanos()) / 1e6 / 0.1);
        for (Net n : CORPUS.networks) {
            long expectedTick = n.startSpeed() == null ? 0 : Math.round(ticksByPacing * n.startSpeed());
            assertThat(run.driver.core().network(n.id()).tick()).as("tick of %s after %s of wall time", n.id(),
                    WARM_UP.plus(FEEDING)).isEqualTo(expectedTick).isEqualTo(reference.driver.core().network(n.id()).tick());
            assertThat(run.driver.core().network(n.id()).state()).isEqualTo(
                    n.startSpeed() == null ? RunState.CREATED : RunState.RUNNING);
            assertThat(firstDifference(run.driver.spikeList(n.id()), reference.driver.spikeList(n.id())))
                    .as("spikes of %s against a run without the corpus", n.id()).isNull();
        }
        assertThat(run.driver.spikeList("cuba")).as("cuba fires").hasSizeGreaterThan(1000);
        assertThat(run.driver.journal()).extracting(AppliedInput::getSequence).as("nothing of the corpus was journaled")
                .isEqualTo(reference.driver.journal().stream().map(AppliedInput::getSequence).toList());
        assertThat(run.driver.core().networks()).extracting(h -> h.id()).as("no network was created or stopped")
                .containsExactlyElementsOf(CORPUS.networks.stream().map(Net::id).toList());
        run.driver.close();
        reference.driver.close();
    }

    // ------------------------------------------------------------------ known bugs, one test each

    @Test
    void shouldRejectAMatrixWhoseValueTimesScaleIsInfinite() {
        checkAlone("input-matrix-overflow.bin");
    }

    @Test
    void shouldRejectAPoissonTrainWhoseWeightTimesScaleIsInfinite() {
        checkAlone("input-weight-overflow.bin");
    }

    @Test
    void shouldRejectAnInputOfUnknownKind() {
        checkAlone("input-unknown-kind.bin");
    }

    @Test
    void shouldRejectAnInputThatNamesNoNeuron() {
        checkAlone("input-empty-population-list.bin");
    }

    @Test
    void shouldRejectASpecWhoseDensityPopulationsExceedTheNeuronCap() {
        checkAlone("create-too-many-neurons-by-density.bin");
    }

    @Test
    void shouldRejectAnOutOfRangeTimeConstantAsOutOfRangeNotUnknown() {
        checkAlone("set-negative-time-constant.bin");
    }

    @Test
    void shouldRejectAStepWithoutStepsAsAMissingField() {
        checkAlone("step-without-steps.bin");
    }

    /** Feeds one corpus record to the running corpus networks and checks all the main test checks. */
    static void checkAlone(String file) {
        Entry e = CORPUS.entry(file);
        Run reference = Run.of(List.of());
        Run run = Run.of(List.of(e));
        SoftAssertions soft = new SoftAssertions();
        checkRejection(soft, e, run.rejectionsPerEntry.get(0), run.offsets.get(0), run.driver.config().topicPrefix());
        soft.assertThat(run.driver.core().rejectedByReason()).as("rejectedByReason()")
                .isEqualTo(Map.of(RejectReason.valueOf(e.reasonCode()), 1L));
        for (Net n : CORPUS.networks) {
            soft.assertThat(run.driver.core().network(n.id()).tick()).as("tick of %s", n.id())
                    .isEqualTo(reference.driver.core().network(n.id()).tick());
            soft.assertThat(firstDifference(run.driver.spikeList(n.id()), reference.driver.spikeList(n.id())))
                    .as("spikes of %s against a run without the record", n.id()).isNull();
        }
        soft.assertThat(run.driver.core().networks()).extracting(h -> h.id()).as("hosted networks")
                .containsExactlyElementsOf(CORPUS.networks.stream().map(Net::id).toList());
        run.driver.close();
        reference.driver.close();
        soft.assertAll();
    }

    /** One corpus record produced exactly one Rejected saying what the manifest says, with its source and bytes. */
    static void checkRejection(SoftAssertions soft, Entry e, List<Rejected> produced, long offset, String prefix) {
        soft.assertThat(produced).as("%s: Rejected records produced", e.file()).hasSize(1);
        if (produced.size() != 1) {
            return;
        }
        Rejected r = produced.get(0);
        soft.assertThat(r.getReasonCode()).as("%s (%s): reason_code; reason was: %s", e.file(), e.description(), r.getReason())
                .isEqualTo(e.reasonCode());
        soft.assertThat(r.getReason()).as("%s: reason", e.file()).isNotBlank();
        for (String m : e.mentions()) {
            soft.assertThat(r.getReason()).as("%s: the reason names what was wrong", e.file()).contains(m);
        }
        soft.assertThat(r.getSourceTopic()).as("%s: source_topic", e.file()).isEqualTo(prefix + e.topic());
        soft.assertThat(r.getSourcePartition()).as("%s: source_partition", e.file()).isZero();
        soft.assertThat(r.getSourceOffset()).as("%s: source_offset", e.file()).isEqualTo(offset);
        soft.assertThat(r.getKey()).as("%s: key", e.file()).isEqualTo(e.key());
        soft.assertThat(r.getNetworkId()).as("%s: network_id", e.file()).isEqualTo(e.networkId());
        byte[] bytes = e.bytes();
        soft.assertThat(r.getRawSize()).as("%s: raw_size", e.file()).isEqualTo(bytes.length);
        soft.assertThat(toArray(r.getRaw())).as("%s: raw (first KiB)", e.file())
                .isEqualTo(Arrays.copyOf(bytes, Math.min(bytes.length, 1024)));
    }

    /** Null if two spike lists ({tick, neuron}) are equal, else where they first differ. */
    static String firstDifference(List<long[]> actual, List<long[]> expected) {
        int n = Math.min(actual.size(), expected.size());
        for (int i = 0; i < n; i++) {
            if (!Arrays.equals(actual.get(i), expected.get(i))) {
                return "spike " + i + " is " + Arrays.toString(actual.get(i)) + ", expected " + Arrays.toString(expected.get(i))
                        + " (" + actual.size() + " spikes, expected " + expected.size() + ")";
            }
        }
        return actual.size() == expected.size() ? null
                : actual.size() + " spikes, expected " + expected.size() + " (the first " + n + " agree)";
    }

    static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
     * The corpus networks created and started, {@link #WARM_UP} of wall time, then {@code entries} fed one
     * after another spread evenly over {@link #FEEDING}. With no entries: the reference run.
     */
    static final class Run {
        final SimulatorTestDriver driver;
        final List<List<Rejected>> rejectionsPerEntry = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();

        private Run(SimulatorTestDriver driver) {
            this.driver = driver;
        }

        static Run of(List<Entry> entries) {
            Run run = new Run(new SimulatorTestDriver(CORPUS.config));
            SimulatorTestDriver d = run.driver;
            long controlOffset = 0;
            for (Net n : CORPUS.networks) {
                d.pipeControl(Commands.create(n.id(), n.specJson()));
                controlOffset++;
            }
            for (Net n : CORPUS.networks) {
                if (n.startSpeed() != null) {
                    d.pipeControl(Commands.start(n.id(), n.startSpeed()));
                    controlOffset++;
                }
            }
            assertThat(d.rejected()).as("setting up the corpus networks").isEmpty();
            d.advanceWallClock(WARM_UP);
            for (Net n : CORPUS.networks) {
                if (n.startSpeed() != null) {
                    assertThat(d.core().network(n.id()).tick()).isGreaterThanOrEqualTo(BadInputCorpus.MIN_TICK_BEFORE_FEEDING);
                }
            }
            long inputOffset = 0;
            long feedingMs = FEEDING.toMillis();
            long elapsedMs = 0;
            for (int i = 0; i < entries.size(); i++) {
                long at = i * feedingMs / entries.size();
                d.advanceWallClock(Duration.ofMillis(at - elapsedMs));
                elapsedMs = at;
                Entry e = entries.get(i);
                int before = d.rejected().size();
                if (e.onControl()) {
                    run.offsets.add(controlOffset++);
                    d.pipeRawControl(e.key(), e.bytes());
                } else {
                    run.offsets.add(inputOffset++);
                    d.pipeRawInput(e.key(), e.bytes());
                }
                run.rejectionsPerEntry.add(List.copyOf(d.rejected().subList(before, d.rejected().size())));
            }
            d.advanceWallClock(Duration.ofMillis(feedingMs - elapsedMs));
            return run;
        }
    }
}
