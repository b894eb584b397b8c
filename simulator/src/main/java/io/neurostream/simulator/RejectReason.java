package io.neurostream.simulator;

/**
 * Why a record went to {@code rejected} instead of into a network. The code is the record's
 * {@code reason_code}; the text that goes with it says what was wrong with that record.
 */
public enum RejectReason {
    /** The bytes are not a record of a known schema (truncated, random, wrong or unknown fingerprint). */
    UNDECODABLE,
    /** The record's key is not its network id. */
    KEY_MISMATCH,
    /** No network with that id is hosted here. */
    UNKNOWN_NETWORK,
    /** CREATE for a network id that already exists. */
    NETWORK_EXISTS,
    /** CREATE with a spec that does not parse or validate. */
    BAD_SPEC,
    /** A command or input lacks a field it needs, or has one it must not. */
    BAD_COMMAND,
    /** The command is not allowed in the network's current state (e.g. STEP while running). */
    WRONG_STATE,
    /** The target names no population, area, sense, neuron or coordinate, or more than one kind. */
    BAD_TARGET,
    UNKNOWN_SENSE,
    UNKNOWN_AREA,
    UNKNOWN_POPULATION,
    UNKNOWN_NEURON,
    UNKNOWN_PARAMETER,
    /** Coordinates outside the lattice, or with no neuron. */
    OFF_LATTICE,
    /** NaN or infinite values. */
    NON_FINITE,
    /** A matrix whose declared shape does not match its values or does not fit the sense's area. */
    BAD_SHAPE,
    /** More values or neurons than the simulator accepts in one record. */
    OVERSIZED,
    /** Negative, zero or absurd durations, step counts or speeds. */
    BAD_DURATION,
    /** A tick further in the past than the late-input tolerance. */
    TICK_IN_PAST,
    /** A tick further ahead than the simulator queues inputs for. */
    TICK_TOO_FAR,
    /** The network's input queue is full (count or bytes): it is flooded or far behind. */
    QUEUE_FULL,
    /** A finite value beyond the physical bounds ({@code simulator.input.max.abs.value}). */
    OUT_OF_RANGE,
    /** The spec's estimated memory does not fit what is left of the simulator's memory budget. */
    INSUFFICIENT_MEMORY,
    /** Applying the record failed inside the simulator (a defect); the record was skipped. */
    INTERNAL_ERROR
}
