package io.neurostream.ops.dashboard;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.neurostream.analytics.AnalyticsConfig;
import io.neurostream.ops.OpsHttpServer;
import io.neurostream.ops.dashboard.internal.Api;
import io.neurostream.ops.dashboard.internal.Backend;
import io.neurostream.ops.dashboard.internal.History;
import io.neurostream.ops.dashboard.internal.StaticFiles;
import io.neurostream.ops.dashboard.internal.Streams;
import io.neurostream.ops.dashboard.internal.Token;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The live dashboard: one page and its JSON/server-sent-events API (docs/dashboard.md) served beside
 * {@code /metrics}, {@code /health} and {@code /ready} by one {@link OpsHttpServer}, on the ingest client
 * library: statuses, layouts and the networks' outputs are read with it, and commands and inputs go through
 * it as {@code neurostream control} and {@code neurostream send} send them.
 *
 * <p>Bound to loopback no token is needed; bound elsewhere a token is required to start, and commands and
 * inputs need it (viewing too with {@link Options#tokenForViewing}). The server speaks plain HTTP: off
 * loopback, put a TLS proxy in front, or the token travels in clear text.
 */
public final class DashboardServer implements AutoCloseable {
    /** Setting: the token commands and inputs need ({@code --token} wins over it). */
    public static final String TOKEN = "dashboard.token";
    /** The port when none is given. */
    public static final int DEFAULT_PORT = 8787;
    /** The classpath folder of the page. */
    public static final String WEB_ROOT = "io/neurostream/ops/dashboard/web/";
    /** Event streams served at once (each holds a thread of the HTTP server); past it, 503. */
    public static final int DEFAULT_MAX_VIEWERS = 64;
    /** Threads for everything but the streams (pages, REST, commands awaiting their answer). */
    private static final int REQUEST_THREADS = 8;

    /**
     * How the dashboard serves.
     *
     * @param host            the address to bind ({@link OpsHttpServer#DEFAULT_HOST}: loopback)
     * @param port            the port; 0 picks a free one
     * @param token           the token, or null for none (allowed on loopback only)
     * @param tokenForViewing whether viewing (every GET of the API) needs the token too
     * @param webRoot         the classpath folder of the page ({@link #WEB_ROOT})
     * @param maxViewers      event streams at once
     */
    public record Options(String host, int port, String token, boolean tokenForViewing, String webRoot, int maxViewers) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(webRoot, "webRoot");
            if (maxViewers < 1) {
                throw new IllegalArgumentException("maxViewers must be at least 1, got " + maxViewers);
            }
        }

        /** Loopback, the default port, no token, the page from {@link #WEB_ROOT}. */
        public static Options defaults() {
            return new Options(OpsHttpServer.DEFAULT_HOST, DEFAULT_PORT, null, false, WEB_ROOT, DEFAULT_MAX_VIEWERS);
        }

        public Options host(String h) {
            return new Options(h, port, token, tokenForViewing, webRoot, maxViewers);
        }

        public Options port(int p) {
            return new Options(host, p, token, tokenForViewing, webRoot, maxViewers);
        }

        public Options token(String t, boolean forViewing) {
            return new Options(host, port, t, forViewing, webRoot, maxViewers);
        }

        public Options webRoot(String root) {
            return new Options(host, port, token, tokenForViewing, root, maxViewers);
        }

        public Options maxViewers(int n) {
            return new Options(host, port, token, tokenForViewing, webRoot, n);
        }
    }

    private final OpsHttpServer http;
    private final Streams streams;
    private final Backend backend;

    private DashboardServer(OpsHttpServer http, Streams streams, Backend backend) {
        this.http = http;
        this.streams = streams;
        this.backend = backend;
    }

    /**
     * What is wrong with serving on {@code host} with or without a token, in one line, or null if nothing is.
     * Off loopback a token is required: anyone who can reach the port could otherwise drive the networks.
     */
    public static String problem(Options o) {
        boolean hasToken = o.token() != null && !o.token().isEmpty();
        if (o.tokenForViewing() && !hasToken) {
            return "--token-for-viewing needs a token (--token T or setting " + TOKEN + ")";
        }
        if (hasToken) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(o.host());
            return a.isLoopbackAddress() ? null : "the dashboard binds " + o.host() + ", which is not loopback: give it "
                    + "a token (--token T or setting " + TOKEN + "), or bind 127.0.0.1";
        } catch (UnknownHostException e) {
            return "unknown host '" + o.host() + "'";
        }
    }

    /**
     * Starts serving.
     *
     * @param settings Kafka client settings, the topic prefix ({@code neurostream.topic.prefix}), optionally the
     *                 answer timeout; analytics' E-I band keys (for the balance panel's band) are read and not
     *                 passed to Kafka
     * @param registry what {@code /metrics} shows; the dashboard adds its viewer and reader meters
     * @throws IllegalArgumentException when {@link #problem} says the options are wrong
     * @throws java.io.UncheckedIOException when the address cannot be bound
     * @throws org.apache.kafka.common.KafkaException when the clients cannot be made from the settings
     */
    public static DashboardServer start(Map<String, Object> settings, Options options, PrometheusMeterRegistry registry) {
        return start(settings, options, registry, () -> null, null);
    }

    /**
     * {@link #start(Map, Options, PrometheusMeterRegistry)} for a process that runs more than the dashboard
     * (the demo): {@code /health} answers {@code health}, and {@code /ready} answers {@code ready} once the
     * dashboard itself can read the networks' statuses (a null {@code ready}: the dashboard's own check only).
     */
    public static DashboardServer start(Map<String, Object> settings, Options options, PrometheusMeterRegistry registry,
            OpsHttpServer.Check health, OpsHttpServer.Check ready) {
        String problem = problem(options);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Map<String, Object> s = new HashMap<>(settings);
        s.remove(TOKEN);
        Map<String, Object> band = AnalyticsConfig.DEF.defaultValues();
        double lo = number(s.remove(AnalyticsConfig.ALERT_EI_RATIO_MIN), band.get(AnalyticsConfig.ALERT_EI_RATIO_MIN));
        double hi = number(s.remove(AnalyticsConfig.ALERT_EI_RATIO_MAX), band.get(AnalyticsConfig.ALERT_EI_RATIO_MAX));
        Backend backend = new Backend(s);
        try {
            Streams streams = new Streams(backend, new double[] {lo, hi}, options.maxViewers(), registry);
            Api api = new Api(backend, streams, new History(backend.readerSettings()), Token.of(options.token()),
                    options.tokenForViewing());
            OpsHttpServer.Check readable = () -> {
                try {
                    backend.statuses();
                    return null;
                } catch (RuntimeException e) {
                    return "cannot read the status topic: " + e.getMessage();
                }
            };
            OpsHttpServer.Check readyToo = ready == null ? readable : () -> {
                String why = ready.problem();
                return why != null ? why : readable.problem();
            };
            OpsHttpServer http = OpsHttpServer.start(options.host(), options.port(), registry, health, readyToo,
                    new OpsHttpServer.Extra(Map.of("/", new StaticFiles(options.webRoot()), "/api/", api),
                            options.maxViewers() + REQUEST_THREADS));
            return new DashboardServer(http, streams, backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static double number(Object v, Object dflt) {
        if (v == null) {
            return ((Number) dflt).doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            return ((Number) dflt).doubleValue();
        }
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8787}. */
    public URI uri() {
        return http.uri();
    }

    /** Stops serving (open streams are cut) and closes the clients. */
    @Override
    public void close() {
        try {
            http.close();
            streams.close(); // the feeds that linger for a viewer to come back
        } finally {
            backend.close();
        }
    }
}
