package io.neurostream.ops.dashboard.internal;

/**
 * One decoded record of a watched network, with the simulated time it belongs to: what a feed hands its
 * viewers (immutable, shared by all of them).
 *
 * @param kind  which topic it came from
 * @param tMs   its simulated time, ms since tick 0 of the run (spikes: the batch's first tick; rates, balance,
 *              alerts: the window's end; membrane: the sample's time; rejected and status: the newest time known)
 * @param value the record (SpikeBatch whole, Rate, Balance, Alert, MembraneSample, Rejected, Status), or the
 *              failure's message for {@link Kind#FAILED}
 */
record Item(Kind kind, double tMs, Object value) {
    enum Kind { SPIKES, RATE, BALANCE, ALERT, MEMBRANE, REJECTED, STATUS, FAILED }
}
