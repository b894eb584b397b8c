package io.neurostream.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.OutputReader;
import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.ops.internal.StopSignal;
import io.neurostream.schemas.SpikeBatches;
import io.neurostream.schemas.Topic;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.SpikeBatch;
import io.neurostream.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream tail TOPIC}: prints the records of one NeuroStream topic as JSON lines (or the
 * spikes as CSV), decoded with the topic registry's serde, for an operator who wants to see what flows
 * without writing a consumer. Our topics carry Avro single-object encoding without a registry, so the
 * usual console consumers show only bytes.
 *
 * <p>No consumer group: it assigns the topic's partitions (only the network's with {@code --network})
 * and commits nothing, so it never disturbs the services' groups.
 *
 * <p>How to run, with the demo running: {@code ./neurostream tail status --from-beginning --max 5}.
 * Expected: up to five lines such as {@code {"_key":"demo","_partition":3,"_offset":41,
 * "_timestamp_ms":...,"network_id":"demo","state":"RUNNING",...}}.
 */
@Command(name = "tail",
        sortOptions = false,
        description = {
            "Prints the records of a NeuroStream topic as JSON lines (spikes also as CSV).",
            "",
            "TOPIC is a base name: spikes, frames, status, journal, rejected, rates, balance, alerts, membrane, "
                    + "topology, checkpoints, control or external-input; the topic read is <prefix>TOPIC. "
                    + "Reads without a consumer group and commits nothing: every partition (only the network's "
                    + "with --network), from the end (new records only) unless --from-beginning, committed "
                    + "records only unless --uncommitted."},
        footer = {
            "",
            "Output (json): one object per record with _key, _partition, _offset and _timestamp_ms, then the "
                    + "record's fields by their schema names (enums as names, optional fields as their value or "
                    + "null). A spikes record has \"spikes\": [[tick, neuron], ...] (tick = first_tick + offset) "
                    + "instead of its packed neuron_ids and tick_offsets. Other bytes fields are base64 when at "
                    + "most 1024 bytes, else \"(N bytes)\". A tombstone is {\"_key\": ..., \"_tombstone\": true, ...}. "
                    + "A record that does not decode is one line on stderr (topic, partition, offset, why); "
                    + "reading goes on.",
            "",
            "Output (csv, spikes only): a header network_id,tick,neuron, then one line per spike.",
            "",
            "Settings: neurostream.topic.prefix (default neurostream.) names the topics; any other key is a "
                    + "Kafka consumer setting (security.protocol, sasl.*, ssl.*, ...). Precedence: defaults < "
                    + "--config FILE < NEUROSTREAM_* < --property < --bootstrap-server. The topics and their "
                    + "schemas: docs/topics.md.",
            "",
            "Stops after --max records, after --timeout-s seconds without one, or on Ctrl-C.",
            "",
            "Exit codes: 0 stopped by --max or --timeout-s, 1 Kafka unreachable or the topic missing, "
                    + "2 bad usage or settings, 130 interrupted (Ctrl-C).",
            "",
            "Examples:",
            "  neurostream tail status --from-beginning --timeout-s 2",
            "  neurostream tail spikes --network demo --max 10",
            "  neurostream tail spikes --network demo --format csv > spikes.csv",
            "  neurostream tail rates --uncommitted | jq -c '[.area, .rate_hz]'",
            "  neurostream tail rejected --from-beginning --timeout-s 5 \\",
            "      --bootstrap-server broker1:9092"})
public final class TailCommand implements Callable<Integer> {
    /** Longer bytes fields are shown by their size only: a checkpoint chunk holds up to 512 KiB. */
    static final int MAX_SHOWN_BYTES = 1024;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How long one poll waits: also how soon a Ctrl-C or the idle limit is noticed. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** The limit of each request to Kafka (metadata, offsets). */
    private static final int REQUEST_TIMEOUT_S = 30;

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic's base name (spikes, status, ...).")
    String topicName;

    @Option(names = "--network", paramLabel = "ID",
            description = "Only this network's records (key = ID, or ID/chunk on checkpoints and topology); "
                    + "reads only its partition.")
    String network;

    @Option(names = "--from-beginning", description = "Start at the oldest record kept instead of the end.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N",
            description = "Stop after N records (of the network with --network; tombstones and records that "
                    + "do not decode count); with --format csv, after N spikes (CSV lines).")
    Long max;

    @Option(names = "--uncommitted",
            description = "Read uncommitted records too (read_uncommitted): the low-latency view, which may "
                    + "show records of transactions that are later aborted.")
    boolean uncommitted;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json (default) or csv (spikes only).")
    String format;

    @Option(names = "--timeout-s", paramLabel = "S",
            description = "Stop after S seconds without a new record (default: wait until Ctrl-C, or --max).")
    Integer timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        Topic<?> topic = Topics.byBaseName(topicName).orElse(null);
        if (topic == null) {
            return Main.fail(err, "unknown topic '" + topicName + "'; the topics are "
                    + Topics.all().stream().map(Topic::baseName).collect(Collectors.joining(", ")), Main.EXIT_USAGE);
        }
        if (!format.equals("json") && !format.equals("csv")) {
            return Main.fail(err, "--format must be json or csv, got '" + format + "'", Main.EXIT_USAGE);
        }
        if (format.equals("csv") && topic != Topics.SPIKES) {
            return Main.fail(err, "csv is only for spikes; use --format json for " + topicName, Main.EXIT_USAGE);
        }
        if (max != null && max < 1) {
            return Main.fail(err, "--max must be at least 1, got " + max, Main.EXIT_USAGE);
        }
        if (timeoutS != null && timeoutS < 1) {
            return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
        }
        Settings settings;
        String name;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            name = topic.name(Topics.checkPrefix(settings.get(SimulatorConfig.TOPIC_PREFIX, Topics.DEFAULT_PREFIX)));
        } catch (SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));
        err.flush();
        String where = settings.get("bootstrap.servers", "?");
        Map<String, Object> client = new HashMap<>(TopicsCommand.adminConfig(settings, REQUEST_TIMEOUT_S));
        client.put(NeuroStreamClient.TOPIC_PREFIX, name.substring(0, name.length() - topic.baseName().length()));
        OutputReader.Options options = (fromBeginning ? OutputReader.Options.fromBeginning()
                : OutputReader.Options.fromNow())
                .isolation(uncommitted ? OutputReader.Isolation.UNCOMMITTED : OutputReader.Isolation.COMMITTED);
        if (network != null) {
            options = options.network(network);
        }
        try (StopSignal stop = StopSignal.install("neurostream-tail-shutdown")) {
            try (OutputReader<?> reader = OutputReader.open(client, topic, options)) {
                List<Integer> partitions = reader.partitions();
                err.println("reading " + name + " partition" + (partitions.size() == 1 ? " " : "s ")
                        + partitions.stream().map(String::valueOf).collect(Collectors.joining(","))
                        + (fromBeginning ? " from the beginning" : " from the end")
                        + (uncommitted ? ", uncommitted records too" : "") + "; Ctrl-C stops");
                err.flush();
                if (format.equals("csv")) {
                    out.println("network_id,tick,neuron");
                }
                long shown = 0;
                long lastRecordNanos = System.nanoTime();
                while (!stop.await(Duration.ZERO)) {
                    for (OutputReader.Output<?> r : reader.poll(POLL)) {
                        lastRecordNanos = System.nanoTime();
                        shown += print(name, r, out, err, max == null ? Long.MAX_VALUE : max - shown);
                        if (max != null && shown >= max) {
                            break;
                        }
                    }
                    out.flush();
                    if (out.checkError()) {
                        break; // the reader went away (a closed pipe): nothing more to do
                    }
                    if (max != null && shown >= max) {
                        break;
                    }
                    if (timeoutS != null && System.nanoTime() - lastRecordNanos > timeoutS * 1_000_000_000L) {
                        break;
                    }
                }
            } catch (KafkaException | IllegalStateException e) {
                return Main.fail(err, "Kafka at " + where + ": " + Main.describe(e), Main.EXIT_FAILURE);
            }
            out.flush();
            return stop.signalled() ? Main.EXIT_INTERRUPTED : Main.EXIT_OK;
        }
    }

    /**
     * One record: its line(s) on {@code out}, or a line on {@code err} if it does not decode. Returns what it
     * counts against --max: 1 (a record), or in CSV the spikes printed, at most {@code limit}, so that
     * {@code --max 5} shows five spikes rather than five batches, most of them empty.
     */
    private long print(String name, OutputReader.Output<?> r, PrintWriter out, PrintWriter err, long limit) {
        try {
            if (format.equals("csv")) {
                return r.isTombstone() ? 0 : csv((SpikeBatch) r.value(), out, limit);
            }
            ObjectNode line = NODES.objectNode();
            line.put("_key", r.key());
            line.put("_partition", r.partition());
            line.put("_offset", r.offset());
            line.put("_timestamp_ms", r.timestampMs());
            if (r.isTombstone()) {
                line.put("_tombstone", true);
            } else {
                render((IndexedRecord) r.value(), line);
            }
            out.println(line.toString());
        } catch (RuntimeException e) { // BadRecordException, or a batch whose packed arrays disagree
            err.println("neurostream: " + name + " partition " + r.partition() + " offset " + r.offset()
                    + ": cannot decode: " + Main.describe(e));
            err.flush();
        }
        return 1;
    }

    /** A spike batch as CSV lines {@code network_id,tick,neuron}. */
    static long csv(SpikeBatch batch, PrintWriter out, long limit) {
        int[] neurons = SpikeBatches.neuronIds(batch);
        int[] offsets = SpikeBatches.tickOffsets(batch);
        String id = csvField(batch.getNetworkId().toString());
        StringBuilder b = new StringBuilder();
        int n = (int) Math.min(neurons.length, limit);
        for (int i = 0; i < n; i++) {
            b.setLength(0);
            b.append(id).append(',').append(batch.getFirstTick() + offsets[i]).append(',').append(neurons[i]);
            out.println(b);
        }
        return n;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * Adds a record's fields to {@code into} by their schema names; a spike batch's packed arrays become
     * {@code "spikes": [[tick, neuron], ...]}.
     */
    static void render(IndexedRecord record, ObjectNode into) {
        ArrayNode spikes = null;
        if (record instanceof SpikeBatch batch) {
            int[] neurons = SpikeBatches.neuronIds(batch); // checks the arrays agree with count
            int[] offsets = SpikeBatches.tickOffsets(batch);
            spikes = NODES.arrayNode();
            for (int i = 0; i < neurons.length; i++) {
                spikes.addArray().add(batch.getFirstTick() + offsets[i]).add(neurons[i]);
            }
        }
        for (Schema.Field f : record.getSchema().getFields()) {
            if (spikes != null && (f.name().equals("neuron_ids") || f.name().equals("tick_offsets"))) {
                continue;
            }
            into.set(f.name(), json(record.get(f.pos())));
        }
        if (spikes != null) {
            into.set("spikes", spikes);
        }
    }

    /** One Avro value (of a generated record) as JSON. */
    private static JsonNode json(Object v) {
        if (v == null) {
            return NODES.nullNode();
        } else if (v instanceof IndexedRecord rec) {
            ObjectNode o = NODES.objectNode();
            render(rec, o);
            return o;
        } else if (v instanceof CharSequence || v instanceof Enum<?>) {
            return NODES.textNode(v.toString());
        } else if (v instanceof Integer i) {
            return NODES.numberNode(i);
        } else if (v instanceof Long l) {
            return NODES.numberNode(l);
        } else if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            // JSON has no NaN or infinity: say them as strings rather than print invalid JSON
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
        } else if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        } else if (v instanceof ByteBuffer buf) {
            return bytes(buf.duplicate());
        } else if (v instanceof GenericFixed fixed) {
            return bytes(ByteBuffer.wrap(fixed.bytes()));
        } else if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            c.forEach(x -> a.add(json(x)));
            return a;
        } else if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.forEach((k, x) -> o.set(k.toString(), json(x)));
            return o;
        }
        return NODES.textNode(v.toString()); // a generic enum symbol, or a type added later
    }

    private static JsonNode bytes(ByteBuffer b) {
        if (b.remaining() > MAX_SHOWN_BYTES) {
            return NODES.textNode("(" + b.remaining() + " bytes)");
        }
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return NODES.textNode(Base64.getEncoder().encodeToString(a));
    }
}
