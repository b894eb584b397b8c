package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.ingest.OutputReader;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.Map;

/**
 * {@code /api/networks/{id}/history}: the span of the run's simulated time whose committed spikes the broker
 * still retains. Its start is the first retained spike record of the run (found with the broker's time index
 * at the run's epoch, so older runs' records and retention's deletions are both accounted for); its end and
 * the newest committed time are the network's committed status.
 */
public final class History {
    private static final Duration FIRST_RECORD_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> settings;

    public History(Map<String, Object> settings) {
        this.settings = settings;
    }

    ObjectNode span(Status status) {
        double live = status.getSimTimeMs();
        double first = live;
        try (OutputReader<SpikeBatch> r = OutputReader.open(settings, Topics.SPIKES,
                OutputReader.Options.fromTimestamp(status.getRunEpochMs()).network(status.getNetworkId()))) {
            Map<Integer, Long> end = r.endOffsets();
            long deadline = System.nanoTime() + FIRST_RECORD_TIMEOUT.toNanos();
            boolean found = false;
            while (!found && System.nanoTime() < deadline
                    && end.entrySet().stream().anyMatch(e -> r.positions().get(e.getKey()) < e.getValue())) {
                for (OutputReader.Output<SpikeBatch> o : r.poll(Duration.ofMillis(100))) {
                    if (!o.isTombstone()) {
                        try {
                            first = Math.min(first, o.value().getFirstTick() * status.getDtMs());
                            found = true;
                            break;
                        } catch (RuntimeException e) {
                            // a record that does not decode: look at the next
                        }
                    }
                }
            }
        }
        ObjectNode o = Http.object();
        o.put("first_t_ms", first);
        o.put("last_t_ms", live);
        o.put("live_t_ms", live);
        return o;
    }
}
