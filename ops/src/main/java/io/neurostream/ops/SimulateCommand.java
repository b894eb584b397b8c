package io.neurostream.ops;

import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import io.neurostream.simulator.SimulatorConfig;
import io.neurostream.simulator.SimulatorService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream simulate}: the simulator service against any Kafka cluster, until Ctrl-C or SIGTERM.
 * It consumes {@code control} and {@code external-input}, hosts the networks created there and
 * publishes their spikes, frames, journal, topology, status and checkpoints ({@link SimulatorService}).
 *
 * <p>How to run: {@code ./neurostream topics && ./neurostream simulate --bootstrap-server localhost:9092}.
 * Expected on stderr: {@code simulator sim-… running against localhost:9092 (topics neurostream.*)};
 * on Ctrl-C: {@code simulator stopped cleanly in … ms}, exit code 130.
 */
@Command(name = "simulate",
        sortOptions = false,
        description = {
            "Runs the simulator service against a Kafka cluster until Ctrl-C.",
            "",
            "Networks are created and driven through topic control, fed through external-input, and "
                    + "publish spikes, frames, membrane, journal, topology, status and checkpoints "
                    + "(docs/streaming.md, docs/topics.md)."},
        footer = {
            "",
            "Each setting below can come from --config FILE, from its environment variable or from "
                    + "--property. Precedence: defaults < --config < NEUROSTREAM_* < --property < "
                    + "--bootstrap-server. Any other key is a Kafka client setting (security.protocol, sasl.*, "
                    + "ssl.*, ...) and passes through. An unknown neurostream.*, simulator.* or analytics.* key "
                    + "is an error.",
            "",
            "Examples:",
            "  neurostream simulate --bootstrap-server localhost:9092",
            "  neurostream simulate --config client.properties \\",
            "      --property simulator.instance.id=sim-2",
            "  NEUROSTREAM_BOOTSTRAP_SERVERS=broker1:9092 \\",
            "      NEUROSTREAM_SIMULATOR_FRAME_MS=2 neurostream simulate",
            "  neurostream simulate --metrics-host 0.0.0.0 --metrics-port 9500",
            "",
            "/metrics: Prometheus text (ticks, spikes, tick and commit durations, publish latency, inputs, "
                    + "rejections, Kafka client and JVM metrics; docs/metrics.md). /health: 503 once the simulator's "
                    + "loop has stopped. /ready: 503 until partitions are assigned and their networks recovered.",
            "",
            "Settings:"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "1:the service failed or Kafka refused it",
            "2:bad usage or settings",
            "130:stopped by Ctrl-C (SIGTERM: 143), within 30 s even if a part hangs"})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Option(names = MetricsEndpoint.HOST_OPTION, paramLabel = "HOST", defaultValue = OpsHttpServer.DEFAULT_HOST,
            description = MetricsEndpoint.HOST_DESCRIPTION)
    String metricsHost;

    @Option(names = MetricsEndpoint.PORT_OPTION, paramLabel = "PORT", defaultValue = "9404",
            description = "Port of /metrics, /health and /ready (default: ${DEFAULT-VALUE})" + MetricsEndpoint.PORT_DESCRIPTION)
    String metricsPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = command.commandLine().getErr();
        Integer port = MetricsEndpoint.port(command.commandLine(), metricsPort);
        SimulatorConfig config;
        Settings settings;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            config = new SimulatorConfig(settings.forService(NeuroStreamConfigs.simulator()));
        } catch (SettingsException | ConfigException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));

        AtomicReference<SimulatorService> running = new AtomicReference<>();
        MetricsEndpoint metrics;
        try {
            metrics = MetricsEndpoint.start(metricsHost, port, config.instanceId(), () -> health(running.get()),
                    () -> running.get() == null ? "starting" : running.get().notReadyBecause(), err);
        } catch (MetricsEndpoint.PortTaken e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        try (metrics) {
            return ServiceRunner.run(err, "simulator", config.instanceId(), settings.get("bootstrap.servers", "?"),
                    config.topicPrefix(), () -> {
                    SimulatorService service = new SimulatorService(config, metrics.registry());
                    service.start();
                    running.set(service);
                    return new ServiceRunner.Running() {
                        @Override
                        public String failure() {
                            return service.isRunning() ? null : "the simulator stopped: "
                                    + (service.failure() == null ? "no error" : Main.describe(service.failure()));
                        }

                        @Override
                        public boolean close(Duration max) {
                            service.close();   // no bound of its own: the runner bounds it
                            return true;
                        }
                    };
                });
        }
    }

    /** What /health says: null while the simulator's loop runs (or has not started yet). */
    static String health(SimulatorService service) {
        if (service == null || service.isRunning()) {
            return null;
        }
        return "the simulator's loop has stopped: " + (service.failure() == null ? "closed" : Main.describe(service.failure()));
    }
}
