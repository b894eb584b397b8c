package io.neurostream.ingest.recording;

import java.time.Instant;

/**
 * What a recording is of: its metadata.
 *
 * @param formatVersion the recording format version of the file
 * @param writerVersion the NeuroStream version that wrote it
 * @param createdAt     when it was made
 * @param networkId     the network recorded
 * @param runId         the run recorded (the control offset of its CREATE)
 * @param specJson      the network's spec, JSON, as created
 * @param seed          the spec's seed
 * @param dtMs          the spec's time step, ms per tick
 * @param fingerprints  {@code Name=hex,...} of the record types the file was written with
 */
public record RecordingInfo(int formatVersion, String writerVersion, Instant createdAt, String networkId, long runId,
        String specJson, long seed, double dtMs, String fingerprints) {

    /** The metadata of a new recording in this build's format. */
    public static RecordingInfo of(String writerVersion, Instant createdAt, String networkId, long runId, String specJson,
            long seed, double dtMs) {
        return new RecordingInfo(RecordingFormat.VERSION, writerVersion, createdAt, networkId, runId, specJson, seed, dtMs,
                RecordingFormat.fingerprints(RecordingFormat.schema()));
    }
}
