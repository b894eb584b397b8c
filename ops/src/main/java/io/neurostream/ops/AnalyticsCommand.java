package io.neurostream.ops;

import io.neurostream.analytics.AnalyticsApp;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.Settings.SettingsException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream analytics}: the Kafka Streams application ({@link AnalyticsApp}) against any Kafka
 * cluster, until Ctrl-C or SIGTERM: final firing rates, E-I balance and alerts from the simulator's frames.
 *
 * <p>How to run: {@code ./neurostream analytics --bootstrap-server localhost:9092}. Expected on stderr:
 * {@code analytics neurostream.analytics running against localhost:9092 (topics neurostream.*)}, then
 * {@code analytics RUNNING}; on Ctrl-C: {@code analytics stopped cleanly in … ms}, exit code 130.
 */
@Command(name = "analytics",
        sortOptions = false,
        description = {
            "Runs the analytics (Kafka Streams) against a Kafka cluster until Ctrl-C.",
            "",
            "Windowed firing rates (topic rates), E-I balance (balance) and alerts (alerts) from the "
                    + "simulator's frames."},
        footer = {
            "",
            "Each setting below can come from --config FILE, from its environment variable or from "
                    + "--property. Precedence: defaults < --config < NEUROSTREAM_* < --property < "
                    + "--bootstrap-server. Any other key is a Kafka Streams or Kafka client setting (state.dir, "
                    + "num.stream.threads, application.server, security.protocol, sasl.*, ssl.*, ...) and passes "
                    + "through. An unknown neurostream.*, simulator.* or analytics.* key is an error.",
            "",
            "Alert bounds of one network: analytics.alert.<network-id>.<setting>, <setting> one of "
                    + "consecutive.windows, ei.ratio.min, ei.ratio.max, runaway.rate.hz, silence.rate.hz; for "
                    + "example --property analytics.alert.demo.ei.ratio.max=5.",
            "",
            "Examples:",
            "  neurostream analytics --bootstrap-server localhost:9092",
            "  neurostream analytics --property state.dir=/var/lib/neurostream \\",
            "      --property num.stream.threads=2",
            "  neurostream analytics --config client.properties \\",
            "      --property analytics.window.size.ms=500",
            "  neurostream analytics --metrics-port 0",
            "",
            "/metrics: Prometheus text (Kafka Streams, Kafka client and JVM metrics; docs/metrics.md). "
                    + "/health: 503 once Kafka Streams is in ERROR (or stopped). /ready: 503 until it is RUNNING.",
            "",
            "Settings:"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "1:the application failed (state ERROR) or Kafka refused it",
            "2:bad usage or settings",
            "130:stopped by Ctrl-C (SIGTERM: 143), within 30 s even if a part hangs"})
public final class AnalyticsCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Option(names = MetricsEndpoint.HOST_OPTION, paramLabel = "HOST", defaultValue = OpsHttpServer.DEFAULT_HOST,
            description = MetricsEndpoint.HOST_DESCRIPTION)
    String metricsHost;

    @Option(names = MetricsEndpoint.PORT_OPTION, paramLabel = "PORT", defaultValue = "9405",
            description = "Port of /metrics, /health and /ready (default: ${DEFAULT-VALUE})" + MetricsEndpoint.PORT_DESCRIPTION)
    String metricsPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = command.commandLine().getErr();
        Integer port = MetricsEndpoint.port(command.commandLine(), metricsPort);
        AnalyticsConfig config;
        Settings settings;
        try {
            settings = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            config = new AnalyticsConfig(settings.forService(NeuroStreamConfigs.analytics()));
        } catch (SettingsException | ConfigException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        settings.warnings().forEach(w -> err.println("neurostream: warning: " + w));

        AtomicReference<AnalyticsApp> running = new AtomicReference<>();
        MetricsEndpoint metrics;
        try {
            metrics = MetricsEndpoint.start(metricsHost, port, config.applicationId(), () -> health(running.get()),
                    () -> ready(running.get()), err);
        } catch (MetricsEndpoint.PortTaken e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        try (metrics) {
            return ServiceRunner.run(err, "analytics", config.applicationId(), settings.get("bootstrap.servers", "?"),
                    config.topicPrefix(), () -> {
                    AnalyticsApp app = new AnalyticsApp(config, metrics.registry());
                    app.streams().setStateListener((now, before) -> {
                        err.println("analytics " + now);
                        err.flush();
                    });
                    app.start();
                    running.set(app);
                    return new ServiceRunner.Running() {
                        @Override
                        public String failure() {
                            if (app.startFailure() != null) {
                                return "the analytics cannot start: " + app.startFailure().getMessage();
                            }
                            KafkaStreams.State s = app.state();
                            return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING
                                    ? "the analytics stopped (" + s + "; the log above says why)" : null;
                        }

                        @Override
                        public boolean close(Duration max) {
                            return app.close(max);
                        }
                    };
                });
        }
    }

    /** What /health says: null unless no broker answered at start, or Kafka Streams is in ERROR, or was stopped (its threads died). */
    static String health(AnalyticsApp app) {
        if (app == null) {
            return null;
        }
        if (app.startFailure() != null) {
            return app.startFailure().getMessage();
        }
        KafkaStreams.State s = app.state();
        return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.NOT_RUNNING
                || s == KafkaStreams.State.PENDING_SHUTDOWN ? "Kafka Streams is " + s : null;
    }

    /** What /ready says: null once Kafka Streams is RUNNING (it serves its stores and processes frames). */
    static String ready(AnalyticsApp app) {
        if (app == null) {
            return "starting";
        }
        KafkaStreams.State s = app.state();
        return s == KafkaStreams.State.RUNNING ? null : "Kafka Streams is " + s + ", not RUNNING yet";
    }
}
