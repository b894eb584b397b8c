package io.neurostream.ops;

import ch.qos.logback.classic.Level;
import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.broker.EmbeddedBroker;
import io.neurostream.broker.PortInUseException;
import io.neurostream.engine.spec.NetworkSpec;
import io.neurostream.engine.spec.SpecParser;
import io.neurostream.ops.dashboard.DashboardServer;
import io.neurostream.ops.internal.DemoSensors;
import io.neurostream.ops.internal.RunningWait;
import io.neurostream.ops.internal.StopSignal;
import io.neurostream.ops.internal.SummaryPrinter;
import io.neurostream.schemas.TopicAdmin;
import io.neurostream.schemas.Topics;
import io.neurostream.schemas.avro.Control;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.RunState;
import io.neurostream.schemas.avro.Status;
import io.neurostream.simulator.Commands;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream demo}: everything in one JVM, in real time — a single-node Kafka broker (KRaft) with
 * its data under {@code ./data/}, the topics, the simulator service, the analytics, a demo network of
 * three sensory areas fed by live sensors, and a summary of rates, E-I balance and alerts on stdout.
 *
 * <p>How to run: {@code ./neurostream demo}; Ctrl-C stops it. Expected: a few lines on stderr about
 * the broker, topics and network, then on stdout about once a second
 * <pre>
 * t =     7.0 s   window [6.0, 7.0) s   RUNNING, speed 1.00x
 *   V1_like     E   21.3 Hz   I   22.5 Hz   E/I 0.85
 *   A1_like     E    9.6 Hz   I   10.2 Hz   E/I 0.77
 *   S1_like     E    6.1 Hz   I    6.4 Hz   E/I 0.72
 * </pre>
 * V1's rates step up and down with the drifting grating (3 s on, 3 s off), A1's with the chirp. On
 * Ctrl-C: {@code demo stopped cleanly in … s; data kept in …}, exit code 130. Run again: the broker
 * finds its data and the simulator restores the network from its last checkpoint.
 *
 * <p>Start order: broker (or the Kafka already answering on {@code localhost:PORT}), topics, simulator,
 * analytics, network (CREATE and START only if it does not exist yet), sensors, summary. Stop order:
 * sensors, simulator (checkpoints the network), analytics, summary, broker.
 */
@Command(name = "demo",
        sortOptions = false,
        description = {
            "Runs the whole pipeline in one JVM, in real time, with a demo network fed by live sensors.",
            "",
            "Starts a Kafka broker (KRaft, data in --data-dir), the topics, the simulator, the analytics, "
                    + "and a demo network (three areas V1_like, A1_like, S1_like of the 20^4 lattice, each "
                    + "1600 E + 400 I LIF neurons, dt 0.1 ms) fed by live sensors: a drifting grating into "
                    + "vision (3 s on, 3 s off) and a chirp into audition.",
            "Prints about once a second each area's E and I rates and E-I balance over the newest 1 s "
                    + "window, and every alert as it is raised or cleared. Ctrl-C stops it cleanly; run it "
                    + "again to resume from --data-dir.",
            "Serves the live dashboard (the same as `neurostream dashboard`) on 127.0.0.1:--dashboard-port "
                    + "and prints its address: open it in a browser to watch and steer the network.",
            "If something already answers as Kafka on localhost:PORT, that broker is used instead."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:--duration-s elapsed and everything stopped cleanly",
            "1:a part failed to start or stopped with an error",
            "2:bad usage, --port taken by something that is not Kafka, or --dashboard-port or --metrics-port taken",
            "130:stopped by Ctrl-C (SIGTERM: 143), within 30 s even if a part hangs"},
        footer = {
            "",
            "Examples:",
            "  neurostream demo",
            "  neurostream demo --data-dir /tmp/ns-demo --port 19092 --duration-s 30",
            "  neurostream demo --speed 0.5",
            "  neurostream demo --dashboard-port 0     # on a free port; the URL is printed",
            "  neurostream demo --metrics-port 9404"})
public final class DemoCommand implements Callable<Integer> {
    /** The demo network's id. */
    public static final String NETWORK_ID = "demo";
    /** Printed, followed by the dashboard's address, once the dashboard serves; scripts and tests look for it. */
    public static final String DASHBOARD_LINE = "dashboard at";
    /** The line printed when everything has stopped; scripts and tests look for it. */
    public static final String STOPPED_LINE = "demo stopped cleanly";

    /**
     * The demo lowers its network's RUNAWAY ceiling from the default 50 Hz to this, so that the grating
     * (V1 at 12-19 Hz while it is shown, about 5.5 Hz while blank) raises and clears an alert.
     */
    static final double RUNAWAY_HZ = 10.0;
    private static final String RUNAWAY_OVERRIDE = AnalyticsConfig.ALERT_PREFIX + NETWORK_ID + "."
            + AnalyticsConfig.RUNAWAY_RATE_SUFFIX;

    private static final String SPEC_RESOURCE = "demo-network.json";
    /**
     * What the wait for RUNNING allows, beyond the session and transaction timeouts, for the simulator's
     * own work without a visible change: building the demo network (a few seconds), restoring its
     * checkpoint, and recomputing up to its last committed tick (at most one checkpoint interval, 10 s of
     * simulated time by default, computed faster than real time).
     */
    static final Duration RECOVERY_WORK = Duration.ofSeconds(30);
    /** How often the wait for RUNNING says what it is waiting for. */
    static final Duration WAIT_REPORT_EVERY = Duration.ofSeconds(5);

    @Spec
    CommandSpec command;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Where the broker (DIR/kafka) and the analytics (DIR/analytics) keep their data "
                    + "(default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "The broker's port on 127.0.0.1 (default: ${DEFAULT-VALUE}); 0 picks a free one.")
    int port;

    @Option(names = "--duration-s", paramLabel = "S",
            description = "Stop by itself after S seconds of wall time (default: run until Ctrl-C).")
    Double durationS;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1.0",
            description = "Simulated time per wall-clock time (default: ${DEFAULT-VALUE}, real time).")
    double speed;

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "" + DashboardServer.DEFAULT_PORT,
            description = "Port of the live dashboard on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one; "
                    + "off: no dashboard).")
    String dashboardPort;

    @Option(names = MetricsEndpoint.HOST_OPTION, paramLabel = "HOST", defaultValue = OpsHttpServer.DEFAULT_HOST,
            description = MetricsEndpoint.HOST_DESCRIPTION)
    String metricsHost;

    @Option(names = MetricsEndpoint.PORT_OPTION, paramLabel = "PORT", defaultValue = "0",
            description = "Port of the simulator's and the analytics' /metrics, /health and /ready (default: "
                    + "${DEFAULT-VALUE})" + MetricsEndpoint.PORT_DESCRIPTION)
    String metricsPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /**
     * The one registry of the simulator and the analytics of this demo, and its server; set once {@link #call}
     * has begun (null before). What else the demo serves can register its meters here.
     */
    volatile MetricsEndpoint metrics;
    private volatile SimulatorService simulator;
    private volatile AnalyticsApp analytics;

    /** What has been started, newest first: closed in that order. */
    private final Deque<Part> started = new ArrayDeque<>();

    private record Part(String name, AutoCloseable closeable) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!(speed > 0) || speed > 100 || Double.isNaN(speed)) {
            throw new ParameterException(command.commandLine(), "--speed must be in (0, 100], got " + speed);
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(command.commandLine(), "--port must be 0..65535, got " + port);
        }
        if (durationS != null && !(durationS > 0)) {
            throw new ParameterException(command.commandLine(), "--duration-s must be positive, got " + durationS);
        }
        Integer metricsAt = MetricsEndpoint.port(command.commandLine(), metricsPort);
        Integer dashboardAt = dashboardPort.equals("off") ? null : portOption("--dashboard-port", dashboardPort);
        quietKafkaLogs();
        String specJson = demoSpec();
        NetworkSpec spec = SpecParser.parse(specJson, SPEC_RESOURCE);
        Path data = dataDir.toAbsolutePath().normalize();

        long t0 = System.nanoTime();
        try (StopSignal stop = StopSignal.install("neurostream-demo-shutdown")) {
            int code;
            try {
                try {
                    metrics = MetricsEndpoint.start(metricsHost, metricsAt, instanceId(data), this::health, this::ready, err);
                    started.push(new Part("metrics", metrics));
                    code = run(stop, data, specJson, spec, dashboardAt, out, err);
                } catch (MetricsEndpoint.PortTaken e) {
                    code = Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
                }
            } catch (RuntimeException e) {
                code = Main.fail(err, "the demo failed: " + (e instanceof KafkaException || e instanceof UncheckedIOException
                        ? "" : e.getClass().getSimpleName() + ": ") + Main.describe(e), Main.EXIT_FAILURE);
            }
            boolean clean = closeAll(stop, err);
            if (!clean && code != Main.EXIT_USAGE) {
                code = Main.EXIT_FAILURE;
            }
            if (code == Main.EXIT_OK || code == Main.EXIT_INTERRUPTED) {
                err.println(String.format(Locale.ROOT, "%s in %.1f s; data kept in %s (run again to resume)",
                        STOPPED_LINE, (System.nanoTime() - t0) / 1e9, data));
            } else if (!clean) {
                err.println("demo stopped, not cleanly (see above); data in " + data);
            }
            err.flush();
            return code;
        }
    }

    private int run(StopSignal stop, Path data, String specJson, NetworkSpec spec, Integer dashboardAt, PrintWriter out,
            PrintWriter err) throws Exception {
        // 1. the broker: ours, or the one already answering on the port
        String bootstrap;
        boolean embedded;
        if (port != 0 && !EmbeddedBroker.isFree(port)) {
            bootstrap = "localhost:" + port;
            if (!kafkaAnswers(bootstrap)) {
                return Main.fail(err, "port " + port + " is in use by something that does not answer as Kafka; stop it "
                        + "or pick another port with --port", Main.EXIT_USAGE);
            }
            embedded = false;
            err.println("using the Kafka broker already running at " + bootstrap + " (--data-dir is used for the analytics only)");
        } else {
            err.println("starting a Kafka broker on 127.0.0.1:" + (port == 0 ? "(free port)" : port) + ", data in "
                    + data.resolve("kafka") + " ...");
            err.flush();
            EmbeddedBroker broker;
            try {
                broker = EmbeddedBroker.builder().dataDir(data.resolve("kafka")).port(port).build().start();
            } catch (PortInUseException e) {
                return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
            }
            started.push(new Part("broker", broker));
            bootstrap = broker.bootstrapServers();
            embedded = true;
        }
        if (stop.await(Duration.ZERO)) {
            return Main.EXIT_INTERRUPTED;
        }

        // 2. topics: one partition on our own broker (quick to start), the registry's choice elsewhere
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", bootstrap);
        String prefix = Topics.DEFAULT_PREFIX;
        try (Admin admin = Admin.create(adminConfig(client))) {
            TopicAdmin.Options options = TopicAdmin.Options.defaults().withTimeout(Duration.ofSeconds(30));
            if (embedded) {
                options = options.withPartitions(1);
            }
            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, options);
            err.println("topics: created " + r.created().size() + ", found " + r.found().size()
                    + (r.fixed().isEmpty() ? "" : ", fixed " + r.fixed().size()));
            if (!r.ok()) {
                r.problems().forEach(p -> err.println("  ! " + p));
            }
        }

        // 3. the simulator
        long simulatorStartMs = System.currentTimeMillis();
        Map<String, Object> sim = new HashMap<>(client);
        sim.put(SimulatorConfig.INSTANCE_ID, instanceId(data));
        SimulatorService simulator = new SimulatorService(new SimulatorConfig(sim), metrics.registry());
        simulator.start();
        this.simulator = simulator;
        started.push(new Part("simulator", () -> {
            simulator.close();
            if (simulator.failure() != null) {
                throw new IllegalStateException("it had stopped with an error: " + Main.describe(simulator.failure()));
            }
        }));

        // 4. the analytics
        Map<String, Object> ana = new HashMap<>(client);
        ana.put(StreamsConfig.STATE_DIR_CONFIG, data.resolve("analytics").toString());
        ana.put(RUNAWAY_OVERRIDE, Double.toString(RUNAWAY_HZ));
        AnalyticsApp analytics = new AnalyticsApp(new AnalyticsConfig(ana), metrics.registry());
        analytics.start();
        this.analytics = analytics;
        started.push(new Part("analytics", () -> {
            Duration max = stop.remainingForClose();
            if (!analytics.close(max)) {
                throw new IllegalStateException("it did not finish closing within " + max.toSeconds() + " s");
            }
        }));

        // 4b. the dashboard, serving the same registry (its viewer meters join the simulator's and the analytics')
        if (dashboardAt != null) {
            DashboardServer dashboard;
            try {
                dashboard = DashboardServer.start(client, DashboardServer.Options.defaults().port(dashboardAt),
                        metrics.registry(), this::health, this::ready);
            } catch (UncheckedIOException e) {
                return Main.fail(err, "cannot serve the dashboard on 127.0.0.1:" + dashboardAt + " (" + Main.describe(e)
                        + "): pick another port with --dashboard-port, 0 for a free one, or off", Main.EXIT_USAGE);
            }
            started.push(new Part("dashboard", dashboard));
            out.println(DASHBOARD_LINE + " " + dashboard.uri() + "/#network=" + NETWORK_ID);
            out.flush();
        }

        // 5. the network, unless the simulator restores it
        Optional<Status> existing = latestStatus(client, Topics.STATUS.name(prefix), NETWORK_ID);
        // a failed network is still hosted (and restored): it is stopped first, and the CREATE begins a new run
        boolean failed = existing.isPresent() && (existing.get().getState() == RunState.FAILED
                || existing.get().getState() == RunState.NUMERIC_FAULT);
        boolean create = existing.isEmpty() || existing.get().getState() == RunState.STOPPED || failed;
        try (KafkaProducer<String, Control> control = new KafkaProducer<>(producerConfig(client),
                Topics.CONTROL.keySerde().serializer(), Topics.CONTROL.valueSerde())) {
            String topic = Topics.CONTROL.name(prefix);
            if (create) {
                if (failed) {
                    err.println("network " + NETWORK_ID + " is " + existing.get().getState() + " (" + existing.get().getMessage()
                            + "); stopping it and starting a new run");
                    control.send(new ProducerRecord<>(topic, NETWORK_ID, Commands.stop(NETWORK_ID)));
                }
                control.send(new ProducerRecord<>(topic, NETWORK_ID, Commands.create(NETWORK_ID, specJson)));
                control.send(new ProducerRecord<>(topic, NETWORK_ID, Commands.start(NETWORK_ID, speed)));
                err.println("network " + NETWORK_ID + " created: " + describe(spec) + "; running at " + speed + "x real time");
            } else {
                Status s = existing.get();
                control.send(new ProducerRecord<>(topic, NETWORK_ID, Commands.speed(NETWORK_ID, speed)));
                err.println(String.format(Locale.ROOT, "network %s exists (%s at t = %.1f s), not created again: a "
                        + "simulator goes on with it (from its last checkpoint after a restart)", NETWORK_ID,
                        s.getState(), s.getSimTimeMs() / 1000.0));
            }
            control.flush();
        }

        // 6. the sensors, once the network computes: inputs without a tick apply at the first tick not yet
        //    computed, so inputs sent while it is still being built would all pile up on its first tick
        //    as long as something moves: see RunningWait
        SimulatorConfig simConfig = new SimulatorConfig(sim);
        long sessionMs = timeoutMs(SimulatorService.consumerConfig(simConfig), ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                ConsumerConfig.configDef().defaultValues().get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        long transactionMs = timeoutMs(SimulatorService.producerConfig(simConfig), ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                ProducerConfig.configDef().defaultValues().get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        Duration patience = RunningWait.patience(sessionMs, transactionMs, RECOVERY_WORK);
        RunningWait wait = new RunningWait(NETWORK_ID, simConfig.groupId(), simulatorStartMs, patience,
                String.format(Locale.ROOT, "session.timeout.ms %d + transaction.timeout.ms %d + %d s to build, restore "
                        + "and recompute", sessionMs, transactionMs, RECOVERY_WORK.toSeconds()),
                WAIT_REPORT_EVERY, System.nanoTime());
        if (failed) {
            wait.replacing(existing.get().getRunId());
        }
        Optional<Status> running = awaitRunning(client, Topics.STATUS.name(prefix), wait, simConfig.groupId(), stop, err);
        if (stop.await(Duration.ZERO)) {
            return stop.signalled() ? Main.EXIT_INTERRUPTED : Main.EXIT_FAILURE;
        }
        if (running.isEmpty()) {
            return Main.fail(err, wait.gaveUp() != null ? wait.gaveUp() : "network " + NETWORK_ID
                    + " did not report RUNNING; last seen: " + wait.seen(), Main.EXIT_FAILURE);
        }
        KafkaProducer<String, ExternalInput> inputs = new KafkaProducer<>(producerConfig(client),
                Topics.EXTERNAL_INPUT.keySerde().serializer(), Topics.EXTERNAL_INPUT.valueSerde());
        started.push(new Part("sensor producer", inputs));
        DemoSensors sensors = new DemoSensors(inputs, Topics.EXTERNAL_INPUT.name(prefix), NETWORK_ID, spec.dtMs(), speed);
        sensors.start();

        // 7. the summary (closed before the sensors' producer, after the analytics: see closeAll)
        SummaryPrinter printer = new SummaryPrinter(client, prefix, NETWORK_ID, out, Duration.ofSeconds(1));
        printer.start();
        started.push(new Part("summary", printer));
        started.push(new Part("sensors", sensors));
        err.println("live: vision gets a drifting grating (3 s on, 3 s off), audition a chirp; RUNAWAY alerts above "
                + RUNAWAY_HZ + " Hz for this network (" + RUNAWAY_OVERRIDE + "), so the grating raises and clears them");
        err.println("rates and E-I balance of the newest 1 s window about once a second; "
                + (durationS == null ? "Ctrl-C stops the demo" : "stopping after " + durationS + " s (or Ctrl-C)"));
        err.flush();

        Duration limit = durationS == null ? null : Duration.ofMillis(Math.round(durationS * 1000));
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        while (!stop.await(Duration.ofMillis(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))))) {
            if (System.nanoTime() >= deadline) {
                break;
            }
            if (!simulator.isRunning()) {
                stop.request("the simulator stopped: " + (simulator.failure() == null ? "no error"
                        : Main.describe(simulator.failure())));
            } else if (analytics.state() == KafkaStreams.State.ERROR || analytics.state() == KafkaStreams.State.NOT_RUNNING) {
                stop.request("the analytics stopped (" + analytics.state() + "; the log above says why)");
            }
        }
        err.println(stop.signalled() ? "stopping (signal) ..." : stop.reason() != null ? "stopping: " + stop.reason()
                : "stopping (--duration-s elapsed) ...");
        err.flush();
        if (stop.reason() != null) {
            return Main.EXIT_FAILURE;
        }
        return stop.signalled() ? Main.EXIT_INTERRUPTED : Main.EXIT_OK;
    }

    /**
     * Closes what was started in the stop order: dashboard (its viewers' streams end), sensors, simulator, analytics, summary, the sensors'
     * producer, broker, and last the metrics endpoint (so a scrape sees the parts stop). Each part gets its
     * own try, so one failure does not leave the rest running, and what is left of the shutdown budget
     * ({@link StopSignal#closeWithin}), so one wedged part does not hold the rest for ever.
     */
    private boolean closeAll(StopSignal stop, PrintWriter err) {
        boolean clean = true;
        List<String> order = List.of("dashboard", "sensors", "simulator", "analytics", "summary", "sensor producer", "broker", "metrics");
        for (String name : order) {
            for (Part p : started) {
                if (p.name().equals(name)) {
                    long t = System.nanoTime();
                    try {
                        stop.closeWithin(name, p.closeable());
                        err.println(String.format(Locale.ROOT, "  stopped %-15s %5d ms", name,
                                (System.nanoTime() - t) / 1_000_000));
                    } catch (Exception e) {
                        clean = false;
                        err.println("  could not stop the " + name + " cleanly: " + Main.describe(e));
                    }
                    err.flush();
                }
            }
        }
        started.clear();
        return clean;
    }

    private Integer portOption(String option, String value) {
        try {
            int p = Integer.parseInt(value.strip());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ParameterException(command.commandLine(), option + " must be 0..65535 or off, got '" + value + "'");
    }

    /** What the demo's /health says: the simulator's and the analytics' health. */
    private String health() {
        String s = SimulateCommand.health(simulator);
        return s != null ? s : AnalyticsCommand.health(analytics);
    }

    /** What the demo's /ready says: ready once the simulator and the analytics both are. */
    private String ready() {
        SimulatorService s = simulator;
        String why = s == null ? "the simulator is starting" : s.notReadyBecause();
        return why != null ? why : AnalyticsCommand.ready(analytics);
    }

    /**
     * The simulator's instance id, and so its transactional id: the same for every run on one data
     * directory (a restarted demo fences what is left of the previous one), different for another
     * data directory (a second demo on the same broker shares the work instead of fencing the first).
     */
    static String instanceId(Path data) {
        return String.format(Locale.ROOT, "demo-%08x", data.toAbsolutePath().normalize().toString().hashCode());
    }

    private static String describe(NetworkSpec spec) {
        long neurons = spec.populations().stream().mapToLong(p -> p.count() == null ? 0 : p.count()).sum();
        return spec.areas().size() + " areas, " + spec.populations().size() + " populations, " + neurons
                + " neurons, dt " + spec.dtMs() + " ms";
    }

    private static String demoSpec() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(SPEC_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the demo network " + SPEC_RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Kafka's own warnings (controller activation, client reconnects) would drown the summary. */
    static void quietKafkaLogs() {
        for (String name : List.of("org.apache.kafka", "kafka", "state.change.logger")) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
                l.setLevel(Level.ERROR);
            }
        }
    }

    /** Whether a Kafka cluster answers at {@code bootstrap} within 8 s (a loaded machine needs a few). */
    static boolean kafkaAnswers(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000);
        c.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000);
        c.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(c)) {
            return admin.describeCluster().clusterId().get(8, TimeUnit.SECONDS) != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, Object> adminConfig(Map<String, Object> client) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return c;
    }

    /** The sensors' and the control producer's settings; lz4 because sensor matrices repeat a lot. */
    private static Map<String, Object> producerConfig(Map<String, Object> client) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return c;
    }

    /**
     * Waits until the network reports RUNNING at a tick past 0 in a Status written at or after
     * {@code sinceMs}, or until a stop is requested, or until {@link RunningWait} gives up: nothing
     * observable (the network's Status, the simulator group's members and assignment) moved for
     * {@code patience}. Prints what it waits for on {@code err} every {@link #WAIT_REPORT_EVERY}.
     *
     * @return the RUNNING status, or empty with the reason in {@code wait.gaveUp()} (null if stopped)
     */
    static Optional<Status> awaitRunning(Map<String, Object> client, String topic, RunningWait wait, String groupId,
            StopSignal stop, PrintWriter err) throws InterruptedException {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Object> a = new HashMap<>(client);
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        Status latest = null;
        long nextGroupLook = System.nanoTime();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer()); Admin admin = Admin.create(a)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> tps = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (!stop.await(Duration.ZERO)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (wait.networkId().equals(r.key())) {
                        latest = r.value() == null ? null : Topics.STATUS.valueSerde().decode(r.value());
                        wait.status(latest);
                    }
                }
                long now = System.nanoTime();
                if (now >= nextGroupLook) {
                    wait.group(describeGroup(admin, groupId));
                    nextGroupLook = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
                now = System.nanoTime();
                RunningWait.Verdict v = wait.observe(now);
                if (v == RunningWait.Verdict.RUNNING) {
                    return Optional.of(latest);
                }
                if (v == RunningWait.Verdict.GAVE_UP) {
                    return Optional.empty();
                }
                String line = wait.report(now);
                if (line != null) {
                    err.println(line);
                    err.flush();
                }
            }
        }
        return Optional.empty();
    }

    /** The simulator group's state, members and assigned partitions, as far as Admin tells within 5 s. */
    static RunningWait.Group describeGroup(Admin admin, String groupId) throws InterruptedException {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                    .get(5, TimeUnit.SECONDS);
            int assigned = d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
            return new RunningWait.Group(d.groupState().toString(), d.members().size(), assigned, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return new RunningWait.Group("not formed yet", 0, 0, null);
            }
            return RunningWait.Group.unknown(Main.describe(e.getCause()));
        } catch (TimeoutException e) {
            return RunningWait.Group.unknown("no answer within 5 s");
        }
    }

    /** A timeout setting of a client's config, in ms, or {@code fallback} (the client's default) if it is unset. */
    private static long timeoutMs(Map<String, Object> config, String key, Object fallback) {
        Object v = config.getOrDefault(key, fallback);
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v).trim());
    }

    /** The latest Status of a network on the compacted status topic, read to its end. */
    static Optional<Status> latestStatus(Map<String, Object> client, String topic, String networkId) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Status latest = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> tps = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + topic + " to its end within 30 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (networkId.equals(r.key())) {
                        latest = r.value() == null ? null : Topics.STATUS.valueSerde().decode(r.value());
                    }
                }
            }
        }
        return Optional.ofNullable(latest);
    }
}
