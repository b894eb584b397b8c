package io.neurostream.ingest.sense;

import io.neurostream.ingest.internal.PartitionReader;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What a sensory stream needs to know of a running network beyond its status: the spec it was created
 * from (for its senses and their areas) and its topology (for the neuron at each cell). The spec is the
 * CREATE that began the network's run: {@code Status.run_id} is that command's offset on topic
 * {@code control} (kept 7 days by default); the topology is the newest on the compacted topic
 * {@code topology}.
 */
public final class NetworkLookup implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PartitionReader reader;
    private final String prefix;

    /** @param kafkaSettings Kafka client settings; {@code prefix} the topic prefix */
    public NetworkLookup(Map<String, Object> kafkaSettings, String prefix) {
        this.reader = new PartitionReader(kafkaSettings, true);
        this.prefix = prefix;
    }

    /**
     * The spec JSON of the CREATE at offset {@code runId} of the network's control partition, or empty if
     * that record is gone (retention) or is not the network's CREATE.
     */
    public Optional<String> createSpec(String networkId, long runId) {
        if (runId < 0) {
            return Optional.empty();
        }
        String topic = Topics.CONTROL.name(prefix);
        TopicPartition tp = new TopicPartition(topic, Topics.partitionOf(networkId, reader.partitions(topic, TIMEOUT)));
        Map<TopicPartition, Long> end = reader.endOffsets(List.of(tp), TIMEOUT);
        if (end.get(tp) <= runId) {
            return Optional.empty();
        }
        String[] spec = new String[1];
        boolean[] seen = new boolean[1];
        reader.readUntil(Map.of(tp, runId), r -> {
            if (seen[0] || r.offset() < runId) {
                return;
            }
            seen[0] = true;
            if (r.offset() == runId && networkId.equals(r.key()) && r.value() != null) {
                Control c = Topics.CONTROL.valueSerde().decode(r.value());
                if (c.getCommand() == ControlCommand.CREATE && c.getSpecJson() != null) {
                    spec[0] = c.getSpecJson();
                }
            }
        }, () -> seen[0], System.nanoTime() + TIMEOUT.toNanos());
        return Optional.ofNullable(spec[0]);
    }

    /** The chunks of the network's newest topology (all with the same spec hash), in chunk order; empty if none. */
    public List<Topology> topology(String networkId) {
        String topic = Topics.TOPOLOGY.name(prefix);
        TopicPartition tp = new TopicPartition(topic, Topics.partitionOf(networkId, reader.partitions(topic, TIMEOUT)));
        Map<TopicPartition, Long> end = reader.endOffsets(List.of(tp), TIMEOUT);
        Map<Integer, Topology> chunks = new TreeMap<>();
        String[] hash = new String[1];
        reader.readRange(Map.of(tp, 0L), end, r -> {
            if (r.value() == null || r.key() == null || !r.key().startsWith(networkId + "/")
                    || !Topics.networkIdOfChunkKey(r.key()).equals(networkId)) {
                return;
            }
            Topology t = Topics.TOPOLOGY.valueSerde().decode(r.value());
            if (!t.getSpecHash().equals(hash[0])) {
                chunks.clear();
                hash[0] = t.getSpecHash();
            }
            chunks.put(t.getChunk(), t);
        }, System.nanoTime() + TIMEOUT.toNanos());
        return new ArrayList<>(chunks.values());
    }

    @Override
    public void close() {
        reader.close();
    }
}
