package io.neurostream.ops.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.neurostream.ops.internal.RunningWait.Group;
import io.neurostream.ops.internal.RunningWait.Verdict;
import io.neurostream.schemas.avro.RunMode;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo's wait for RUNNING, driven by hand: it waits while something moves and gives up when nothing does. */
class RunningWaitTest {
    private static final long S = 1_000_000_000L;
    private static final long START_MS = 1_700_000_000_000L;

    private static RunningWait waitFrom(long t0) {
        return new RunningWait("demo", "neurostream.simulator", START_MS, RunningWait.patience(45_000, 10_000,
                Duration.ofSeconds(30)), "45 s + 10 s + 30 s", Duration.ofSeconds(5), t0);
    }

    private static Status status(RunState state, long tick, long updatedAtMs) {
        return Status.newBuilder().setNetworkId("demo").setState(state).setMode(RunMode.REALTIME).setTick(tick)
                .setSimTimeMs(tick * 0.1).setDtMs(0.1).setRunEpochMs(START_MS).setSpeed(1.0).setRealtimeFactor(1.0)
                .setUpdatedAtMs(updatedAtMs).setRejectedCount(0).setStalledMs(0).setMessage("boom").build();
    }

    @Test
    void shouldDeriveItsPatienceFromTheTimeoutsInUse() {
        assertThat(RunningWait.patience(45_000, 10_000, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(85));
        assertThat(RunningWait.patience(6_000, 10_000, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(46));
    }

    @Test
    void shouldKeepWaitingPastThePatienceWhileTheGroupAndStatusMove() {
        RunningWait w = waitFrom(0);
        w.status(status(RunState.RUNNING, 5000, START_MS - 60_000)); // the killed run's last status
        w.group(new Group("PREPARING_REBALANCE", 2, 0, null));
        assertThat(w.observe(0)).isEqualTo(Verdict.WAITING);
        assertThat(w.observe(80 * S)).isEqualTo(Verdict.WAITING);
        w.group(new Group("STABLE", 1, 13, null));              // the dead member's session ended at 80 s
        assertThat(w.observe(81 * S)).isEqualTo(Verdict.WAITING);
        w.status(status(RunState.BUILDING, 5000, START_MS + 82_000));
        assertThat(w.observe(150 * S)).isEqualTo(Verdict.WAITING); // 69 s after the last change

        w.status(status(RunState.RUNNING, 5001, START_MS + 151_000));

        assertThat(w.observe(151 * S)).isEqualTo(Verdict.RUNNING);
    }

    @Test
    void shouldGiveUpAfterThePatienceWithoutProgressSayingWhatItLastSaw() {
        RunningWait w = waitFrom(0);
        w.group(new Group("STABLE", 1, 13, null));
        assertThat(w.observe(1 * S)).isEqualTo(Verdict.WAITING);
        w.status(status(RunState.PAUSED, 700, START_MS + 2_000));
        assertThat(w.observe(2 * S)).isEqualTo(Verdict.WAITING);
        w.status(status(RunState.PAUSED, 700, START_MS + 50_000)); // a periodic status: nothing moved
        assertThat(w.observe(86 * S)).isEqualTo(Verdict.WAITING);

        assertThat(w.observe(87 * S)).isEqualTo(Verdict.GAVE_UP);
        assertThat(w.gaveUp()).startsWith("network demo did not report RUNNING: nothing moved for 85 s (45 s + 10 s + 30 s)")
                .contains("last seen: status PAUSED at tick 700; simulator group neurostream.simulator STABLE, 1 member, "
                        + "13 partitions assigned");
    }

    @Test
    void shouldNotTakeTheKilledRunsStatusForRunningAndStopAtAnEndState() {
        RunningWait w = waitFrom(0);
        w.status(status(RunState.RUNNING, 5000, START_MS - 1));
        assertThat(w.observe(1 * S)).isEqualTo(Verdict.WAITING);

        w.status(status(RunState.FAILED, 5000, START_MS + 3_000));

        assertThat(w.observe(3 * S)).isEqualTo(Verdict.GAVE_UP);
        assertThat(w.gaveUp()).isEqualTo("network demo is FAILED: boom");
    }

    @Test
    void shouldReportAtMostEveryFewSecondsAndNotAtAllOnAQuickStart() {
        RunningWait w = waitFrom(0);
        w.observe(0);
        assertThat(w.report(4 * S)).isNull();
        assertThat(w.report(5 * S)).isEqualTo("waiting for network demo to report RUNNING (5 s so far, 5 s since anything "
                + "moved; gives up after 85 s without progress): status none yet; simulator group neurostream.simulator "
                + "not described (not asked yet)");
        assertThat(w.report(9 * S)).isNull();
        assertThat(w.report(10 * S)).isNotNull();
    }

    @Test
    void shouldNotCountTheStoppedStatusOfTheFailedRunItReplaces() {
        RunningWait w = waitFrom(0).replacing(7);
        Status stopped = status(RunState.STOPPED, 900, START_MS + 1_000);
        stopped.setRunId(7);
        w.status(stopped);
        assertThat(w.observe(1 * S)).as("the old run's STOPPED, answering the demo's own STOP").isEqualTo(Verdict.WAITING);
        Status running = status(RunState.RUNNING, 10, START_MS + 2_000);
        running.setRunId(42);
        w.status(running);
        assertThat(w.observe(2 * S)).isEqualTo(Verdict.RUNNING);

        RunningWait other = waitFrom(0).replacing(7);
        Status failedAgain = status(RunState.FAILED, 10, START_MS + 3_000);
        failedAgain.setRunId(42);
        other.status(failedAgain);
        assertThat(other.observe(3 * S)).as("the new run failing still ends the wait").isEqualTo(Verdict.GAVE_UP);
    }
}
