package io.neurostream.analytics;

import static io.neurostream.analytics.FrameFixture.EPOCH;
import static io.neurostream.analytics.FrameFixture.e;
import static io.neurostream.analytics.FrameFixture.i;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Balance;
import io.neurostream.schemas.avro.EClass;
import io.neurostream.schemas.avro.Rate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rates, balance, windows, lateness and queries of the topology with the default windows (size 1000 ms,
 * advance 100 ms, grace 200 ms), fed 10 ms frames with {@code TopologyTestDriver}: no broker.
 */
class AnalyticsAppTest {

    /** Area A: 80 E neurons firing 2 spikes per frame, 20 I neurons 1; area B: 50 E neurons 1. */
    static final List<FrameFixture.Group> TWO_AREAS = List.of(
            e("A", 2, 80, 0.0, 0.0), i("A", 1, 20, 0.0, 0.0), e("B", 1, 50, 0.0, 0.0));

    @TempDir
    Path stateDir;
    Harness h;
    final FrameFixture net = new FrameFixture("n1", EPOCH, 10);

    @BeforeEach
    void driver() {
        h = new Harness(stateDir, Map.of());
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void shouldPublishRatesAsSpikesOverNeuronsTimesWindowSize() {
        h.pipeRange(net, 0, 1210, t -> TWO_AREAS);

        List<TestRecord<String, Rate>> records = h.rateRecords();
        assertThat(records).extracting(TestRecord::key).containsOnly("n1");
        assertThat(records).extracting(TestRecord::timestamp).containsOnly(EPOCH + 999);
        List<Rate> r = records.stream().map(TestRecord::value).collect(Collectors.toList());
        // 100 frames in [0, 1000): A-E 200 spikes / (80 x 1 s), A-I 100 / 20, B-E 100 / 50
        assertThat(r).extracting(Rate::getArea, Rate::getEClass, Rate::getSpikes, Rate::getNeurons).containsExactly(
                org.assertj.core.groups.Tuple.tuple(null, null, 400L, 150),
                org.assertj.core.groups.Tuple.tuple("A", null, 300L, 100),
                org.assertj.core.groups.Tuple.tuple("A", EClass.E, 200L, 80),
                org.assertj.core.groups.Tuple.tuple("A", EClass.I, 100L, 20),
                org.assertj.core.groups.Tuple.tuple("B", null, 100L, 50),
                org.assertj.core.groups.Tuple.tuple("B", EClass.E, 100L, 50));
        assertThat(r).extracting(Rate::getRateHz).containsExactly(400.0 / 150, 3.0, 2.5, 5.0, 2.0, 2.0);
        assertThat(r).allSatisfy(x -> {
            assertThat(x.getNetworkId()).isEqualTo("n1");
            assertThat(x.getWindowStartMs()).isEqualTo(EPOCH);
            assertThat(x.getWindowEndMs()).isEqualTo(EPOCH + 1000);
        });
    }

    @Test
    void shouldEmitFinalRateOnlyAfterGrace() {
        h.pipeRange(net, 0, 1200, t -> TWO_AREAS); // stream time 1190: window [0, 1000) ended, grace not over
        assertThat(h.rates()).isEmpty();
        assertThat(h.balances()).isEmpty();

        h.pipe(net, 1200, TWO_AREAS); // end 1000 + grace 200
        assertThat(h.rates()).hasSize(6).extracting(Rate::getWindowStartMs).containsOnly(EPOCH);
        assertThat(h.balances()).hasSize(3).extracting(Balance::getWindowStartMs).containsOnly(EPOCH);

        h.pipeRange(net, 1210, 1300, t -> TWO_AREAS);
        assertThat(h.rates()).isEmpty(); // [0, 1000) never again; [100, 1100) not yet

        h.pipe(net, 1300, TWO_AREAS);
        assertThat(h.rates()).hasSize(6).extracting(Rate::getWindowStartMs).containsOnly(EPOCH + 100);
    }

    @Test
    void shouldCountEachFrameInSizeOverAdvanceWindows() {
        List<FrameFixture.Group> quiet = List.of(e("A", 0, 10, 0, 0));
        List<FrameFixture.Group> burst = List.of(e("A", 7, 10, 0, 0));
        h.pipeRange(net, 0, 3000, t -> t == 1500 ? burst : quiet);

        List<Rate> network = Harness.networkLevel(h.rates());
        // published: starts 0 .. 1700 (start + 1000 + 200 <= 2990)
        assertThat(network).extracting(Rate::getWindowStartMs)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(0, 17).map(k -> EPOCH + 100 * k)
                        .boxed().collect(Collectors.toList()));
        // the frame at 1500 is in the 1000/100 = 10 windows starting 600 .. 1500
        assertThat(network.stream().filter(r -> r.getSpikes() == 7).map(Rate::getWindowStartMs))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(6, 15).map(k -> EPOCH + 100 * k)
                        .boxed().collect(Collectors.toList()));
        assertThat(network.stream().filter(r -> r.getSpikes() != 7)).allSatisfy(r -> assertThat(r.getSpikes()).isZero());
        assertThat(network.stream().filter(r -> r.getSpikes() == 7))
                .allSatisfy(r -> assertThat(r.getRateHz()).isEqualTo(0.7)); // 7 / (10 x 1 s)
    }

    @Test
    void shouldPublishBalanceAsTheSeedFunctionPerAreaAndNetwork() {
        // area A: E 0.5 and I 0.1 per frame over both classes -> 50 and 10 per window; area B: no input
        List<FrameFixture.Group> groups = List.of(e("A", 0, 80, 0.25, 0.05), i("A", 0, 20, 0.25, 0.05),
                e("B", 0, 50, 0.0, 0.0));
        h.pipeRange(net, 0, 1210, t -> groups);

        List<Balance> b = h.balances();
        assertThat(b).extracting(Balance::getArea).containsExactly(null, "A", "B");
        for (Balance x : b.subList(0, 2)) { // network and A: E = 50, I = 10
            assertThat(x.getEInput()).isCloseTo(50.0, within(1e-9));
            assertThat(x.getIInput()).isCloseTo(10.0, within(1e-9));
            assertThat(x.getEFraction()).isCloseTo(50.0 / 60, within(1e-12));
            assertThat(x.getIFraction()).isCloseTo(10.0 / 60, within(1e-12));
            assertThat(x.getBalanceRatio()).isCloseTo(5.0, within(1e-9));
            assertThat(x.getEFraction() + x.getIFraction()).isCloseTo(1.0, within(1e-15));
        }
        Balance quiet = b.get(2); // E + I = 0: all zero
        assertThat(quiet.getEInput()).isZero();
        assertThat(quiet.getEFraction()).isZero();
        assertThat(quiet.getIFraction()).isZero();
        assertThat(quiet.getBalanceRatio()).isZero();
        assertThat(b).allSatisfy(x -> {
            assertThat(x.getWindowStartMs()).isEqualTo(EPOCH);
            assertThat(x.getWindowEndMs()).isEqualTo(EPOCH + 1000);
        });
    }

    @Test
    void shouldDropAndCountAFrameWhoseWindowsAreAllFinal() {
        List<FrameFixture.Group> quiet = List.of(e("A", 0, 10, 0, 0));
        h.pipeRange(net, 0, 2000, t -> quiet); // stream time 1990: windows starting 0 .. 700 published
        assertThat(h.lateFramesDropped()).isZero();

        h.pipe(net, 500, List.of(e("A", 1000, 10, 0, 0))); // newest window covering 500 is [500, 1500): final
        assertThat(h.lateFramesDropped()).isEqualTo(1);
        h.pipe(net, 850, List.of(e("A", 500, 10, 0, 0))); // [800, 1800) still open: counts there only
        assertThat(h.lateFramesDropped()).isEqualTo(1);

        h.pipeRange(net, 2000, 2500, t -> quiet);
        List<Rate> network = Harness.networkLevel(h.rates());
        assertThat(network).extracting(Rate::getSpikes).doesNotContain(1000L, 1500L);
        assertThat(network.stream().filter(r -> r.getSpikes() > 0).map(Rate::getWindowStartMs))
                .containsExactly(EPOCH + 800);
    }

    @Test
    void shouldKeepStreamTimePerNetworkSoNetworksOnOnePartitionDoNotCloseEachOthersWindows() {
        // "ahead" runs an hour of simulated time ahead of "behind" (as fast as possible, or never paused)
        FrameFixture ahead = new FrameFixture("ahead", EPOCH + 3_600_000, 10);
        List<FrameFixture.Group> g = List.of(e("A", 1, 10, 0, 0));
        for (long t = 0; t <= 1200; t += 10) {
            h.pipe(ahead, t, g);
            h.pipe(net, t, g);
        }
        assertThat(h.lateFramesDropped()).isZero();
        assertThat(Harness.networkLevel(h.rates())).extracting(Rate::getNetworkId, Rate::getWindowStartMs, Rate::getRateHz)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ahead", EPOCH + 3_600_000, 10.0),
                        org.assertj.core.groups.Tuple.tuple("n1", EPOCH, 10.0));
    }

    @Test
    void shouldFinishTheOldRunAndRestartWindowsWhenTheNetworkStartsANewRun() {
        List<FrameFixture.Group> g = List.of(e("A", 1, 10, 0, 0));
        h.pipeRange(net, 0, 1500, t -> g); // stream time 1490: [0, 1000) .. [200, 1200) published
        assertThat(Harness.networkLevel(h.rates())).hasSize(3);

        // RESET: a new epoch, earlier than the old run's stream time (it ran ahead of the wall clock),
        // announced by the network's Status before its first frame
        FrameFixture rerun = new FrameFixture("n1", EPOCH + 1000, 10);
        h.status("n1", rerun.epochMs(), 0);
        assertThat(Harness.networkLevel(h.rates())).isEmpty(); // the windows follow the old run until the new one's frames
        h.pipe(rerun, 0, g);
        // the old run's complete windows are published at once: [300, 1300) and [400, 1400)
        assertThat(Harness.networkLevel(h.rates())).extracting(Rate::getWindowStartMs, Rate::getRateHz)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EPOCH + 300, 10.0),
                        org.assertj.core.groups.Tuple.tuple(EPOCH + 400, 10.0));

        h.pipeRange(rerun, 10, 1210, t -> g);
        assertThat(Harness.networkLevel(h.rates())).extracting(Rate::getWindowStartMs, Rate::getRateHz)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EPOCH + 1000, 10.0));
        assertThat(h.lateFramesDropped()).isZero();

        h.pipe(net, 1500, g); // a straggler of the old run: a frame of another run now
        assertThat(h.lateFramesDropped()).isZero();
        assertThat(h.framesRejected()).isEqualTo(1);
        assertThat(h.rejected()).extracting(r -> r.getReasonCode()).containsExactly("FOREIGN_RUN");
    }

    @Test
    void shouldAnswerInteractiveQueriesWithTheLatestFinalValues() {
        assertThat(h.queries().latestRates("n1")).isEmpty();
        h.pipeRange(net, 0, 1410, t -> TWO_AREAS); // windows starting 0, 100, 200 published
        List<Rate> rates = h.rates();
        List<Balance> balances = h.balances();
        assertThat(rates).hasSize(18);

        assertThat(h.queries().latestRates("n1")).containsExactlyElementsOf(rates.subList(12, 18));
        assertThat(h.queries().latestRates("n1")).extracting(Rate::getWindowStartMs).containsOnly(EPOCH + 200);
        assertThat(h.queries().latestBalance("n1")).containsExactlyElementsOf(balances.subList(6, 9));
        assertThat(h.queries().latestRates("other")).isEmpty();
        assertThat(h.queries().latestBalance("other")).isEmpty();
        assertThat(h.queries().openAlerts("n1")).isEmpty();
    }

    @Test
    void shouldSkipAndCountInvalidFramesAndUndecodableBytesAndGoOn() {
        TestInputTopic<String, byte[]> raw = h.driver.createInputTopic(Topics.FRAMES.name(), new StringSerializer(),
                new ByteArraySerializer());
        raw.pipeInput("n1", new byte[] {1, 2, 3}, net.ts(0)); // not Avro: logged and skipped by Streams
        h.pipe(net, 0, List.of(e("A", -1, 10, 0, 0)));       // negative spikes
        h.pipe(net, 0, List.of(e("A", 0, 10, Double.NaN, 0)));
        assertThat(AnalyticsApp.invalidFramesSkipped(h.driver.metrics())).isEqualTo(2);

        h.pipeRange(net, 0, 1210, t -> TWO_AREAS);
        assertThat(h.rates()).hasSize(6);
        assertThat(h.lateFramesDropped()).isZero();
    }
}
