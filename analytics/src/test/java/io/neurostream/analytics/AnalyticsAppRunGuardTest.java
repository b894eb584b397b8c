package io.neurostream.analytics;

import static io.neurostream.analytics.FrameFixture.EPOCH;
import static io.neurostream.analytics.FrameFixture.e;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.neurostream.analytics.internal.FrameWindowProcessor;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.Rate;
import io.neurostream.schemas.avro.Rejected;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Frames of another run, or far ahead of their run, are rejected and do not blind the network's windows;
 * a RESET announced by Status is followed. Default windows (size 1000 ms, advance 100 ms, grace 200 ms),
 * 10 ms frames of 10 E neurons firing 1 spike each (10 Hz), {@code TopologyTestDriver}: no broker.
 */
class AnalyticsAppRunGuardTest {
    static final long YEAR_MS = Duration.ofDays(365).toMillis();
    static final List<FrameFixture.Group> TEN_HZ = List.of(e("A", 1, 10, 2.0, 1.0));
    static final List<FrameFixture.Group> BURST = List.of(e("A", 10_000, 10, 2.0, 1.0));

    @TempDir
    Path stateDir;
    Harness h;
    final FrameFixture net = new FrameFixture("n1", EPOCH, 10);

    Harness harness(Map<String, Object> overrides) {
        h = new Harness(stateDir, overrides);
        return h;
    }

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    /** The whole-network window starts (ms after the epoch) and rates published since the last call. */
    private List<Long> networkStartsAt10Hz(long epochMs) {
        List<Rate> rates = Harness.networkLevel(h.rates());
        assertThat(rates).allSatisfy(r -> assertThat(r.getRateHz()).as("window " + r.getWindowStartMs()).isEqualTo(10.0));
        return rates.stream().map(r -> r.getWindowStartMs() - epochMs).toList();
    }

    private static List<Long> starts(long fromMs, long toMs) {
        return LongStream.iterate(fromMs, s -> s <= toMs, s -> s + 100).boxed().toList();
    }

    @Test
    void shouldRejectAFrameAYearAheadAndKeepPublishingTheRealFramesRates() {
        harness(Map.of());
        h.pipeRange(net, 0, 1500, t -> TEN_HZ);
        h.frames.pipeInput("n1", net.at(YEAR_MS + 1500, BURST), net.ts(YEAR_MS + 1500)); // its epoch is right
        h.pipeRange(net, 1500, 3000, t -> TEN_HZ);

        // stream time 2990: windows ending by 2790 are final, starts 0 .. 1700, each exactly 10 Hz
        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 1700));
        assertThat(h.lateFramesDropped()).isZero();
        assertThat(h.framesRejected()).isEqualTo(1);
        List<Rejected> rejected = h.rejected();
        assertThat(rejected).hasSize(1);
        Rejected r = rejected.get(0);
        assertThat(r.getReasonCode()).isEqualTo(FrameWindowProcessor.FRAME_TOO_FAR_AHEAD);
        assertThat(r.getNetworkId()).isEqualTo("n1");
        assertThat(r.getKey()).isEqualTo("n1");
        assertThat(r.getSourceTopic()).isEqualTo(Topics.FRAMES.name());
        assertThat(r.getSourceOffset()).isEqualTo(150); // frames 0 .. 149 came before it
        assertThat(r.getReason()).contains("network n1", "frame " + (YEAR_MS + 1500) / 10,
                String.valueOf(YEAR_MS + 1500), "1490 ms", "analytics.frame.max.jump.ms");
        byte[] raw = new byte[r.getRaw().remaining()];
        r.getRaw().get(raw);
        Frame back = Topics.FRAMES.valueSerde().decode(raw);
        assertThat(back.getSimTimeMs()).isEqualTo((double) YEAR_MS + 1500);
        assertThat(r.getRawSize()).isEqualTo(raw.length);
    }

    @Test
    void shouldRejectAFrameStampedAYearAheadOfItsSimulatedTimeAsAnotherRun() {
        harness(Map.of());
        h.pipeRange(net, 0, 1500, t -> TEN_HZ); // no Status: the run is learned from the first frame
        h.frames.pipeInput("n1", net.at(1500, BURST), net.ts(1500) + YEAR_MS);
        h.pipeRange(net, 1500, 3000, t -> TEN_HZ);

        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 1700));
        assertThat(h.lateFramesDropped()).isZero();
        assertThat(h.rejected()).singleElement().satisfies(r -> {
            assertThat(r.getReasonCode()).isEqualTo(FrameWindowProcessor.FOREIGN_RUN);
            assertThat(r.getReason()).contains("network n1", "run epoch " + (EPOCH + YEAR_MS),
                    "epoch " + EPOCH + " (learned from its first frame)");
        });
    }

    @Test
    void shouldRejectFramesOfRunsTheStatusDoesNotAnnounceOlderOrNewer() {
        harness(Map.of());
        h.status("n1", EPOCH, 0);
        FrameFixture yesterday = new FrameFixture("n1", EPOCH - Duration.ofDays(1).toMillis(), 10);
        FrameFixture unannounced = new FrameFixture("n1", EPOCH + 3_600_000, 10);
        h.pipe(yesterday, 0, BURST); // before any frame of the announced run: not taken for the network's run
        h.pipeRange(net, 0, 1500, t -> TEN_HZ);
        h.pipe(yesterday, 1500, BURST);
        h.pipe(unannounced, 0, BURST); // newer, but no Status says so
        h.pipeRange(net, 1500, 3000, t -> TEN_HZ);

        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 1700));
        assertThat(h.lateFramesDropped()).isZero();
        assertThat(h.framesRejected()).isEqualTo(3);
        assertThat(h.rejected()).extracting(Rejected::getReasonCode, r -> r.getReason().contains("announced by its Status"))
                .containsOnly(tuple(FrameWindowProcessor.FOREIGN_RUN, true)).hasSize(3);
    }

    @Test
    void shouldRejectTheFirstFrameOfAnAnnouncedRunFarAheadOfWhatItsStatusReports() {
        harness(Map.of());
        h.status("n1", EPOCH, 0);
        h.frames.pipeInput("n1", net.at(YEAR_MS, BURST), net.ts(YEAR_MS));
        h.pipeRange(net, 0, 1500, t -> TEN_HZ);

        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 200));
        assertThat(h.rejected()).extracting(Rejected::getReasonCode)
                .containsExactly(FrameWindowProcessor.FRAME_TOO_FAR_AHEAD);
    }

    @Test
    void shouldFollowAResetAnnouncedByStatusAndCountTheOldRunsLastFramesThatComeAfterIt() {
        harness(Map.of());
        h.status("n1", EPOCH, 0);
        h.pipeRange(net, 0, 1500, t -> TEN_HZ);
        // RESET while the old run, computed as fast as possible, is ahead of the wall clock: its Status comes
        // before the old run's last frames, which still count
        FrameFixture rerun = new FrameFixture("n1", EPOCH + 1000, 10);
        h.status("n1", rerun.epochMs(), 0);
        h.pipeRange(net, 1500, 2000, t -> TEN_HZ);
        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 700));

        h.pipeRange(rerun, 0, 1500, t -> TEN_HZ);
        List<Rate> rates = Harness.networkLevel(h.rates());
        // the old run's complete windows (ending by its last frame) at the new run's first frame, then the new run's
        assertThat(rates).extracting(Rate::getWindowStartMs, Rate::getRateHz).containsExactly(
                tuple(EPOCH + 800, 10.0), tuple(EPOCH + 900, 10.0),
                tuple(rerun.epochMs(), 10.0), tuple(rerun.epochMs() + 100, 10.0), tuple(rerun.epochMs() + 200, 10.0));
        assertThat(h.framesRejected()).isZero();
        assertThat(h.lateFramesDropped()).isZero();

        h.pipe(net, 2000, TEN_HZ); // the old run, after the new run's first frame: another run now
        assertThat(h.rejected()).extracting(Rejected::getReasonCode).containsExactly(FrameWindowProcessor.FOREIGN_RUN);
    }

    @Test
    void shouldFollowANewRunOnlyOnceItsStatusAnnouncesIt() {
        harness(Map.of());
        h.pipeRange(net, 0, 1500, t -> TEN_HZ);
        FrameFixture rerun = new FrameFixture("n1", EPOCH + 60_000, 10);
        h.pipeRange(rerun, 0, 100, t -> TEN_HZ); // before its Status (written late): rejected
        assertThat(h.framesRejected()).isEqualTo(10);
        assertThat(networkStartsAt10Hz(EPOCH)).isEqualTo(starts(0, 200));

        h.status("n1", rerun.epochMs(), 100);
        h.pipeRange(rerun, 100, 1500, t -> TEN_HZ);
        List<Rate> rates = Harness.networkLevel(h.rates());
        // the old run's windows [300, 1300) and [400, 1400), then the new run's, whose first 100 ms are missing
        assertThat(rates).extracting(Rate::getWindowStartMs, Rate::getRateHz).containsExactly(
                tuple(EPOCH + 300, 10.0), tuple(EPOCH + 400, 10.0),
                tuple(rerun.epochMs(), 9.0), tuple(rerun.epochMs() + 100, 10.0), tuple(rerun.epochMs() + 200, 10.0));
        assertThat(h.framesRejected()).isEqualTo(10);
    }

    @Test
    void shouldAcceptAJumpUpToTheConfiguredBoundAndRejectOneBeyondIt() {
        harness(Map.of(AnalyticsConfig.FRAME_MAX_JUMP_MS, "500"));
        h.pipeRange(net, 0, 1000, t -> TEN_HZ);
        h.pipe(net, 990 + 510, TEN_HZ); // 510 ms after the newest frame (990)
        assertThat(h.framesRejected()).isEqualTo(1);
        h.pipe(net, 990 + 500, TEN_HZ); // 500 ms: a gap, accepted
        assertThat(h.framesRejected()).isEqualTo(1);
        assertThat(h.rejected()).extracting(Rejected::getReasonCode)
                .containsExactly(FrameWindowProcessor.FRAME_TOO_FAR_AHEAD);
        assertThat(Harness.networkLevel(h.rates())).extracting(Rate::getWindowStartMs).containsExactly(EPOCH,
                EPOCH + 100, EPOCH + 200); // stream time 1490 closes windows ending by 1290
    }

    @Test
    void shouldWarnAboutRejectedFramesAtMostOnceAMinutePerNetwork() {
        harness(Map.of());
        Logger log = (Logger) LoggerFactory.getLogger(FrameWindowProcessor.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            FrameFixture other = new FrameFixture("n2", EPOCH, 10);
            h.pipeRange(net, 0, 100, t -> TEN_HZ);
            h.pipeRange(other, 0, 100, t -> TEN_HZ);
            for (int k = 0; k < 50; k++) {
                h.frames.pipeInput("n1", net.at(1000, BURST), net.ts(1000) + YEAR_MS);
            }
            h.frames.pipeInput("n2", other.at(1000, BURST), other.ts(1000) + YEAR_MS);
            h.driver.advanceWallClockTime(Duration.ofSeconds(59));
            h.frames.pipeInput("n1", net.at(1000, BURST), net.ts(1000) + YEAR_MS);
            h.driver.advanceWallClockTime(Duration.ofSeconds(1));
            h.frames.pipeInput("n1", net.at(1000, BURST), net.ts(1000) + YEAR_MS);

            List<String> warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).hasSize(3);
            assertThat(warnings.get(0)).startsWith("network n1: rejected 1 frame(s)").contains("FOREIGN_RUN");
            assertThat(warnings.get(1)).startsWith("network n2: rejected 1 frame(s)");
            assertThat(warnings.get(2)).startsWith("network n1: rejected 51 frame(s)");
            assertThat(h.framesRejected()).isEqualTo(53);
            assertThat(h.rejected()).hasSize(53);
        } finally {
            log.detachAppender(appender);
        }
    }
}
