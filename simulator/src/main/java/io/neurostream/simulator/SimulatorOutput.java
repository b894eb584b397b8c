package io.neurostream.simulator;

import io.neurostream.schemas.Topic;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Checkpoint;
import io.neurostream.schemas.avro.Frame;
import io.neurostream.schemas.avro.MembraneSample;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import io.neurostream.schemas.avro.Topology;

/**
 * Where the simulator core puts what it produces. Every record is keyed by its network id (for
 * rejected records: the network id if known, else the source record's key); {@code timestampMs} is the
 * record timestamp — the run's epoch plus simulated time for spikes, frames, membrane and journal.
 * Calls come from the simulator's single work thread, frame by frame, in order.
 */
public interface SimulatorOutput {
    /** Drops everything (used while a journal is replayed). */
    SimulatorOutput DISCARD = new Discarding();

    /** An output that drops every record; tools, benchmarks and tests extend it to keep the records they look at. */
    class Discarding implements SimulatorOutput {
        @Override
        public void spikes(String networkId, SpikeBatch batch, long timestampMs) {
        }

        @Override
        public void frame(String networkId, Frame frame, long timestampMs) {
        }

        @Override
        public void membrane(String networkId, MembraneSample sample, long timestampMs) {
        }

        @Override
        public void journal(String networkId, AppliedInput applied, long timestampMs) {
        }

        @Override
        public void topology(String networkId, Topology chunk, long timestampMs) {
        }

        @Override
        public void status(String networkId, Status status, long timestampMs) {
        }

        @Override
        public void rejected(String key, Rejected rejected, long timestampMs) {
        }

        @Override
        public void checkpoint(String networkId, Checkpoint chunk, long timestampMs) {
        }

        @Override
        public void retireCheckpoint(String networkId, int chunk, long timestampMs) {
        }
    }

    void spikes(String networkId, SpikeBatch batch, long timestampMs);

    void frame(String networkId, Frame frame, long timestampMs);

    void membrane(String networkId, MembraneSample sample, long timestampMs);

    void journal(String networkId, AppliedInput applied, long timestampMs);

    void topology(String networkId, Topology chunk, long timestampMs);

    void status(String networkId, Status status, long timestampMs);

    void rejected(String key, Rejected rejected, long timestampMs);

    /** One chunk of a checkpoint (or a run's start marker), keyed {@code networkId/chunk}, on the network's partition. */
    void checkpoint(String networkId, Checkpoint chunk, long timestampMs);

    /** A tombstone for the checkpoint chunk key {@code networkId/chunk}: the network was stopped. */
    void retireCheckpoint(String networkId, int chunk, long timestampMs);

    /**
     * An offset of the partition of {@code topic} that holds this network's records at or below which every
     * record handed over from now on will land: a checkpoint stores it for the journal and the status
     * topic, so that recovery reads them from there instead of from their beginning. 0 (read everything)
     * when the output cannot tell.
     */
    default long nextOffsetAtLeast(Topic<?> topic, String networkId) {
        return 0L;
    }

    /**
     * A record could not be handed to the output at all (for Kafka: the transaction is in an error state).
     * Not the fault of the network that produced it: the core lets it through to the loop that owns the
     * output, which recovers.
     */
    final class PublishException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PublishException(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
