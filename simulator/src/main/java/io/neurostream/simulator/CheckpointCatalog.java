package io.neurostream.simulator;

import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Checkpoint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the checkpoints topic holds, network by network, judged by the rules a simulator's recovery
 * follows: the latest value of each key counts (a null value deletes the key); a network's current run
 * is the run of its live record with the highest offset; within that run, the newest checkpoint whose
 * chunks {@code 0 .. chunks - 1} are all live is the one restored. A stopped network has only
 * tombstones, so no live keys, and is not restored.
 *
 * <p>Feed it every record of the topic in offset order per partition ({@link #accept}); it keeps one
 * small entry per live key (the record without its data), so its memory is bounded by the keys, not by
 * the bytes of the snapshots.
 */
public final class CheckpointCatalog {
    // the one place the rules live: RecoveryPlan (what a simulator restores) and `neurostream state`
    // (what an operator lists and drops) both read the topic through it

    /** The latest live record of one key: where it is, and its checkpoint without data (null if unreadable). */
    public record Chunk(String key, int partition, long offset, Checkpoint header, int dataBytes, String unreadable) {
        /** Whether the record could be decoded. */
        public boolean readable() {
            return header != null;
        }
    }

    /**
     * The checkpoint a simulator would restore: its header fields, size and chunk count, and where its
     * chunks lie ({@code parts}, by chunk index).
     */
    public record Restorable(long runId, long checkpointId, long tick, long journalSequence, int snapshotFormat,
            long sizeBytes, int chunks, long takenAtMs, String specHash, long journalOffset, long statusOffset,
            List<Chunk> parts) {
        /** Whether it is a run's start marker (format 0: built from its CREATE in the journal). */
        public boolean marker() {
            return snapshotFormat == 0;
        }
    }

    /**
     * One network on the topic: its live keys, the checkpoint a simulator would restore (null if none),
     * and what makes its newest checkpoint unusable (empty if nothing).
     */
    public record Network(String networkId, List<Chunk> liveChunks, Restorable restorable, List<String> problems) {
        public Network {
            liveChunks = List.copyOf(liveChunks);
            problems = List.copyOf(problems);
        }
    }

    private record Where(int partition, String key) {
    }

    /** Latest live record per (partition, key), in the order keys were first seen. */
    private final Map<Where, Chunk> live = new LinkedHashMap<>();

    /**
     * Takes one record of the topic. Records of one partition must come in offset order; a later record
     * of a key replaces the earlier one, a null value deletes it. Records without a key are ignored (no
     * simulator writes them, and nothing can delete them).
     */
    public void accept(int partition, long offset, String key, byte[] value) {
        if (key == null) {
            return;
        }
        Where where = new Where(partition, key);
        if (value == null) {
            live.remove(where);
            return;
        }
        Checkpoint header = null;
        String unreadable = null;
        int dataBytes = 0;
        try {
            Checkpoint cp = Topics.CHECKPOINTS.valueSerde().decode(value);
            dataBytes = cp.getData().remaining();
            cp.setData(ByteBuffer.allocate(0)); // the bytes are not needed, only how many
            header = cp;
        } catch (RuntimeException e) { // BadRecordException, or a record that decodes to nonsense
            unreadable = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        live.remove(where); // a re-written key moves to the end: insertion order follows the newest write
        live.put(where, new Chunk(key, partition, offset, header, dataBytes, unreadable));
    }

    /** The network id a chunk key belongs to (the key itself if it is not a chunk key). */
    public static String networkOf(String key) {
        return key.lastIndexOf('/') < 0 ? key : Topics.networkIdOfChunkKey(key);
    }

    /** The chunk number of a chunk key; -1 if it has none (sorts such keys first). */
    private static long chunkIndex(String key) {
        try {
            return Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Every network with at least one live key, by id. */
    public List<Network> networks() {
        Map<String, List<Chunk>> byNetwork = new TreeMap<>();
        for (Chunk c : live.values()) {
            byNetwork.computeIfAbsent(networkOf(c.key()), k -> new ArrayList<>()).add(c);
        }
        List<Network> out = new ArrayList<>();
        byNetwork.forEach((id, chunks) -> out.add(judge(id, chunks)));
        return out;
    }

    /** The network with this id; one without live keys if the topic holds none of it. */
    public Network network(String networkId) {
        List<Chunk> chunks = live.values().stream().filter(c -> networkOf(c.key()).equals(networkId)).toList();
        return judge(networkId, chunks);
    }

    /** Applies the recovery rules to one network's live chunks. */
    static Network judge(String id, List<Chunk> unordered) {
        List<Chunk> chunks = new ArrayList<>(unordered);
        chunks.sort(Comparator.comparingInt(Chunk::partition).thenComparingLong(c -> chunkIndex(c.key()))
                .thenComparing(Chunk::key));
        List<String> problems = new ArrayList<>();
        List<Chunk> readable = new ArrayList<>();
        for (Chunk c : chunks) {
            if (!c.readable()) {
                problems.add("unreadable record " + c.key() + " at partition " + c.partition() + " offset " + c.offset()
                        + ": " + c.unreadable());
            } else if (!id.equals(c.header().getNetworkId())) {
                problems.add("record " + c.key() + " at partition " + c.partition() + " offset " + c.offset()
                        + " says network '" + c.header().getNetworkId() + "'");
            } else {
                readable.add(c);
            }
        }
        if (readable.isEmpty()) {
            if (!chunks.isEmpty()) {
                problems.add("no readable checkpoint");
            }
            return new Network(id, chunks, null, problems);
        }
        long run = readable.stream().max(Comparator.comparingLong(Chunk::offset)).orElseThrow().header().getRunId();
        TreeMap<Long, List<Chunk>> byCheckpoint = new TreeMap<>(Comparator.reverseOrder());
        for (Chunk c : readable) {
            if (c.header().getRunId() == run) {
                byCheckpoint.computeIfAbsent(c.header().getCheckpointId(), k -> new ArrayList<>()).add(c);
            }
        }
        Restorable restorable = null;
        for (Map.Entry<Long, List<Chunk>> e : byCheckpoint.entrySet()) {
            List<Chunk> parts = e.getValue();
            Set<Integer> counts = parts.stream().map(c -> c.header().getChunks()).collect(Collectors.toSet());
            Set<Integer> present = parts.stream().map(c -> c.header().getChunk()).collect(Collectors.toCollection(TreeSet::new));
            int expected = counts.iterator().next();
            boolean complete = counts.size() == 1 && expected >= 1 && present.size() == expected
                    && present.stream().allMatch(i -> i >= 0 && i < expected);
            if (!complete) {
                problems.add("checkpoint " + e.getKey() + " of run " + run + " is incomplete: chunks " + present
                        + " of " + (counts.size() == 1 ? expected : counts + " (the chunks disagree)"));
                continue;
            }
            Checkpoint h = parts.stream().filter(c -> c.header().getChunk() == 0).findFirst().orElseThrow().header();
            long size = parts.stream().mapToLong(Chunk::dataBytes).sum();
            List<Chunk> ordered = new ArrayList<>(parts);
            ordered.sort(Comparator.comparingInt(c -> c.header().getChunk()));
            restorable = new Restorable(run, e.getKey(), h.getTick(), h.getJournalSequence(), h.getSnapshotFormat(), size,
                    expected, h.getTakenAtMs(), h.getSpecHash(), h.getJournalOffset(), h.getStatusOffset(), List.copyOf(ordered));
            break;
        }
        if (restorable == null) {
            problems.add("no complete checkpoint of its current run " + run + ": not restored");
        } else if (!problems.isEmpty()) {
            problems.add("checkpoint " + restorable.checkpointId() + " is restored instead");
        }
        return new Network(id, chunks, restorable, problems);
    }

    /** Every live key of a network, whatever its run: what a drop must delete. */
    public List<Chunk> liveChunks(String networkId) {
        Objects.requireNonNull(networkId, "networkId");
        return network(networkId).liveChunks();
    }
}
