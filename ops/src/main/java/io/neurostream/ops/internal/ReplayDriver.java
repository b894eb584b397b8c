package io.neurostream.ops.internal;

import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;

/**
 * Applies a {@link ReplayPlan} to a network, offline or on the service, so that every input acts at its
 * recorded tick and every command between the same ticks as in the recording:
 *
 * <ul>
 *   <li>an input is sent with its recorded tick as explicit tick, while the network is at or before it;
 *   <li>a command is sent when the network has computed exactly the ticks before it (step to it, then the
 *       command);
 *   <li>the network is advanced only by STEP, never past {@link ReplayPlan#advanceLimit} of the next entry,
 *       and only once every input sent is accepted, so no input arrives late; inputs may be sent while the
 *       network still steps, since it never steps past their tick;
 *   <li>at most {@code maxQueued} inputs wait in the network's bounded queue at once: when that many are
 *       sent, the network is stepped as far as the next entry allows, which applies them.
 * </ul>
 */
public final class ReplayDriver {
    /** Where a replay goes: an offline simulator core, or a network on the service. */
    public interface Target {
        /** The tick the network is at, or is stepping to (the steps asked for so far). */
        long tick();

        /** Sends an input with its explicit tick. */
        void input(ExternalInput in);

        /** Waits until every input sent so far is accepted (journaled) by the simulator. */
        void awaitInputsAccepted();

        /** Applies a command now (the network is at its tick) and waits for it to take effect. */
        void command(Control c);

        /**
         * Advances the network to {@code tick} with STEP; it may return before the network is there (the next
         * STEP adds to the steps left), but a command waits for {@link #awaitTick}.
         */
        void stepTo(long tick);

        /** Waits until the network has computed every tick asked for. */
        void awaitTick();

        /** After a RESET, what the replay applies again from tick 0 (the --set changes). */
        void afterReset();
    }

    /** Says before each step how far it may go now, for pacing (returns the tick to step to, at most {@code want}). */
    public interface Pacer {
        long allow(long from, long want);

        Pacer MAX = (from, want) -> want;
    }

    private ReplayDriver() {
    }

    /**
     * Runs the plan to {@code endTick} (the plan's, or less for a window).
     *
     * @param maxQueued inputs that may wait in the network's queue at once
     */
    public static void run(ReplayPlan plan, long endTick, Target target, int maxQueued, Pacer pacer) {
        int queued = 0;
        int lastEpoch = plan.epochs() - 1;
        for (int i = 0; i < plan.events().size(); i++) {
            ReplayPlan.Event e = plan.events().get(i);
            if (e.epoch() == lastEpoch && e.tick() >= endTick) {
                break;
            }
            if (e.isInput()) {
                if (queued >= maxQueued) {
                    advance(target, plan.advanceLimit(i), pacer);
                    queued = 0;
                }
                target.input(ExternalInput.newBuilder(e.input()).setTick(e.tick()).build());
                queued++;
            } else {
                advance(target, e.tick(), pacer);
                target.awaitTick();
                queued = 0;
                target.command(e.control());
                if (e.isReset()) {
                    target.afterReset();
                }
            }
        }
        advance(target, endTick, pacer);
        target.awaitTick();
    }

    private static void advance(ReplayDriver.Target target, long to, Pacer pacer) {
        target.awaitInputsAccepted();
        long now = target.tick();
        while (now < to) {
            long next = pacer.allow(now, to);
            target.stepTo(next);
            now = target.tick();
        }
    }
}
