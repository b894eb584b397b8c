package io.neurostream.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.dashboard.DashboardServer;
import io.neurostream.ops.internal.JvmMeters;
import io.neurostream.ops.internal.Settings;
import io.neurostream.ops.internal.StopSignal;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code neurostream dashboard}: the live browser dashboard of a running service (docs/dashboard.md), until
 * Ctrl-C. How to run, with the demo's broker up: {@code ./neurostream dashboard}, then open the URL it prints.
 */
@Command(name = "dashboard",
        sortOptions = false,
        description = {
            "Serves the live dashboard of a running simulator service in the browser, until Ctrl-C.",
            "",
            "Networks with state, tick and real-time factor; spike raster, rates, E-I balance and alerts, "
                    + "membrane traces, lattice activity; time travel over the retained history; and the "
                    + "controls of neurostream control and send. Also /metrics, /health and /ready."},
        footer = {
            "",
            "Output: one line on stdout, 'dashboard at URL', once it serves.",
            "",
            "Security: bound to loopback (the default) anyone on this machine can view and control. Bound to "
                    + "any other address a token is required (--token or setting " + DashboardServer.TOKEN
                    + ", also NEUROSTREAM_DASHBOARD_TOKEN); commands and inputs need it, viewing only with "
                    + "--token-for-viewing. The server speaks plain HTTP: off loopback put a TLS proxy in front, "
                    + "or the token travels in clear text. Open the page as URL/?token=T.",
            "",
            "Settings: neurostream.topic.prefix names the topics; analytics.alert.ei.ratio.min and .max set the "
                    + "balance panel's band; any other key is a Kafka client setting.",
            "",
            "Exit codes: 130 stopped by Ctrl-C (143 after SIGTERM), 1 the port or Kafka failed, 2 bad usage or "
                    + "settings (e.g. another address than loopback without a token).",
            "",
            "Examples:",
            "  neurostream dashboard",
            "  neurostream dashboard --bootstrap-server broker1:9092 --port 8080",
            "  neurostream dashboard --host 0.0.0.0 --token \"$(openssl rand -hex 16)\"",
            "  NEUROSTREAM_DASHBOARD_TOKEN=s3cret neurostream dashboard --host 0.0.0.0 \\",
            "      --token-for-viewing"})
public final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = OpsHttpServer.DEFAULT_HOST,
            description = "The address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DashboardServer.DEFAULT_PORT,
            description = "The port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--token", paramLabel = "T",
            description = "The token commands and inputs need (header 'Authorization: Bearer T' or ?token=T); "
                    + "required off loopback. Wins over setting " + DashboardServer.TOKEN + ".")
    String token;

    @Option(names = "--token-for-viewing", description = "Viewing (the API's reads and streams) needs the token too.")
    boolean tokenForViewing;

    @Option(names = "--max-viewers", paramLabel = "N", defaultValue = "" + DashboardServer.DEFAULT_MAX_VIEWERS,
            description = "Event streams served at once; past it, 503 (default: ${DEFAULT-VALUE}).")
    int maxViewers;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        Map<String, Object> settings;
        String givenToken = token;
        try {
            Settings resolved = kafka.resolve(Map.of("bootstrap.servers", KafkaOptions.DEFAULT_BOOTSTRAP_SERVERS));
            settings = Answers.clientSettings(kafka, Answers.DEFAULT_TIMEOUT_S);
            if (givenToken == null) {
                givenToken = resolved.get(DashboardServer.TOKEN, null);
            }
            for (String band : new String[] {AnalyticsConfig.ALERT_EI_RATIO_MIN, AnalyticsConfig.ALERT_EI_RATIO_MAX}) {
                String v = resolved.get(band, null);
                if (v != null) {
                    settings.put(band, v);
                }
            }
        } catch (Settings.SettingsException | IllegalArgumentException e) {
            return Main.fail(err, e.getMessage(), Main.EXIT_USAGE);
        }
        if (maxViewers < 1) {
            return Main.fail(err, "--max-viewers must be at least 1, got " + maxViewers, Main.EXIT_USAGE);
        }
        DashboardServer.Options options = DashboardServer.Options.defaults().host(host).port(port)
                .token(givenToken, tokenForViewing).maxViewers(maxViewers);
        String problem = DashboardServer.problem(options);
        if (problem != null) {
            return Main.fail(err, problem, Main.EXIT_USAGE);
        }
        if (port < 0 || port > 65535) {
            return Main.fail(err, "--port must be in 0..65535, got " + port, Main.EXIT_USAGE);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (StopSignal stop = StopSignal.install("neurostream-dashboard-shutdown");
                JvmMeters jvm = new JvmMeters(registry)) {
            DashboardServer server;
            try {
                server = DashboardServer.start(settings, options, registry);
            } catch (UncheckedIOException | KafkaException e) {
                return Main.fail(err, "cannot start the dashboard: " + Main.describe(e), Main.EXIT_FAILURE);
            }
            try (server) {
                out.println("dashboard at " + server.uri() + "/" + (givenToken == null ? "" : " (open it as "
                        + server.uri() + "/?token=T with your token)"));
                out.flush();
                err.println("dashboard reading " + settings.get("bootstrap.servers") + " (topics "
                        + settings.get(io.neurostream.ingest.NeuroStreamClient.TOPIC_PREFIX) + "*); Ctrl-C stops it");
                err.flush();
                while (!stop.await(Duration.ofMillis(500))) {
                    // serving until a signal
                }
            }
            err.println("dashboard stopped");
            err.flush();
            return stop.signalled() ? Main.EXIT_INTERRUPTED : Main.EXIT_OK;
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            return Main.fail(err, "the dashboard failed: " + Main.describe(e), Main.EXIT_FAILURE);
        }
    }
}
