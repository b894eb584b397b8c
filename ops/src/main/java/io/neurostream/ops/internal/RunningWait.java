package io.neurostream.ops.internal;

import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the demo waits for its network to compute after starting the simulator: as long as something
 * observable from outside moves, and no longer than {@link #patience} without anything moving.
 *
 * <p>What it watches: the network's newest Status on the status topic (none yet, or its state and
 * tick, and whether it was written since this simulator started) and the simulator group (state,
 * members, partitions assigned). After a kill -9 the previous instance's member can hold the
 * partitions until its session times out, then an open transaction of the dead producer blocks
 * read_committed readers until it times out, then the network is restored and recomputed up to its
 * last committed tick: each step shows up as a change of the group or the status, so a slow but
 * progressing start is not cut short, and a stuck one is reported with what was last seen.
 *
 * <p>Pure bookkeeping: the caller observes ({@link #observe}) and prints {@link #report} lines; time
 * is passed in, so tests can drive it.
 */
public final class RunningWait {

    /** The simulator group as Admin describes it; {@code error} set when it could not be described. */
    public record Group(String state, int members, int assignedPartitions, String error) {
        public static Group unknown(String error) {
            return new Group("?", 0, 0, error);
        }

        @Override
        public String toString() {
            if (error != null) {
                return "not described (" + error + ")";
            }
            return state + ", " + members + " member" + (members == 1 ? "" : "s") + ", " + assignedPartitions
                    + " partition" + (assignedPartitions == 1 ? "" : "s") + " assigned";
        }
    }

    /** What the wait decided after an observation. */
    public enum Verdict {
        /** The network reports RUNNING past tick 0 since the simulator started. */
        RUNNING,
        /** Still waiting. */
        WAITING,
        /** Gave up: no progress for {@link #patience}, or the network reported an end state. */
        GAVE_UP
    }

    private final String networkId;
    private final String groupId;
    private final long sinceMs;
    private final Duration patience;
    private final String patienceWhy;
    private final Duration reportEvery;
    private final long startNanos;

    private Status status;
    private Group group = Group.unknown("not asked yet");
    private String lastKey;
    private long lastProgressNanos;
    private long lastReportNanos;
    private String gaveUp;

    /**
     * @param sinceMs     wall-clock ms the simulator started: only a Status written since then counts
     * @param patience    how long without progress before giving up
     * @param patienceWhy what {@code patience} is made of, for the message
     * @param reportEvery at most one {@link #report} line this often
     * @param nowNanos    the start of the wait ({@link System#nanoTime()})
     */
    public RunningWait(String networkId, String groupId, long sinceMs, Duration patience, String patienceWhy,
            Duration reportEvery, long nowNanos) {
        this.networkId = Objects.requireNonNull(networkId, "networkId");
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        this.sinceMs = sinceMs;
        this.patience = Objects.requireNonNull(patience, "patience");
        this.patienceWhy = Objects.requireNonNull(patienceWhy, "patienceWhy");
        this.reportEvery = Objects.requireNonNull(reportEvery, "reportEvery");
        this.startNanos = nowNanos;
        this.lastProgressNanos = nowNanos;
        this.lastReportNanos = nowNanos;
    }

    /**
     * The bound on a wait without progress: the consumer's session timeout (a killed instance's member
     * holds the partitions that long), plus the producer's transaction timeout (its open transaction
     * blocks read_committed readers that long), plus {@code work} (build, restore, recompute).
     */
    public static Duration patience(long sessionTimeoutMs, long transactionTimeoutMs, Duration work) {
        return Duration.ofMillis(sessionTimeoutMs + transactionTimeoutMs).plus(work);
    }

    /** The network waited for. */
    public String networkId() {
        return networkId;
    }

    /** A newer Status of the network (null: a tombstone). */
    public void status(Status s) {
        this.status = s;
    }

    /** The simulator group as just described. */
    public void group(Group g) {
        this.group = Objects.requireNonNull(g, "group");
    }

    /** Whether a Status counts for this start: written since the simulator started, and not of a run being replaced. */
    private boolean fresh(Status s) {
        return s != null && s.getUpdatedAtMs() >= sinceMs && (replacedRun == null || s.getRunId() != replacedRun);
    }

    private Long replacedRun;

    /** The run being stopped and replaced by a new CREATE: its statuses (its STOPPED among them) do not count. */
    public RunningWait replacing(long runId) {
        this.replacedRun = runId;
        return this;
    }

    /** Judges what has been seen so far, at {@code nowNanos}. */
    public Verdict observe(long nowNanos) {
        if (gaveUp != null) {
            return Verdict.GAVE_UP;
        }
        if (fresh(status) && status.getState() == RunState.RUNNING && status.getTick() > 0) {
            return Verdict.RUNNING;
        }
        if (fresh(status) && (status.getState() == RunState.FAILED || status.getState() == RunState.NUMERIC_FAULT
                || status.getState() == RunState.STOPPED)) {
            gaveUp = "network " + networkId + " is " + status.getState()
                    + (status.getMessage() == null ? "" : ": " + status.getMessage());
            return Verdict.GAVE_UP;
        }
        String key = statusText() + " | " + (group.error() == null ? group : "?");
        if (!key.equals(lastKey)) {
            lastKey = key;
            lastProgressNanos = nowNanos;
        } else if (nowNanos - lastProgressNanos >= patience.toNanos()) {
            gaveUp = String.format(Locale.ROOT, "network %s did not report RUNNING: nothing moved for %d s (%s); "
                    + "waited %d s in all for a Status RUNNING past tick 0 written since the simulator started; last "
                    + "seen: %s; the simulator's log above should say why", networkId, patience.toSeconds(), patienceWhy,
                    Duration.ofNanos(nowNanos - startNanos).toSeconds(), seen());
            return Verdict.GAVE_UP;
        }
        return Verdict.WAITING;
    }

    /** Why the wait gave up (null while it has not). */
    public String gaveUp() {
        return gaveUp;
    }

    /**
     * One line saying what the wait is waiting for and what it last saw, or null if the last line was
     * printed less than {@code reportEvery} ago (the first comes {@code reportEvery} after the start:
     * a quick start prints nothing).
     */
    public String report(long nowNanos) {
        if (nowNanos - lastReportNanos < reportEvery.toNanos()) {
            return null;
        }
        lastReportNanos = nowNanos;
        return String.format(Locale.ROOT, "waiting for network %s to report RUNNING (%d s so far, %d s since anything "
                + "moved; gives up after %d s without progress): %s", networkId,
                Duration.ofNanos(nowNanos - startNanos).toSeconds(), Duration.ofNanos(nowNanos - lastProgressNanos).toSeconds(),
                patience.toSeconds(), seen());
    }

    /** What was last seen of the status and the group. */
    public String seen() {
        return "status " + statusText() + "; simulator group " + groupId + " " + group;
    }

    private String statusText() {
        if (status == null) {
            return "none yet";
        }
        return status.getState() + " at tick " + status.getTick() + (fresh(status) ? "" : " (written before this start)");
    }
}
