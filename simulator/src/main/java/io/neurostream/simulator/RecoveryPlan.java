package io.neurostream.simulator;

import io.neurostream.schemas.Topics;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.util.ByteBufferInputStream;

/**
 * What a restart restores, worked out from the checkpoints topic alone, the way its compaction will
 * leave it: the newest value of each chunk key counts, and a tombstone deletes the key (a STOPped network
 * has none left). A network's current run is the run of its newest live record; of that run, the newest
 * checkpoint whose chunks are all there is restored — or, if the run has none yet, its start marker says
 * to build it from its CREATE in the journal. The plan also says from which offset the journal and the
 * status topic must be read: the least over the networks of a partition, so that restart work grows with
 * the time since the last checkpoints, not with the age of the runs.
 */
public final class RecoveryPlan {
    /**
     * One network to recover.
     *
     * @param data           the checkpoint's bytes, read chunk by chunk when restored, or {@code null} for a run's
     *                       start marker
     * @param chunkKeys      chunk keys 0 .. chunkKeys - 1 of the network are live on the topic (what STOP retires)
     */
    public record Planned(String networkId, int partition, long runId, long checkpointId, long tick, long journalSequence,
            long journalOffset, long statusOffset, int snapshotFormat, CheckpointBytes data, int chunkKeys, long takenAtMs) {
        /** Whether this is a run's start marker (no state: the network is built from its CREATE). */
        public boolean marker() {
            return data == null;
        }
    }

    private final Map<String, Planned> networks;
    private final List<String> problems;

    private RecoveryPlan(Map<String, Planned> networks, List<String> problems) {
        this.networks = Collections.unmodifiableMap(networks);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * The bytes of a checkpoint to restore, its chunks joined. They are read from the topic a chunk at a time
     * as the stream is consumed, so that recovering many big networks holds one chunk, not every checkpoint.
     */
    public interface CheckpointBytes {
        /** The checkpoint's length in bytes (its chunks' data together). */
        long size();

        /** The bytes from the first, read chunk by chunk as they are consumed. */
        InputStream open();
    }

    /** Reads back one record's value from the checkpoints topic, by partition and offset. */
    @FunctionalInterface
    public interface ChunkReader {
        byte[] value(int partition, long offset);
    }

    /**
     * The plan for the records of some partitions of the checkpoints topic, in offset order per partition:
     * {@link CheckpointCatalog} applies the rules; the chosen checkpoints' chunks are read when they are restored.
     */
    public static RecoveryPlan of(List<Logged> checkpointRecords) {
        CheckpointCatalog catalog = new CheckpointCatalog();
        Map<Long, Logged> byPlace = new HashMap<>();
        for (Logged r : checkpointRecords) {
            catalog.accept(r.partition(), r.offset(), r.key(), r.value());
            byPlace.put(place(r.partition(), r.offset()), r);
        }
        return of(catalog, (partition, offset) -> byPlace.get(place(partition, offset)).value());
    }

    /**
     * The plan for a catalog of the checkpoints topic; {@code chunks} reads back the data of the chunks
     * chosen. The catalog keeps no data, so a topic holding many superseded checkpoints (compaction has
     * not run yet) costs the memory of the restored ones only.
     */
    public static RecoveryPlan of(CheckpointCatalog catalog, ChunkReader chunks) {
        Map<String, Planned> planned = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (CheckpointCatalog.Network n : catalog.networks()) {
            n.problems().forEach(p -> problems.add("network " + n.networkId() + ": " + p));
            CheckpointCatalog.Restorable c = n.restorable();
            if (c == null) {
                continue;
            }
            int chunkKeys = 0;
            for (CheckpointCatalog.Chunk k : n.liveChunks()) {
                try {
                    chunkKeys = Math.max(chunkKeys, Integer.parseInt(k.key().substring(k.key().lastIndexOf('/') + 1)) + 1);
                } catch (NumberFormatException notAChunkKey) {
                    // not one the simulator wrote: nothing of its own to retire
                }
            }
            CheckpointBytes data = c.marker() ? null : new Chunked(c.parts(), c.sizeBytes(), chunks);
            planned.put(n.networkId(), new Planned(n.networkId(), c.parts().get(0).partition(), c.runId(), c.checkpointId(),
                    c.tick(), c.journalSequence(), c.journalOffset(), c.statusOffset(), c.snapshotFormat(), data, chunkKeys,
                    c.takenAtMs()));
        }
        return new RecoveryPlan(planned, problems);
    }

    /** A checkpoint's chunks on the topic, each read when the stream reaches it. */
    private record Chunked(List<CheckpointCatalog.Chunk> parts, long size, ChunkReader reader) implements CheckpointBytes {
        @Override
        public InputStream open() {
            Iterator<CheckpointCatalog.Chunk> next = parts.iterator();
            return new SequenceInputStream(new Enumeration<InputStream>() {
                @Override
                public boolean hasMoreElements() {
                    return next.hasNext();
                }

                @Override
                public InputStream nextElement() {
                    CheckpointCatalog.Chunk part = next.next();
                    ByteBuffer b = Topics.CHECKPOINTS.valueSerde().decode(reader.value(part.partition(), part.offset())).getData();
                    return new ByteBufferInputStream(List.of(b.duplicate()));
                }
            });
        }
    }

    private static long place(int partition, long offset) {
        return ((long) partition << 48) ^ offset;
    }

    /** The networks to recover, by id. */
    public Map<String, Planned> networks() {
        return networks;
    }

    /** What could not be used, one sentence each (incomplete or unreadable checkpoints). */
    public List<String> problems() {
        return problems;
    }

    /** Per partition, the journal offset to read from (partitions without a network to recover are absent). */
    public Map<Integer, Long> journalFrom() {
        Map<Integer, Long> from = new TreeMap<>();
        for (Planned p : networks.values()) {
            from.merge(p.partition(), p.journalOffset(), Math::min);
        }
        return from;
    }

    /** Per partition, the status offset to read from (partitions without a network to recover are absent). */
    public Map<Integer, Long> statusFrom() {
        Map<Integer, Long> from = new TreeMap<>();
        for (Planned p : networks.values()) {
            from.merge(p.partition(), p.statusOffset(), Math::min);
        }
        return from;
    }
}
