package io.neurostream.ingest;

import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Status;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the simulator made of one control command: {@link Kind#APPLIED applied} (journaled, with the tick
 * before which it took effect), {@link Kind#REJECTED rejected} (with the simulator's reason code and
 * sentence), or {@link Kind#TIMED_OUT timed out} (no answer within the time the caller gave; the command
 * was sent and may still be applied later). A timeout is an answer, not an exception, because "no
 * simulator answered" is an ordinary outcome for a program driving a service it does not own.
 */
public final class Answer {

    /** The three outcomes. */
    public enum Kind {
        /** Journaled by the simulator: the command took effect (or, for a CREATE, the build began). */
        APPLIED,
        /** Sent to topic {@code rejected} with a reason: the command had no effect. */
        REJECTED,
        /** Neither seen before the timeout. */
        TIMED_OUT
    }

    private final Kind kind;
    private final String networkId;
    private final ControlCommand command;
    private final int partition;
    private final long offset;
    private final long tick;
    private final Status status;
    private final int neuronCount;
    private final String reasonCode;
    private final String reason;

    private Answer(Kind kind, String networkId, ControlCommand command, int partition, long offset, long tick,
            Status status, int neuronCount, String reasonCode, String reason) {
        this.kind = kind;
        this.networkId = networkId;
        this.command = command;
        this.partition = partition;
        this.offset = offset;
        this.tick = tick;
        this.status = status;
        this.neuronCount = neuronCount;
        this.reasonCode = reasonCode;
        this.reason = reason;
    }

    /**
     * An applied command.
     *
     * @param tick        the journal entry's tick (before which the command took effect)
     * @param status      the network's newest status read after the journal entry, or null if none was found
     * @param neuronCount the network's neuron count from its topology, or -1 if not read
     */
    static Answer applied(String networkId, ControlCommand command, int partition, long offset, long tick, Status status,
            int neuronCount) {
        return new Answer(Kind.APPLIED, networkId, command, partition, offset, tick, status, neuronCount, null, null);
    }

    static Answer rejected(String networkId, ControlCommand command, int partition, long offset, String reasonCode,
            String reason) {
        return new Answer(Kind.REJECTED, networkId, command, partition, offset, -1, null, -1,
                Objects.requireNonNull(reasonCode), Objects.requireNonNull(reason));
    }

    /** @param waitedFor what was waited for, in words (the reason of this answer) */
    static Answer timedOut(String networkId, ControlCommand command, int partition, long offset, String waitedFor) {
        return new Answer(Kind.TIMED_OUT, networkId, command, partition, offset, -1, null, -1, null,
                Objects.requireNonNull(waitedFor));
    }

    /** The outcome. */
    public Kind kind() {
        return kind;
    }

    /** Whether the simulator journaled the command. */
    public boolean isApplied() {
        return kind == Kind.APPLIED;
    }

    /** Whether the simulator rejected the command. */
    public boolean isRejected() {
        return kind == Kind.REJECTED;
    }

    /** Whether no answer came in time. */
    public boolean isTimedOut() {
        return kind == Kind.TIMED_OUT;
    }

    /** The network the command was for. */
    public String networkId() {
        return networkId;
    }

    /** The command. */
    public ControlCommand command() {
        return command;
    }

    /** The partition of topic {@code control} the command was written to. */
    public int partition() {
        return partition;
    }

    /** The command's offset on topic {@code control}; for a CREATE, also the run id of the run it begins. */
    public long offset() {
        return offset;
    }

    /** APPLIED: the tick before which the command took effect (0 for a CREATE); else empty. */
    public OptionalLong tick() {
        return kind == Kind.APPLIED ? OptionalLong.of(tick) : OptionalLong.empty();
    }

    /**
     * APPLIED: the network's newest status when the answer was read, which was written with the journal
     * entry or later (so it may already show later progress, e.g. ticks a STEP computed); empty if the
     * status was deleted; else empty.
     */
    public Optional<Status> status() {
        return Optional.ofNullable(status);
    }

    /** APPLIED CREATE: the network's neuron count (count) from its topology, once published; else empty. */
    public OptionalInt neuronCount() {
        return neuronCount >= 0 ? OptionalInt.of(neuronCount) : OptionalInt.empty();
    }

    /** REJECTED: the simulator's reason code (e.g. {@code BAD_SPEC}, {@code UNKNOWN_NETWORK}); else empty. */
    public Optional<String> reasonCode() {
        return Optional.ofNullable(reasonCode);
    }

    /**
     * REJECTED: the simulator's sentence saying what was wrong; TIMED_OUT: what was waited for; APPLIED:
     * empty.
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** One line for logs and people: the outcome, the command, and its detail. */
    @Override
    public String toString() {
        String head = command + " " + networkId + " (control partition " + partition + " offset " + offset + ")";
        switch (kind) {
            case APPLIED:
                return head + " applied at tick " + tick
                        + (status == null ? "" : "; network " + status.getState() + " at tick " + status.getTick())
                        + (neuronCount >= 0 ? "; " + neuronCount + " neurons" : "");
            case REJECTED:
                return head + " rejected " + reasonCode + ": " + reason;
            default:
                return head + " timed out: " + reason;
        }
    }
}
