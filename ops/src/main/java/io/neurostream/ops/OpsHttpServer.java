package io.neurostream.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's HTTP endpoints of a long-running process (simulator, analytics, dashboard):
 * <ul>
 *   <li>{@code /metrics}: the registry in Prometheus' text format, for a Prometheus scrape;</li>
 *   <li>{@code /health}: 200 {@code ok} while the process's parts run, else 503 with what is wrong (a
 *       liveness probe: restart the process on 503);</li>
 *   <li>{@code /ready}: 200 {@code ready} once the process can serve, else 503 with why not yet (a
 *       readiness probe: send it no traffic yet).</li>
 * </ul>
 * It binds {@value #DEFAULT_HOST} unless told otherwise, because the endpoints carry no authentication;
 * port 0 picks a free port ({@link #port()} says which). Only GET and HEAD are answered (others: 405).
 * Requests are served by two daemon threads of its own, so a slow scrape never runs on the caller's or the
 * simulator's threads.
 *
 * <p>A process that serves more (the dashboard) passes {@link Extra extra contexts} and the threads they
 * need: the JDK server runs each exchange on one pool thread until its handler returns, so a long-lived
 * response (a server-sent event stream) holds a thread for as long as it lasts. The extra handlers must
 * bound how many such responses they keep open, below the extra threads, and refuse the rest (503), or a
 * request beyond the bound would wait in the pool's queue instead of being answered.
 */
public final class OpsHttpServer implements AutoCloseable {
    /** The address bound when none is given: loopback only, since nothing here asks who is asking. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The content type of Prometheus' text exposition format 0.0.4, which every Prometheus scrapes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";
    private static final int THREADS = 2;

    /**
     * Contexts served beside {@code /metrics}, {@code /health} and {@code /ready}, and the threads added for them.
     *
     * @param handlers     by context path ({@code createContext} semantics: a path prefix); {@code "/"} replaces the
     *                     default 404 answer of every other path
     * @param extraThreads threads added to the pool for these handlers (each long-lived response holds one)
     */
    public record Extra(Map<String, HttpHandler> handlers, int extraThreads) {
        public Extra {
            handlers = Map.copyOf(handlers);
            if (extraThreads < 0) {
                throw new IllegalArgumentException("extraThreads must be >= 0, got " + extraThreads);
            }
            for (String path : handlers.keySet()) {
                if (path.equals("/metrics") || path.equals("/health") || path.equals("/ready") || !path.startsWith("/")) {
                    throw new IllegalArgumentException("cannot serve extra context '" + path + "'");
                }
            }
        }

        /** No extra contexts, no extra threads. */
        public static Extra none() {
            return new Extra(Map.of(), 0);
        }
    }

    /** One health or readiness condition of the process. */
    @FunctionalInterface
    public interface Check {
        /** Null when the condition holds, else one line saying what is wrong or what is awaited. */
        String problem();
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} and starts serving.
     *
     * @param host   the address to bind ({@link #DEFAULT_HOST} for loopback only)
     * @param port   the port; 0 picks a free one
     * @param registry what {@code /metrics} shows
     * @param health whether the process's parts run ({@code /health})
     * @param ready  whether the process is ready to serve ({@code /ready})
     * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
     */
    public static OpsHttpServer start(String host, int port, PrometheusMeterRegistry registry, Check health, Check ready) {
        return start(host, port, registry, health, ready, Extra.none());
    }

    /**
     * Binds {@code host:port} and starts serving the operator's endpoints and {@code extra}'s contexts.
     *
     * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
     * @see #start(String, int, PrometheusMeterRegistry, Check, Check)
     */
    public static OpsHttpServer start(String host, int port, PrometheusMeterRegistry registry, Check health, Check ready,
            Extra extra) {
        Objects.requireNonNull(extra, "extra");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(ready, "ready");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS + extra.extraThreads(), r -> {
            Thread t = new Thread(r, "neurostream-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> serve(exchange, "/metrics",
                () -> new Reply(200, PROMETHEUS_TEXT, registry.scrape())));
        server.createContext("/health", exchange -> serve(exchange, "/health", () -> answer(health, "ok")));
        server.createContext("/ready", exchange -> serve(exchange, "/ready", () -> answer(ready, "ready")));
        extra.handlers().forEach(server::createContext);
        if (!extra.handlers().containsKey("/")) {
            server.createContext("/", exchange -> serve(exchange, "/",
                    () -> new Reply(404, PLAIN_TEXT, "not found: try /metrics, /health or /ready\n")));
        }
        server.start();
        return new OpsHttpServer(server, executor);
    }

    /** The port bound (the one picked when 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base address, e.g. {@code http://127.0.0.1:9404}, for logs and tests. */
    public URI uri() {
        String host = server.getAddress().getHostString();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    /** Stops serving at once (a scrape in flight is cut) and frees the port. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Reply(int status, String contentType, String body) {
    }

    private interface Responder {
        Reply reply();
    }

    private static Reply answer(Check check, String fine) {
        String problem;
        try {
            problem = check.problem();
        } catch (RuntimeException e) {
            problem = "the check failed: " + e;
        }
        return problem == null ? new Reply(200, PLAIN_TEXT, fine + "\n") : new Reply(503, PLAIN_TEXT, problem + "\n");
    }

    private static void serve(HttpExchange exchange, String path, Responder responder) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            Reply reply;
            if (!exchange.getRequestURI().getPath().equals(path) && !path.equals("/")) {
                // createContext matches prefixes: /metricsfoo is not /metrics
                reply = new Reply(404, PLAIN_TEXT, "not found: try /metrics, /health or /ready\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply = new Reply(405, PLAIN_TEXT, "only GET and HEAD\n");
            } else {
                try {
                    reply = responder.reply();
                } catch (RuntimeException e) {
                    reply = new Reply(500, PLAIN_TEXT, "internal error: " + e + "\n");
                }
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(reply.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
