package io.neurostream.ingest.sense;

import java.io.IOException;

/**
 * A sensor: yields {@link Sample}s one after another. A file-backed source has all its samples at hand and
 * dates sample {@code k} at {@code k / rateHz()} s (optionally starting again when it reaches its end); a
 * live source (stdin, a Kafka topic) blocks in {@link #next()} until its next sample arrives. Pacing
 * against the wall clock is the caller's: see {@link Streamer}.
 */
public interface Source extends AutoCloseable {

    /** Samples per second this source stands for; each sample lasts {@code 1 / rateHz} s of simulated time. */
    double rateHz();

    /**
     * The next sample, or null at the end (a finite source that does not loop, or a closed stream).
     *
     * @throws IOException           if the sensor cannot be read
     * @throws BadSampleException    if the data read is not a sample (message names where and what)
     */
    Sample next() throws IOException;

    /** What this source reads, for messages: e.g. {@code frames/ (12 PNG files)}. */
    String describe();

    /** Samples this source skipped as bad so far (a live source skips and counts; files fail). */
    default long skipped() {
        return 0;
    }

    @Override
    default void close() throws IOException {
    }
}
