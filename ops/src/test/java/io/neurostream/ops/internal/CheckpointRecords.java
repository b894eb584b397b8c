package io.neurostream.ops.internal;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Checkpoint;
import java.nio.ByteBuffer;

/** Checkpoint records as the tests of {@code neurostream state} write them by hand. */
public final class CheckpointRecords {
    private CheckpointRecords() {
    }

    /**
     * The encoded value of one chunk: tick {@code 100 x checkpointId}, journal sequence {@code 10 x
     * checkpointId}, taken at {@code 1_700_000_000_000 + checkpointId} ms, {@code dataBytes} zero bytes of data.
     */
    public static byte[] chunk(String id, long run, long checkpointId, int chunk, int chunks, int format, int dataBytes) {
        return Topics.CHECKPOINTS.valueSerde().encode(Checkpoint.newBuilder().setNetworkId(id).setCheckpointId(checkpointId)
                .setTick(100 * checkpointId).setJournalSequence(10 * checkpointId).setRunEpochMs(1_700_000_000_000L)
                .setSpecHash("abc").setSnapshotFormat(format).setChunk(chunk).setChunks(chunks)
                .setData(ByteBuffer.wrap(new byte[dataBytes])).setTakenAtMs(1_700_000_000_000L + checkpointId)
                .setRunId(run).setJournalOffset(0).setStatusOffset(0).build());
    }
}
