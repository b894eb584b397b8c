package io.neurostream.ops;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.neurostream.engine.Network;
import io.neurostream.engine.Population;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ingest.recording.Recording;
import io.neurostream.ingest.recording.RecordingException;
import io.neurostream.ops.internal.LiveReplay;
import io.neurostream.ops.internal.ReplayDriver;
import io.neurostream.ops.internal.ReplayPlan;
import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.SpikeTally;
import io.neurostream.schemas.avro.AppliedInput;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Rejected;
import io.neurostream.simulator.OfflineSimulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream replay FILE}: runs a recording again, offline through the simulator core or live on the
 * service, with every input at its recorded tick and every command between the same ticks, and prints the
 * JSON summary {@code neurostream run} prints.
 */
@Command(name = "replay",
        sortOptions = false,
        description = {
            "Runs a recording again, offline or on the service, and prints a JSON summary as run does.",
            "The network is built from the recorded spec; every recorded input acts at the tick it acted "
                    + "at, every SET, PROBE and RESET between the same ticks, up to the recording's last committed "
                    + "tick; then prints a JSON summary as 'neurostream run' does, with the spike_checksum (and the "
                    + "recorded one, if the recording holds outputs).",
            "--offline runs it in this process through the simulator's own core (no Kafka); without it the "
                    + "network is created on the service and fed by STEP chunks, each chunk's inputs sent and "
                    + "accepted before it is stepped. Either way the journal of the replay is compared with the "
                    + "recording's: an input that acted at another tick is reported and the exit code is 1."},
        footer = {
            "",
            "Examples:",
            "  neurostream replay demo.nsrec --offline",
            "      the same spikes as recorded: spike_checksum equals recorded_spike_checksum",
            "  neurostream replay demo.nsrec --offline --set E.v_threshold=-51",
            "      the experiment: the same inputs, one parameter changed from tick 0",
            "  neurostream replay demo.nsrec --as demo-again --speed 1",
            "      live on the service, in real time, as network demo-again",
            "  neurostream replay demo.nsrec --as demo-win --speed 1 \\",
            "      --from-ms 1000 --to-ms 2000",
            "      as fast as possible to 1 s, then real time to 2 s, then it stops (PAUSED)",
            "",
            "Exit codes: 0 replayed, every input at its recorded tick; 1 the recording",
            "cannot be read (one line says why), a command or input was rejected, an",
            "input acted at another tick, or (without --set) the spike_checksum differs",
            "from the recorded one; 2 bad usage."})
public final class ReplayCommand implements Callable<Integer> {
    /** Inputs that wait in the network's queue at once, at most: well below its bound of 10000. */
    static final int MAX_QUEUED = 2000;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    /** The command id of the replay's own commands (--set), so the comparison with the recording leaves them out. */
    public static final String OWN_COMMAND_ID = "neurostream-replay";

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "FILE", description = "The recording (from 'neurostream record').")
    Path file;

    @Option(names = "--offline", description = "Run in this process, without Kafka.")
    boolean offline;

    @Option(names = "--spikes-out", paramLabel = "FILE", description = "--offline: write every spike to FILE as CSV (tick,neuron).")
    Path spikesOut;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "1",
            description = "--offline: threads for integration (default: ${DEFAULT-VALUE}); the spikes are the same for any N.")
    int threads;

    @Option(names = "--set", paramLabel = "POP.PARAM=VALUE",
            description = "Change a population's parameter from tick 0 (and again after each recorded RESET), as "
                    + "'control ID set' does; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--as", paramLabel = "NEW_ID", description = "Live: the id of the replayed network (default: the recorded one).")
    String as;

    @Option(names = "--speed", paramLabel = "X|max", defaultValue = "max",
            description = "Live: simulated time per wall-clock time, or max (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--from-ms", paramLabel = "A", description = "Live: run as fast as possible up to A ms, then at --speed.")
    Double fromMs;

    @Option(names = "--to-ms", paramLabel = "B", description = "Live: stop at B ms instead of at the recording's end.")
    Double toMs;

    @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "" + Answers.DEFAULT_TIMEOUT_S,
            description = "Live: how long to wait for each answer, s (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** One --set. */
    public record ParamSet(String population, String parameter, double value) {
    }

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        List<ParamSet> changes = new ArrayList<>();
        for (String s : sets) {
            ParamSet p = parseSet(s);
            if (p == null) {
                return Main.fail(err, "--set " + s + ": expected POP.PARAM=VALUE, e.g. --set E.v_threshold=-51", Main.EXIT_USAGE);
            }
            changes.add(p);
        }
        if (threads < 1) {
            return Main.fail(err, "--threads must be at least 1, got " + threads, Main.EXIT_USAGE);
        }
        double speedFactor = 0;
        if (!"max".equals(speed)) {
            try {
                speedFactor = Double.parseDouble(speed);
            } catch (NumberFormatException e) {
                speedFactor = -1;
            }
            if (!(speedFactor > 0) || Double.isInfinite(speedFactor)) {
                return Main.fail(err, "--speed must be max or a number > 0, got " + speed, Main.EXIT_USAGE);
            }
        }
        if (offline && (as != null || fromMs != null || toMs != null || !"max".equals(speed))) {
            return Main.fail(err, "--as, --speed, --from-ms and --to-ms are for a live replay; --offline runs as fast as "
                    + "it can to the recording's end", Main.EXIT_USAGE);
        }
        for (Object[] o : new Object[][] {{"--from-ms", fromMs}, {"--to-ms", toMs}}) {
            Double ms = (Double) o[1];
            if (ms != null && !(ms >= 0 && Double.isFinite(ms))) {
                return Main.fail(err, o[0] + " must be a number of ms >= 0, got " + ms, Main.EXIT_USAGE);
            }
        }
        if (fromMs != null && toMs != null && toMs < fromMs) {
            return Main.fail(err, "--to-ms " + toMs + " is before --from-ms " + fromMs, Main.EXIT_USAGE);
        }
        if (timeoutS < 1) {
            return Main.fail(err, "--timeout-s must be at least 1, got " + timeoutS, Main.EXIT_USAGE);
        }
        if (!offline && spikesOut != null) {
            return Main.fail(err, "--spikes-out is for --offline; a live replay's spikes are on topic spikes", Main.EXIT_USAGE);
        }
        Recording recording;
        Recording.Contents contents;
        InspectCommand.Outputs outputs = new InspectCommand.Outputs();
        try {
            recording = Recording.open(file);
            contents = recording.readJournal(outputs);
        } catch (RecordingException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_FAILURE);
        }
        if (!contents.complete()) {
            err.println("neurostream: note: " + file + " has no final mark (its recorder was cut short); replaying it to "
                    + "its last mark, tick " + contents.committedTick());
        }
        ReplayPlan plan = ReplayPlan.of(contents);
        String recordedChecksum = outputs.spikeRecords == 0 ? null : outputs.sum.hex();
        if (offline) {
            return offline(recording, contents, plan, changes, recordedChecksum, out, err);
        }
        long endTick = plan.endTick();
        double dt = recording.info().dtMs();
        if (toMs != null) {
            endTick = Math.min(endTick, Math.round(toMs / dt));
        }
        long paceFrom = fromMs == null ? 0 : Math.round(fromMs / dt);
        Map<String, Object> settings;
        try {
            settings = Answers.clientSettings(kafka, timeoutS);
        } catch (Settings.SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        String id = as != null ? as : recording.info().networkId();
        long start = System.nanoTime();
        try (NeuroStreamClient client = new NeuroStreamClient(settings);
                LiveReplay live = new LiveReplay(client, RecordCommand.kafkaOnly(settings),
                        (String) settings.get(NeuroStreamClient.TOPIC_PREFIX), id, changes, timeoutS)) {
            live.create(recording.info().specJson());
            ReplayDriver.Pacer pacer = speedFactor == 0 ? ReplayDriver.Pacer.MAX
                    : LiveReplay.pacer(paceFrom, speedFactor, dt);
            ReplayDriver.run(plan, endTick, live, MAX_QUEUED, pacer);
            LiveReplay.Outcome o = live.finish(endTick, plan.epochs());
            List<String> mismatches = compare(plan, endTick, o.journal());
            ObjectNode s = MAPPER.createObjectNode();
            s.put("network", id);
            s.put("run_id", o.runId());
            s.put("ticks", endTick);
            s.put("dt_ms", dt);
            s.put("duration_ms", new BigDecimal(InspectCommand.ms(endTick, dt)));
            s.put("spikes", o.spikes().count());
            s.put("wall_s", BigDecimal.valueOf(Math.round((System.nanoTime() - start) / 1e3), 6).stripTrailingZeros());
            s.put("speed", speed);
            s.put("spike_checksum", o.spikes().hex());
            return finish(s, plan, endTick, recordedChecksum, endTick == plan.endTick(), mismatches, changes, out, err);
        } catch (LiveReplay.ReplayException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_FAILURE);
        } catch (org.apache.kafka.common.KafkaException e) {
            return Main.fail(err, "Kafka at " + settings.get("bootstrap.servers") + ": " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }

    private int offline(Recording recording, Recording.Contents contents, ReplayPlan plan, List<ParamSet> changes,
            String recordedChecksum, PrintWriter out, PrintWriter err) {
        String id = recording.info().networkId();
        long buildStart = System.nanoTime();
        try (SpikeTally tally = new SpikeTally(spikesOut);
                OfflineSimulator sim = new OfflineSimulator(Map.of(), tally)) {
            ReplayDriver.Target target = new ReplayDriver.Target() {
                @Override
                public long tick() {
                    return sim.tick(id);
                }

                @Override
                public void input(ExternalInput in) {
                    int before = sim.rejected().size();
                    sim.input(in);
                    check(before, "input for tick " + in.getTick());
                }

                @Override
                public void awaitInputsAccepted() {
                }

                @Override
                public void command(Control c) {
                    int before = sim.rejected().size();
                    sim.control(c);
                    check(before, c.getCommand() + " at tick " + tick());
                }

                @Override
                public void stepTo(long tick) {
                    sim.stepTo(id, tick);
                }

                @Override
                public void awaitTick() {
                }

                @Override
                public void afterReset() {
                    setUp();
                }

                void setUp() {
                    Network net = sim.network(id).network();
                    net.setThreads(threads);
                    int[] starts = net.populations().stream().mapToInt(Population::start).toArray();
                    tally.populations(starts);
                    for (ParamSet p : changes) {
                        command(setCommand(id, p));
                    }
                }

                private void check(int before, String what) {
                    if (sim.rejected().size() > before) {
                        Rejected r = sim.rejected().get(before);
                        throw new IllegalStateException(what + " was rejected: " + r.getReasonCode() + ": " + r.getReason());
                    }
                }
            };
            int before = sim.rejected().size();
            sim.control(Control.newBuilder().setNetworkId(id).setCommand(ControlCommand.CREATE)
                    .setSpecJson(recording.info().specJson()).setIssuedAtMs(OfflineSimulator.START_MS).build());
            if (sim.network(id) == null) {
                Rejected r = sim.rejected().get(before);
                return Main.fail(err, file + ": the recorded spec is rejected: " + r.getReasonCode() + ": " + r.getReason(),
                        Main.EXIT_FAILURE);
            }
            target.afterReset(); // the network is new: threads, populations and --set as after a RESET
            double buildS = (System.nanoTime() - buildStart) / 1e9;
            long start = System.nanoTime();
            ReplayDriver.run(plan, plan.endTick(), target, MAX_QUEUED, ReplayDriver.Pacer.MAX);
            double wallS = (System.nanoTime() - start) / 1e9;
            List<String> mismatches = compare(plan, plan.endTick(), sim.journal());
            Network net = sim.network(id).network();
            ObjectNode s = summary(net, plan.endTick(), tally, wallS, buildS);
            return finish(s, plan, plan.endTick(), recordedChecksum, true, mismatches, changes, out, err);
        } catch (IOException | UncheckedIOException e) {
            return Main.fail(err, "cannot write " + spikesOut + ": " + Main.describe(e), Main.EXIT_FAILURE);
        } catch (IllegalStateException e) {
            return Main.fail(err, file + ": " + e.getMessage(), Main.EXIT_FAILURE);
        }
    }

    private int finish(ObjectNode s, ReplayPlan plan, long endTick, String recordedChecksum, boolean whole,
            List<String> mismatches, List<ParamSet> changes, PrintWriter out, PrintWriter err) {
        if (recordedChecksum != null && whole) {
            s.put("recorded_spike_checksum", recordedChecksum);
        }
        s.put("inputs", plan.events().stream().filter(e -> e.isInput() && (e.epoch() < plan.epochs() - 1 || e.tick() < endTick))
                .count());
        s.put("inputs_at_other_ticks", mismatches.size());
        if (!changes.isEmpty()) {
            s.put("set", String.join(" ", sets));
        }
        for (String m : mismatches.subList(0, Math.min(10, mismatches.size()))) {
            err.println("neurostream: " + m);
        }
        // the promise of a recording: without a change of parameters, its replay has its spikes
        boolean differs = recordedChecksum != null && whole && changes.isEmpty()
                && !recordedChecksum.equals(s.get("spike_checksum").asText());
        if (differs) {
            err.println("neurostream: " + file + ": the replay's spike_checksum " + s.get("spike_checksum").asText()
                    + " differs from the recorded " + recordedChecksum);
        }
        try {
            out.println(MAPPER.writeValueAsString(s));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the summary is plain JSON", e);
        }
        out.flush();
        err.flush();
        return mismatches.isEmpty() && !differs ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }

    /** The summary fields of {@code neurostream run}, for the replayed network. */
    private ObjectNode summary(Network network, long ticks, SpikeTally tally, double wallS, double buildS) {
        return RunCommand.summary(network, ticks, tally.checksum(), tally.populationSpikes(), wallS, buildS, threads,
                spikesOut);
    }

    /**
     * Every recorded input (in journal order) against the replay's: the tick each acted at. A replayed input
     * journaled at another tick than recorded, or missing, is one line.
     */
    static List<String> compare(ReplayPlan plan, long endTick, List<AppliedInput> replayed) {
        List<Long> want = new ArrayList<>();
        for (ReplayPlan.Event e : plan.events()) {
            if (e.isInput() && (e.epoch() < plan.epochs() - 1 || e.tick() < endTick)) {
                want.add(e.tick());
            }
        }
        List<Long> got = new ArrayList<>();
        for (AppliedInput a : replayed) {
            if (a.getTick() >= 0 && a.getPayload() instanceof ExternalInput) {
                got.add(a.getTick());
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < want.size(); i++) {
            if (i >= got.size()) {
                out.add("recorded input " + (i + 1) + " (tick " + want.get(i) + ") was not applied by the replay");
            } else if (!want.get(i).equals(got.get(i))) {
                out.add("recorded input " + (i + 1) + " acted at tick " + want.get(i) + ", in the replay at tick " + got.get(i));
            }
        }
        return out;
    }

    static Control setCommand(String id, ParamSet p) {
        return Control.newBuilder().setNetworkId(id).setCommand(ControlCommand.SET).setCommandId(OWN_COMMAND_ID)
                .setSetPopulation(p.population()).setSetParameter(p.parameter()).setSetValue(p.value())
                .setIssuedAtMs(System.currentTimeMillis()).build();
    }

    static ParamSet parseSet(String s) {
        int eq = s.indexOf('=');
        int dot = eq < 0 ? -1 : s.lastIndexOf('.', eq);
        if (dot <= 0 || eq <= dot + 1 || eq == s.length() - 1) {
            return null;
        }
        try {
            double v = Double.parseDouble(s.substring(eq + 1).trim());
            return Double.isFinite(v) ? new ParamSet(s.substring(0, dot), s.substring(dot + 1, eq), v) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
