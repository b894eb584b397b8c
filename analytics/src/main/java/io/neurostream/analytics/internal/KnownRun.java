package io.neurostream.analytics.internal;

import java.nio.ByteBuffer;

/**
 * The run of a network as its latest {@code Status} announces it: which frames belong to the network
 * (those whose record timestamp minus simulated time equals {@code runEpochMs}) and how far it has got.
 * The simulator is the only writer of {@code status}, so this is what a frame is checked against: a
 * frame on {@code frames} may come from anyone who can write there.
 *
 * @param runEpochMs the run's epoch: record timestamp of simulated time 0 (ms since the Unix epoch)
 * @param simTimeMs  the largest simulated time, ms, that a Status of this run has reported reached
 */
public record KnownRun(long runEpochMs, long simTimeMs) {
    private static final byte FORMAT = 1;

    public byte[] encode() {
        return ByteBuffer.allocate(17).put(FORMAT).putLong(runEpochMs).putLong(simTimeMs).array();
    }

    public static KnownRun decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        byte format = b.get();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown KnownRun format " + format);
        }
        return new KnownRun(b.getLong(), b.getLong());
    }
}
