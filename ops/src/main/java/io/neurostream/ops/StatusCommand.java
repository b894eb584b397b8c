package io.neurostream.ops;

import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ops.internal.StopSignal;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream status [ID]}: the hosted networks as a table, read from the compacted topic
 * {@code status} with the ingest client, so that an operator sees what a simulator service runs, how
 * far each network is and whether it keeps pace, without decoding records by hand ({@code tail status}
 * shows every record; this shows the newest per network).
 *
 * <p>How to run, with the demo running: {@code ./neurostream status}. Expected: a header and one line
 * per network, e.g. {@code demo  RUNNING  REALTIME  123400  12.340  1.00  0  0}.
 */
@Command(name = "status",
        sortOptions = false,
        description = {
            "Shows the hosted networks as a table: state, mode, tick, simulated time, real-time factor, "
                    + "rejected records and stalled time.",
            "",
            "Reads the compacted topic <prefix>status (committed records only) to its end: the newest status "
                    + "of every network, or of network ID. With --watch, reads and redraws it every "
                    + "--interval-ms until Ctrl-C (or --count refreshes)."},
        footer = {
            "",
            "Columns: NETWORK; STATE (CREATED, BUILDING, RUNNING, PAUSED, STOPPED, FAILED, NUMERIC_FAULT); "
                    + "MODE (REALTIME, MAX, STEPPED); TICK, the next tick to compute; SIM_S, the simulated time "
                    + "reached, s; RT_FACTOR, simulated time per wall-clock time over the last second as the "
                    + "simulator measured it ('-' unless RUNNING); REJECTED, records of the network sent to "
                    + "<prefix>rejected since it was created; STALLED_MS, how long a REALTIME network has been "
                    + "behind its pace, ms. A FAILED or NUMERIC_FAULT network's message follows on the next "
                    + "line, indented.",
            "",
            "Settings: as for neurostream create (neurostream.topic.prefix, Kafka client settings).",
            "",
            "Exit codes: 0 shown, 1 no such network (ID has no status) or Kafka failed, 2 bad usage or "
                    + "settings, 130 interrupted (Ctrl-C) while watching.",
            "",
            "Examples:",
            "  neurostream status",
            "  neurostream status demo",
            "  neurostream status --watch --interval-ms 500",
            "  neurostream status demo --watch --count 10 --bootstrap-server broker1:9092"})
public final class StatusCommand implements Callable<Integer> {
    /** The table's columns, in order. */
    static final List<String> COLUMNS = List.of("NETWORK", "STATE", "MODE", "TICK", "SIM_S", "RT_FACTOR", "REJECTED",
            "STALLED_MS");
    /** Clears a terminal and puts the cursor home (ANSI), before each redraw when stdout is a terminal. */
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Only this network.")
    String networkId;

    @Option(names = "--watch", description = "Redraw every --interval-ms until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "With --watch: time between refreshes, ms (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--count", paramLabel = "N",
            description = "With --watch: stop after N refreshes (default: until Ctrl-C).")
    Integer count;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "" + Answers.DEFAULT_TIMEOUT_S,
            description = "How long reading the topic may take, s (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (intervalMs < 1) {
            return Main.fail(err, "--interval-ms must be at least 1, got " + intervalMs, Main.EXIT_USAGE);
        }
        if (count != null && count < 1) {
            return Main.fail(err, "--count must be at least 1, got " + count, Main.EXIT_USAGE);
        }
        if (count != null && !watch) {
            return Main.fail(err, "--count goes with --watch", Main.EXIT_USAGE);
        }
        if (timeoutS < 1) {
            return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
        }
        boolean terminal = watch && System.console() != null; // a file or a pipe gets no escape codes
        return Answers.withClient(kafka, timeoutS, err, client -> {
            if (!watch) {
                return refresh(client, out, err);
            }
            try (StopSignal stop = StopSignal.install("neurostream-status-shutdown")) {
                int refreshes = 0;
                do {
                    if (terminal) {
                        out.print(CLEAR_SCREEN);
                    }
                    out.println(Instant.now().toString());
                    int code = refresh(client, out, err);
                    if (code != Main.EXIT_OK && refreshes == 0) {
                        return code; // an unknown ID at the start is a mistake, not something to watch
                    }
                    out.println();
                    out.flush();
                    refreshes++;
                    if (count != null && refreshes >= count) {
                        return Main.EXIT_OK;
                    }
                } while (!stop.await(Duration.ofMillis(intervalMs)));
                return Main.EXIT_INTERRUPTED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Main.EXIT_INTERRUPTED;
            }
        });
    }

    /** Reads the statuses once and prints the table: 0, or 1 if {@code networkId} has no status. */
    int refresh(NeuroStreamClient client, PrintWriter out, PrintWriter err) {
        List<Status> statuses;
        if (networkId == null) {
            statuses = client.statuses();
        } else {
            Optional<Status> one = client.status(networkId);
            if (one.isEmpty()) {
                return Main.fail(err, "no network '" + networkId + "': it has no status on " + client.topicPrefix()
                        + "status (never created, or deleted); 'neurostream status' lists them", Main.EXIT_FAILURE);
            }
            statuses = List.of(one.get());
        }
        out.print(table(statuses));
        out.flush();
        return Main.EXIT_OK;
    }

    /** The table: a header, then one line per status (and an indented message line for a failed network). */
    static String table(List<Status> statuses) {
        List<String[]> rows = new ArrayList<>();
        rows.add(COLUMNS.toArray(String[]::new));
        for (Status s : statuses) {
            rows.add(row(s));
        }
        int[] width = new int[COLUMNS.size()];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean number = i >= 3 && n > 0;
                String cell = number ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            b.append(line.toString().stripTrailing()).append('\n');
            if (n > 0) {
                Status s = statuses.get(n - 1);
                if ((s.getState() == RunState.FAILED || s.getState() == RunState.NUMERIC_FAULT) && s.getMessage() != null) {
                    b.append("    ").append(s.getMessage()).append('\n');
                }
            }
        }
        if (statuses.isEmpty()) {
            b.append("(no networks)\n");
        }
        return b.toString();
    }

    private static String[] row(Status s) {
        boolean running = s.getState() == RunState.RUNNING;
        String rt = running ? String.format(Locale.ROOT, "%.2f", s.getRealtimeFactor()) : "-";
        return new String[] {
            s.getNetworkId(), s.getState().name(), s.getMode().name(), Long.toString(s.getTick()),
            String.format(Locale.ROOT, "%.3f", s.getSimTimeMs() / 1000.0), rt, Long.toString(s.getRejectedCount()),
            Long.toString(s.getStalledMs())};
    }
}
