package io.neurostream.ops.dashboard.internal;

/**
 * One decoded record of a watched network, with the simulated time it belongs to: what a feed hands its
 * viewers (immutable, shared by all of them).
 *
 * @param kind  which topic it came from
 * @param tMs   its simulated time, ms since tick 0 of the run (spikes: the batch's first tick; rates, balance,
 *              alerts: the window's end; membrane: the sample's time; rejected and status: the newest time known)
 * @param value the record ({@link Spikes} for a whole spike batch, decoded once for every viewer; Rate, Balance, Alert, MembraneSample, Rejected, Status), or the
 *              failure's message for {@link Kind#FAILED}
 */
record Item(Kind kind, double tMs, Object value) {
    enum Kind { SPIKES, RATE, BALANCE, ALERT, MEMBRANE, REJECTED, STATUS, FAILED }

    /**
     * A whole spike batch, decoded: spike {@code k} is neuron {@code ids[k]} at tick {@code firstTick + offsets[k]}.
     * Not to be modified: every viewer reads the same arrays.
     */
    record Spikes(long firstTick, int ticks, int[] ids, int[] offsets) {
    }
}
