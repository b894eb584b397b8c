package io.neurostream.ops.internal;

import io.neurostream.schemas.SchemaVersions;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The tables of docs/topics.md, generated from the topic registry ({@link Topics}) and the schemas, plus
 * who writes and reads each topic (which the registry does not know). {@code TopicsDocTest} keeps the
 * doc equal to it.
 */
public final class TopicsDoc {
    /** Base name -> {writers, readers}. */
    private static final Map<String, String[]> FLOW = Map.ofEntries(
            Map.entry("external-input", new String[] {"`demo`'s sensors, clients (ingest: planned)", "simulator"}),
            Map.entry("control", new String[] {"`demo`, clients (dashboard: planned)", "simulator"}),
            Map.entry("spikes", new String[] {"simulator", "clients (dashboard: planned)"}),
            Map.entry("membrane", new String[] {"simulator", "clients (dashboard: planned)"}),
            Map.entry("frames", new String[] {"simulator", "analytics"}),
            Map.entry("journal", new String[] {"simulator", "simulator (recovery), replay"}),
            Map.entry("topology", new String[] {"simulator", "clients (dashboard: planned)"}),
            Map.entry("status", new String[] {"simulator; `state drop` (tombstone)", "`demo`, `state list`, simulator (recovery), clients (dashboard: planned)"}),
            Map.entry("checkpoints", new String[] {"simulator; `state drop` (tombstones)", "simulator (restore on start and hand-over), `state list`"}),
            Map.entry("rejected", new String[] {"simulator, analytics", "operators, clients"}),
            Map.entry("rates", new String[] {"analytics", "`demo`'s summary, clients (dashboard: planned)"}),
            Map.entry("balance", new String[] {"analytics", "`demo`'s summary, clients (dashboard: planned)"}),
            Map.entry("alerts", new String[] {"analytics", "`demo`'s summary, clients (dashboard: planned)"}));

    /** Base name -> why its bounds are what they are. */
    private static final Map<String, String> WHY = Map.ofEntries(
            Map.entry("external-input", "read by the simulator as it arrives (and journalled once applied); "
                    + "the bound only has to cover a simulator that is down or behind"),
            Map.entry("control", "a few commands per network; a CREATE carries the spec (at most 1 MiB)"),
            Map.entry("spikes", "the biggest stream (every spike); for watching a run live, not for archiving it"),
            Map.entry("membrane", "samples of probed neurons, for watching live; a probe of every neuron "
                    + "every tick fills it in minutes"),
            Map.entry("frames", "read by the analytics as they come; the bound covers an analytics that is "
                    + "down or behind for a while"),
            Map.entry("journal", "recovery replays only what follows a network's newest checkpoint (every "
                    + "10,000 frames by default): a generous bound, see below"),
            Map.entry("topology", "compacted: one record per network and chunk; never deleted by size"),
            Map.entry("status", "compacted: one record per network; never deleted by size"),
            Map.entry("checkpoints", "compacted: the newest chunks of every network; never deleted by size "
                    + "(that would lose the state recovery starts from)"),
            Map.entry("rejected", "one record per bad input, for operators"),
            Map.entry("rates", "a few records per window, area and class"),
            Map.entry("balance", "a few records per window and area"),
            Map.entry("alerts", "rare; kept longest"));

    private TopicsDoc() {
    }

    /** The markdown table, one row per topic in registry order, and a line per topic with its description. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| topic | key | value (Avro record) | cleanup | retention | written by | read by |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Topic<?> t : Topics.all()) {
            String[] flow = FLOW.get(t.baseName());
            if (flow == null) {
                throw new IllegalStateException("TopicsDoc does not say who writes and reads topic " + t.baseName());
            }
            String record = t.valueType().getSimpleName();
            long fp = SchemaVersions.fingerprint(SchemaVersions.current(t.valueType()));
            b.append("| `").append(t.name()).append("` | ")
                    .append(t.keys() == Topic.Keys.NETWORK_ID ? "network id" : "`network-id/chunk`, on the network's partition")
                    .append(" | [`").append(record).append("`](../schemas/src/main/avro/").append(record).append(".avsc) `")
                    .append(SchemaVersions.hex(fp)).append("` | ")
                    .append(t.cleanupPolicy().config()).append(" | ")
                    .append(retention(t)).append(" | ")
                    .append(flow[0]).append(" | ").append(flow[1]).append(" |\n");
        }
        b.append('\n');
        for (Topic<?> t : Topics.all()) {
            b.append("- `").append(t.baseName()).append("`: ").append(t.doc()).append('\n');
        }
        return b.toString();
    }

    /**
     * The table of disk bounds: cleanup, retention.ms, retention.bytes, segment.bytes and why, one row
     * per topic in registry order.
     */
    public static String bounds() {
        StringBuilder b = new StringBuilder();
        b.append("| topic | cleanup | retention.ms | retention.bytes (per partition) | segment.bytes | why |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (Topic<?> t : Topics.all()) {
            String why = WHY.get(t.baseName());
            if (why == null) {
                throw new IllegalStateException("TopicsDoc does not say why topic " + t.baseName() + " is bounded so");
            }
            Map<String, String> c = t.configs();
            String ms = c.get(TopicConfig.RETENTION_MS_CONFIG);
            String bytes = c.get(TopicConfig.RETENTION_BYTES_CONFIG);
            b.append("| `").append(t.baseName()).append("` | ").append(t.cleanupPolicy().config()).append(" | ")
                    .append(ms == null ? "n/a (latest record per key)"
                            : ms.equals("-1") ? "-1 (no time limit)" : ms + " (" + days(Duration.ofMillis(Long.parseLong(ms))) + ")")
                    .append(" | ")
                    .append(bytes == null ? "n/a (compacted)" : bytes + " (" + size(Long.parseLong(bytes)) + ")")
                    .append(" | ").append(size(t.segmentBytes()))
                    .append(" | ").append(why).append(" |\n");
        }
        return b.toString();
    }

    private static String retention(Topic<?> t) {
        Map<String, String> c = t.configs();
        if (t.compacted()) {
            return "latest record per key (segments roll hourly)";
        }
        long ms = Long.parseLong(c.get(TopicConfig.RETENTION_MS_CONFIG));
        String time = ms < 0 ? "forever" : days(Duration.ofMillis(ms));
        String bytes = c.get(TopicConfig.RETENTION_BYTES_CONFIG);
        return bytes == null ? time : time + " or " + size(Long.parseLong(bytes)) + " per partition";
    }

    private static String days(Duration d) {
        long days = d.toDays();
        if (d.equals(Duration.ofDays(days))) {
            return days == 1 ? "1 day" : days + " days";
        }
        return d.toHours() + " h";
    }

    private static String size(long bytes) {
        return bytes % (1L << 30) == 0 ? (bytes >> 30) + " GiB"
                : bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** Prints the table (for docs/topics.md). */
    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
