package io.neurostream.simulator;

import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
     * @param data           the checkpoint bytes (chunks joined), or {@code null} for a run's start marker
     * @param chunkKeys      chunk keys 0 .. chunkKeys - 1 of the network are live on the topic (what STOP retires)
     */
    public record Planned(String networkId, int partition, long runId, long checkpointId, long tick, long journalSequence,
            long journalOffset, long statusOffset, int snapshotFormat, byte[] data, int chunkKeys, long takenAtMs) {
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

    /** The plan for the records of some partitions of the checkpoints topic, in offset order per partition. */
    public static RecoveryPlan of(List<Logged> checkpointRecords) {
        Map<String, Logged> live = new LinkedHashMap<>();
        for (Logged r : checkpointRecords) {
            if (r.key() == null) {
                continue;
            }
            if (r.value() == null) {
                live.remove(r.key());
            } else {
                live.put(r.key(), r);
            }
        }
        Map<String, List<Logged>> byNetwork = new LinkedHashMap<>();
        for (Map.Entry<String, Logged> e : live.entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            String id = slash > 0 ? e.getKey().substring(0, slash) : e.getKey();
            byNetwork.computeIfAbsent(id, k -> new ArrayList<>()).add(e.getValue());
        }
        Map<String, Planned> planned = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<Logged>> e : byNetwork.entrySet()) {
            String id = e.getKey();
            int chunkKeys = 0;
            Logged newest = null;
            Map<Logged, Checkpoint> decoded = new HashMap<>();
            for (Logged r : e.getValue()) {
                int slash = r.key().lastIndexOf('/');
                try {
                    chunkKeys = Math.max(chunkKeys, Integer.parseInt(r.key().substring(slash + 1)) + 1);
                } catch (NumberFormatException | IndexOutOfBoundsException bad) {
                    problems.add("network " + id + ": checkpoint key '" + r.key() + "' has no chunk number; ignored");
                    continue;
                }
                try {
                    decoded.put(r, Topics.CHECKPOINTS.valueSerde().decode(r.value()));
                } catch (BadRecordException bad) {
                    problems.add("network " + id + ": the checkpoint record at offset " + r.offset() + " is unreadable ("
                            + bad.getMessage() + "); ignored");
                    continue;
                }
                if (newest == null || r.offset() > newest.offset()) {
                    newest = r;
                }
            }
            if (newest == null) {
                continue;
            }
            long run = decoded.get(newest).getRunId();
            // of the current run: checkpoint id -> chunks
            TreeMap<Long, TreeMap<Integer, Checkpoint>> checkpoints = new TreeMap<>();
            for (Map.Entry<Logged, Checkpoint> d : decoded.entrySet()) {
                Checkpoint cp = d.getValue();
                if (cp.getRunId() == run && cp.getNetworkId().equals(id)) {
                    checkpoints.computeIfAbsent(cp.getCheckpointId(), k -> new TreeMap<>()).put(cp.getChunk(), cp);
                }
            }
            Planned chosen = null;
            for (Map.Entry<Long, TreeMap<Integer, Checkpoint>> c : checkpoints.descendingMap().entrySet()) {
                TreeMap<Integer, Checkpoint> chunks = c.getValue();
                int expected = chunks.firstEntry().getValue().getChunks();
                if (chunks.size() != expected || chunks.firstKey() != 0 || chunks.lastKey() != expected - 1) {
                    problems.add("network " + id + ": checkpoint " + c.getKey() + " of run " + run + " is incomplete ("
                            + chunks.size() + " of " + expected + " chunks)" + (chosen == null ? "; an older one is looked for" : ""));
                    continue;
                }
                chosen = planned(id, newest.partition(), chunks, chunkKeys);
                break;
            }
            if (chosen == null) {
                problems.add("network " + id + ": no complete checkpoint of its run " + run + "; it is not restored");
                continue;
            }
            planned.put(id, chosen);
        }
        return new RecoveryPlan(planned, problems);
    }

    private static Planned planned(String id, int partition, TreeMap<Integer, Checkpoint> chunks, int chunkKeys) {
        Checkpoint first = chunks.firstEntry().getValue();
        byte[] data = null;
        if (first.getSnapshotFormat() != 0) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (Checkpoint cp : chunks.values()) {
                ByteBuffer b = cp.getData().duplicate();
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
            data = bytes.toByteArray();
        }
        return new Planned(id, partition, first.getRunId(), first.getCheckpointId(), first.getTick(),
                first.getJournalSequence(), first.getJournalOffset(), first.getStatusOffset(), first.getSnapshotFormat(), data,
                chunkKeys, first.getTakenAtMs());
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
