package io.neurostream.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.simulator.CheckpointCatalog;
import io.neurostream.simulator.CheckpointCatalog.Network;
import io.neurostream.simulator.CheckpointCatalog.Restorable;
import io.neurostream.schemas.BadRecordException;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Status;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream state list}: one row per network a simulator would restore, and separately the
 * networks whose newest checkpoint is unusable, with why.
 *
 * <p>How to run: {@code ./neurostream state list} (running demo) or {@code ./neurostream state list
 * --data-dir data} (stopped demo). Expected after a demo ran: one row {@code demo} with its run, the
 * checkpoint, tick and size, and the newest status ({@code RUNNING} after a kill, {@code PAUSED} or
 * {@code RUNNING} after a clean stop).
 */
@Command(name = "list",
        sortOptions = false,
        description = {
            "Lists the networks a simulator would restore from the checkpoints topic, and those it could not.",
            "",
            "Reads <prefix>checkpoints (committed records, from the beginning to the end) and applies the "
                    + "simulator's recovery rules: the latest record of each key counts, a tombstone deletes it; a "
                    + "network's current run is that of its newest live record; the newest checkpoint of that run "
                    + "with all its chunks is restored. The STATUS column is the network's newest Status on "
                    + "<prefix>status ('-': none, 'gone': deleted)."},
        footer = {
            "",
            "Columns: network, run (-1: before runs were recorded), checkpoint id, tick, journal sequence, format "
                    + "('marker': a run's start, rebuilt from its CREATE), size (bytes of snapshot data), chunks, "
                    + "taken at (UTC), status. Then 'unusable:' lines for networks whose newest checkpoint cannot be "
                    + "restored (incomplete, unreadable), saying why and what is restored instead.",
            "",
            "Exit codes: 0 listed (even if some are unusable), 1 Kafka unreachable or the topics missing, "
                    + "2 bad usage or settings.",
            "",
            "Examples:",
            "  neurostream state list",
            "  neurostream state list --data-dir data",
            "  neurostream state list --network demo --format json"})
public final class StateListCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    StateCommand.Target target;

    @Option(names = "--network", paramLabel = "ID", description = "Only this network.")
    String network;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json.")
    String format;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** A network's row: what the catalog says and its newest status. */
    record Row(Network network, Optional<Status> status, boolean statusGone) {
    }

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!format.equals("table") && !format.equals("json")) {
            return Main.fail(err, "--format must be table or json, got '" + format + "'", Main.EXIT_USAGE);
        }
        try (StateCommand.Connection c = StateCommand.connect(kafka, target, null, err)) {
            List<Row> rows = read(c, network);
            if (format.equals("json")) {
                out.println(json(rows));
            } else {
                table(rows, out, Topics.CHECKPOINTS.name(c.prefix));
            }
            out.flush();
            return Main.EXIT_OK;
        } catch (StateCommand.Refused e) {
            return Main.fail(err, e.getMessage(), e.code);
        } catch (KafkaException e) {
            return Main.fail(err, "Kafka at " + target(kafka, target) + ": " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }

    static String target(KafkaOptions kafka, StateCommand.Target target) {
        return target.dataDir != null ? target.dataDir.toString()
                : kafka.bootstrapServer != null ? kafka.bootstrapServer : "the settings' bootstrap.servers";
    }

    /** Reads both topics: the networks on the checkpoints topic (only {@code onlyNetwork} if set) with their status. */
    static List<Row> read(StateCommand.Connection c, String onlyNetwork) {
        CheckpointCatalog catalog = new CheckpointCatalog();
        StateCommand.readAll(c.client, c.prefix, Topics.CHECKPOINTS, c.timeout, catalog::accept);
        Map<String, Status> statuses = new HashMap<>();
        Map<String, Boolean> gone = new HashMap<>();
        StateCommand.readAll(c.client, c.prefix, Topics.STATUS, c.timeout, (p, o, key, value) -> {
            if (key == null || (onlyNetwork != null && !onlyNetwork.equals(key))) {
                return;
            }
            statuses.remove(key);
            gone.put(key, value == null);
            if (value != null) {
                try {
                    statuses.put(key, Topics.STATUS.valueSerde().decode(value));
                } catch (BadRecordException e) {
                    gone.remove(key); // unreadable: shown as none
                }
            }
        });
        List<Network> networks = onlyNetwork != null ? List.of(catalog.network(onlyNetwork)) : catalog.networks();
        List<Row> rows = new ArrayList<>();
        for (Network n : networks) {
            if (n.liveChunks().isEmpty()) {
                continue;
            }
            rows.add(new Row(n, Optional.ofNullable(statuses.get(n.networkId())),
                    gone.getOrDefault(n.networkId(), false)));
        }
        return rows;
    }

    private static String status(Row r) {
        return r.status().map(s -> s.getState().name()).orElse(r.statusGone() ? "gone" : "-");
    }

    private static String takenAt(long ms) {
        return Instant.ofEpochMilli(ms).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void table(List<Row> rows, PrintWriter out, String topic) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"NETWORK", "RUN", "CHECKPOINT", "TICK", "JOURNAL_SEQ", "FORMAT", "SIZE_BYTES", "CHUNKS",
            "TAKEN_AT", "STATUS"});
        for (Row r : rows) {
            Restorable x = r.network().restorable();
            if (x != null) {
                cells.add(new String[] {r.network().networkId(), Long.toString(x.runId()), Long.toString(x.checkpointId()),
                    Long.toString(x.tick()), Long.toString(x.journalSequence()),
                    x.marker() ? "marker" : Integer.toString(x.snapshotFormat()), Long.toString(x.sizeBytes()),
                    Integer.toString(x.chunks()), takenAt(x.takenAtMs()), status(r)});
            }
        }
        if (cells.size() == 1) {
            out.println("no network to restore on " + topic);
        } else {
            int[] width = new int[cells.get(0).length];
            for (String[] row : cells) {
                for (int i = 0; i < row.length; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
            for (String[] row : cells) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    boolean number = i >= 1 && i <= 7 && i != 5;
                    String cell = number && row != cells.get(0)
                            ? " ".repeat(width[i] - row[i].length()) + row[i]
                            : row[i] + " ".repeat(width[i] - row[i].length());
                    line.append(i == 0 ? "" : "  ").append(cell);
                }
                out.println(line.toString().stripTrailing());
            }
        }
        List<Row> unusable = rows.stream().filter(r -> !r.network().problems().isEmpty()).toList();
        if (!unusable.isEmpty()) {
            out.println("unusable:");
            for (Row r : unusable) {
                out.println(String.format(Locale.ROOT, "  %s (status %s): %s", r.network().networkId(), status(r),
                        String.join("; ", r.network().problems())));
            }
        }
    }

    private static String json(List<Row> rows) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode restorable = root.putArray("networks");
        ArrayNode unusable = root.putArray("unusable");
        for (Row r : rows) {
            Restorable x = r.network().restorable();
            if (x != null) {
                ObjectNode n = restorable.addObject();
                n.put("network_id", r.network().networkId());
                n.put("run_id", x.runId());
                n.put("checkpoint_id", x.checkpointId());
                n.put("tick", x.tick());
                n.put("journal_sequence", x.journalSequence());
                n.put("snapshot_format", x.snapshotFormat());
                n.put("marker", x.marker());
                n.put("size_bytes", x.sizeBytes());
                n.put("chunks", x.chunks());
                n.put("taken_at", takenAt(x.takenAtMs()));
                n.put("spec_hash", x.specHash());
                n.put("status", status(r));
                r.status().ifPresent(s -> n.put("status_tick", s.getTick()));
            }
            if (!r.network().problems().isEmpty()) {
                ObjectNode u = unusable.addObject();
                u.put("network_id", r.network().networkId());
                u.put("restored_checkpoint_id", x == null ? null : x.checkpointId());
                u.put("status", status(r));
                ArrayNode why = u.putArray("problems");
                r.network().problems().forEach(why::add);
            }
        }
        return root.toString();
    }
}
