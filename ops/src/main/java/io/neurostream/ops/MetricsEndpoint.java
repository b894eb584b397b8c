package io.neurostream.ops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.ops.internal.JvmMeters;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --metrics-host} and {@code --metrics-port} of a long-running command ({@code simulate},
 * {@code analytics}, {@code demo}): a Prometheus registry with the JVM's meters, served by an
 * {@link OpsHttpServer} (unless the port is {@code off}), and closed with it.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String HOST_OPTION = "--metrics-host";
    static final String PORT_OPTION = "--metrics-port";
    static final String HOST_DESCRIPTION = "Address /metrics, /health and /ready are served on (default: ${DEFAULT-VALUE}, "
            + "this machine only: they carry no authentication; 0.0.0.0 for every interface).";
    /** The port's description after its default. */
    static final String PORT_DESCRIPTION = "; 0 picks a free port, -1 or off serves nothing. The URL is printed at start "
            + "(docs/metrics.md lists the metrics).";

    /** A port that is taken: a usage error (exit 2), not a failure of the service. */
    static final class PortTaken extends RuntimeException {
        PortTaken(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final PrometheusMeterRegistry registry;
    private final JvmMeters jvm;
    private OpsHttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, String instance) {
        this.registry = registry;
        this.jvm = new JvmMeters(registry, Tags.of("instance", instance));
    }

    /**
     * The port {@code --metrics-port} asks for: 0..65535, or null for {@code -1} and {@code off}.
     *
     * @throws ParameterException anything else (a usage error)
     */
    static Integer port(CommandLine cl, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("off") || v.equals("-1")) {
            return null;
        }
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ParameterException(cl, PORT_OPTION + " must be a port 0..65535, or -1 or off, got '" + value + "'");
    }

    /**
     * A registry whose JVM meters carry the tag {@code instance}, served on {@code host:port} (not served when
     * {@code port} is null); the URL goes to {@code err}.
     *
     * @throws PortTaken when the address cannot be bound
     */
    static MetricsEndpoint start(String host, Integer port, String instance, OpsHttpServer.Check health,
            OpsHttpServer.Check ready, PrintWriter err) {
        // every meter carries the tag instance: the services set it on theirs (not as a common tag of the registry,
        // which Micrometer's Kafka binders would count twice and then drop each other's meters in a demo)
        MetricsEndpoint m = new MetricsEndpoint(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), instance);
        if (port != null) {
            try {
                m.server = OpsHttpServer.start(host, port, m.registry, health, ready);
            } catch (UncheckedIOException | IllegalArgumentException e) {
                m.close();
                throw new PortTaken("cannot serve metrics on " + host + ":" + port + " (" + PORT_OPTION + " " + port + ", "
                        + HOST_OPTION + " " + host + "): " + Main.describe(e.getCause() != null ? e.getCause() : e)
                        + "; pick another port with " + PORT_OPTION + ", or " + PORT_OPTION + " off", e);
            }
            err.println("metrics: " + m.server.uri() + "/metrics (health: /health, readiness: /ready)");
            err.flush();
        }
        return m;
    }

    /** The registry the process's meters go into (the same one for every part of a {@code demo}). */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The server, or null when the port is off. */
    OpsHttpServer server() {
        return server;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        jvm.close();
        registry.close();
    }
}
