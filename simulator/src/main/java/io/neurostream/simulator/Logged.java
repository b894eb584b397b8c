package io.neurostream.simulator;

/**
 * A record as it was read back from one of the simulator's own topics (checkpoints, journal, status) for
 * recovery: where it lies, its timestamp, its key and its encoded value ({@code null}: a tombstone).
 */
public record Logged(int partition, long offset, long timestampMs, String key, byte[] value) {
}
