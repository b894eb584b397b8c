package io.neurostream.ops.internal;

import io.neurostream.ingest.recording.Recording;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import java.util.ArrayList;
import java.util.List;

/**
 * What replaying a recording does, in order: the journal entries of the run that changed what was computed,
 * each with the tick it acted at, and the tick to run to.
 *
 * <p>Kept: every input (sent again with its recorded tick as explicit tick), SET and PROBE (sent again
 * once the network is at their tick), RESET (the network goes back to tick 0: what follows is a new
 * epoch). Left out: the CREATE (the replay creates the network itself), the commands that only pace a
 * run (START, PAUSE, RESUME, STEP, SPEED: a replay steps to each tick itself), CHECKPOINT, and the journal's
 * notes about records that waited for a build (negative ticks: the same records are journaled again with
 * the tick they acted at). A STOP ends the plan. In the last epoch, entries at or after the recording's
 * committed tick are left out: they acted on ticks the recording does not hold.
 */
public final class ReplayPlan {
    /** One entry to apply: an input or a command, at {@code tick} of its epoch. */
    public record Event(long tick, AppliedInput entry, int epoch) {
        public boolean isInput() {
            return entry.getPayload() instanceof ExternalInput;
        }

        public ExternalInput input() {
            return (ExternalInput) entry.getPayload();
        }

        public Control control() {
            return (Control) entry.getPayload();
        }

        public boolean isReset() {
            return !isInput() && control().getCommand() == ControlCommand.RESET;
        }
    }

    private final List<Event> events;
    private final long endTick;
    private final int epochs;

    private final long[] suffixMin;

    private ReplayPlan(List<Event> events, long endTick, int epochs) {
        this.events = List.copyOf(events);
        this.endTick = endTick;
        this.epochs = epochs;
        this.suffixMin = new long[events.size()];
        for (int i = events.size() - 1; i >= 0; i--) {
            Event e = events.get(i);
            boolean sameEpochNext = i + 1 < events.size() && events.get(i + 1).epoch() == e.epoch() && !e.isReset();
            suffixMin[i] = sameEpochNext ? Math.min(e.tick(), suffixMin[i + 1]) : e.tick();
        }
    }

    /** The plan of a recording's contents. */
    public static ReplayPlan of(Recording.Contents contents) {
        List<AppliedInput> journal = contents.journal();
        int resets = 0;
        for (AppliedInput a : journal) {
            if (a.getTick() >= 0 && a.getPayload() instanceof Control c && c.getCommand() == ControlCommand.RESET) {
                resets++;
            }
        }
        long end = contents.committedTick();
        List<Event> events = new ArrayList<>();
        int epoch = 0;
        for (AppliedInput a : journal) {
            if (a.getTick() < 0) {
                continue;
            }
            boolean lastEpoch = epoch == resets;
            if (a.getPayload() instanceof ExternalInput) {
                if (!lastEpoch || a.getTick() < end) {
                    events.add(new Event(a.getTick(), a, epoch));
                }
                continue;
            }
            Control c = (Control) a.getPayload();
            switch (c.getCommand()) {
                case SET, PROBE -> {
                    if (!lastEpoch || a.getTick() < end) {
                        events.add(new Event(a.getTick(), a, epoch));
                    }
                }
                case RESET -> {
                    events.add(new Event(a.getTick(), a, epoch));
                    epoch++;
                }
                case STOP -> {
                    return new ReplayPlan(events, end, resets + 1);
                }
                default -> {
                    // CREATE, pacing, CHECKPOINT, UNKNOWN: nothing to apply
                }
            }
        }
        return new ReplayPlan(events, end, resets + 1);
    }

    /** The entries to apply, in journal order. */
    public List<Event> events() {
        return events;
    }

    /** The tick the last epoch runs to: the recording's committed tick. */
    public long endTick() {
        return endTick;
    }

    /** Epochs: one, plus one per RESET. */
    public int epochs() {
        return epochs;
    }

    /**
     * How far a network may be advanced before event {@code i} is applied: the smallest tick of it and every
     * later event of its epoch. Every later event was accepted when the recorded network was at or before its
     * own tick, so advancing no further keeps each input in time for its tick and each command at its tick.
     */
    public long advanceLimit(int i) {
        return suffixMin[i];
    }
}
