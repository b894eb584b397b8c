package io.neurostream.analytics.internal;

import java.nio.ByteBuffer;

/**
 * Where one network stands in the windowing: the run it is in, its own stream time and the next window
 * to publish. Stream time here is per network, not per partition: networks sharing a partition run on
 * different clocks (each its own epoch, speed and pauses), so one network's frames must never close
 * another's windows.
 *
 * @param runEpochMs        the run's epoch: record timestamp of simulated time 0 (ms since the Unix epoch)
 * @param streamTimeMs      largest frame timestamp seen in this run
 * @param nextWindowStartMs start of the oldest window not yet published
 */
public record NetworkClock(long runEpochMs, long streamTimeMs, long nextWindowStartMs) {
    private static final byte FORMAT = 1;

    public NetworkClock withStreamTime(long t) {
        return new NetworkClock(runEpochMs, t, nextWindowStartMs);
    }

    public NetworkClock withNextWindowStart(long s) {
        return new NetworkClock(runEpochMs, streamTimeMs, s);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(25).put(FORMAT).putLong(runEpochMs).putLong(streamTimeMs)
                .putLong(nextWindowStartMs).array();
    }

    public static NetworkClock decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        byte format = b.get();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown NetworkClock format " + format);
        }
        return new NetworkClock(b.getLong(), b.getLong(), b.getLong());
    }
}
