package io.neurostream.ops.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A stand-in for the dashboard's server, for the page's browser tests: serves the real page from the classpath
 * (GET / and /static/...) and answers the API of the dashboard protocol from a script, with no Kafka.
 *
 * <p>Every API request is recorded (method, path with query, body, Authorization header) so a test can check what
 * the page asked. The stream of a connection is the list {@link #streamScript} returns for the query the page
 * sent; an element {@link #pause(long)} waits, every other element is one event. The stream then stays open,
 * with keepalive comments, until the page closes it.
 */
final class ScriptedDashboardServer implements AutoCloseable {
    static final String NETWORK = "n1";
    private static final String WEB = "io/neurostream/ops/dashboard/web/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the page made to the API. */
    record Request(String method, String pathAndQuery, String body, String authorization) {
        Map<String, Object> json() {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = JSON.readValue(body, Map.class);
                return map;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Map<String, String> query() {
            return parseQuery(pathAndQuery);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-dashboard");
        t.setDaemon(true);
        return t;
    });
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** The answer to a control command, by command name; APPLIED when absent. */
    final Map<String, Map<String, Object>> controlAnswers = new ConcurrentHashMap<>();
    /** When set, every /api request needs {@code Authorization: Bearer T} or {@code token=T}. */
    volatile String requiredToken;
    volatile Object layout = layout();
    /** The newest raster column written to any stream, -1 before the first. */
    final AtomicLong lastRasterColumnSent = new AtomicLong(-1);
    volatile Function<Map<String, String>, List<Object>> streamScript = query -> List.of(hello(query));

    private ScriptedDashboardServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static ScriptedDashboardServer start() throws IOException {
        return new ScriptedDashboardServer();
    }

    String url(String pathAndFragment) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndFragment;
    }

    /** The requests whose path (before any query) is {@code path}, oldest first. */
    List<Request> requestsTo(String method, String path) {
        List<Request> found = new ArrayList<>();
        for (Request r : requests) {
            String p = r.pathAndQuery().split("\\?", 2)[0];
            if (r.method().equals(method) && p.equals(path)) {
                found.add(r);
            }
        }
        return found;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- scripted content ----------------------------------------------------------------------------------

    /** 40 raster rows: A E 0-19, A I 20-29, B E 30-35, B I 36-39; one sense, "vision" into A. */
    static Map<String, Object> layout() {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("id", NETWORK);
        l.put("neuron_count", 40);
        l.put("dt_ms", 0.1);
        l.put("lattice", List.of(8, 6, 2, 1));
        l.put("rows", 40);
        l.put("groups", List.of(
                group("A", "E", "A_E", 0, 20), group("A", "I", "A_I", 20, 10),
                group("B", "E", "B_E", 30, 6), group("B", "I", "B_I", 36, 4)));
        l.put("areas", List.of(
                Map.of("name", "A", "x", List.of(0, 3), "y", List.of(0, 2), "z", List.of(0, 1), "w", List.of(0, 0)),
                Map.of("name", "B", "x", List.of(4, 7), "y", List.of(3, 5), "z", List.of(0, 1), "w", List.of(0, 0))));
        l.put("senses", List.of(Map.of("name", "vision", "area", "A")));
        return l;
    }

    private static Map<String, Object> group(String area, String eClass, String population, int start, int count) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("area", area);
        g.put("e_class", eClass);
        g.put("population", population);
        g.put("row_start", start);
        g.put("row_count", count);
        return g;
    }

    /** The hello event for the page's query on {@link #layout()}. */
    static Event hello(Map<String, String> query) {
        return hello(query, 40);
    }

    /** The hello event for the page's query: its own rows, cols and window, 0.1 ms ticks, band [0.5, 2]. */
    static Event hello(Map<String, String> query, int layoutRows) {
        int rows = Integer.parseInt(query.getOrDefault("rows", "400"));
        int cols = Integer.parseInt(query.getOrDefault("cols", "1000"));
        double windowMs = Double.parseDouble(query.getOrDefault("window_ms", "5000"));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("view", query.getOrDefault("view", "committed"));
        h.put("from", query.getOrDefault("from", "live"));
        h.put("window_ms", windowMs);
        h.put("rows", rows);
        h.put("cols", cols);
        h.put("ms_per_col", windowMs / cols);
        h.put("rows_per_bin", (double) layoutRows / rows);
        h.put("dt_ms", 0.1);
        h.put("balance_band", List.of(0.5, 2.0));
        return new Event("hello", h);
    }

    /** A raster event of {@code ncols} columns from {@code col0}, each column's lit row bins given. */
    static Event raster(Map<String, String> query, long col0, int[]... litBinsPerColumn) {
        int rows = Integer.parseInt(query.getOrDefault("rows", "400"));
        int cols = Integer.parseInt(query.getOrDefault("cols", "1000"));
        double msPerCol = Double.parseDouble(query.getOrDefault("window_ms", "5000")) / cols;
        int bytesPerCol = (rows + 7) / 8;
        byte[] bitmap = new byte[bytesPerCol * litBinsPerColumn.length];
        for (int c = 0; c < litBinsPerColumn.length; c++) {
            for (int bin : litBinsPerColumn[c]) {
                bitmap[c * bytesPerCol + (bin >> 3)] |= (byte) (1 << (bin & 7));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("t0_ms", col0 * msPerCol);
        r.put("col0", col0);
        r.put("ncols", litBinsPerColumn.length);
        r.put("bitmap", java.util.Base64.getEncoder().encodeToString(bitmap));
        return new Event("raster", r);
    }

    /** One server-sent event. */
    record Event(String type, Object data) { }

    /** A script element that waits before the next event. */
    record Pause(long millis) { }

    static Pause pause(long millis) {
        return new Pause(millis);
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (path.equals("/") || path.startsWith("/static/")) {
                serveStatic(exchange, path.equals("/") ? "index.html" : path.substring("/static/".length()));
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String pathAndQuery = path + (rawQuery == null ? "" : "?" + rawQuery);
            requests.add(new Request(exchange.getRequestMethod(), pathAndQuery, body,
                    exchange.getRequestHeaders().getFirst("Authorization")));
            Map<String, String> query = parseQuery(pathAndQuery);
            if (!authorized(exchange, query)) {
                json(exchange, 401, Map.of("error", "missing or wrong token"));
                return;
            }
            String prefix = "/api/networks/" + NETWORK;
            if (path.equals("/api/networks")) {
                json(exchange, 200, Map.of("networks", List.of(status())));
            } else if (path.equals(prefix + "/layout")) {
                json(exchange, 200, layout);
            } else if (path.equals(prefix + "/history")) {
                json(exchange, 200, Map.of("first_t_ms", 2000, "last_t_ms", 9000, "live_t_ms", 9000));
            } else if (path.equals(prefix + "/neuron")) {
                json(exchange, 200, neuron(query));
            } else if (path.equals(prefix + "/control") && exchange.getRequestMethod().equals("POST")) {
                Object command = JSON.readValue(body, Map.class).get("command");
                json(exchange, 200, controlAnswers.getOrDefault(String.valueOf(command),
                        answer("APPLIED", null, command + " applied at tick 100")));
            } else if (path.equals(prefix + "/input") && exchange.getRequestMethod().equals("POST")) {
                if (body.contains("\"target\"")) {
                    json(exchange, 200, Map.of("answer", "SENT", "input_id", "in-1"));
                } else {   // as InputLines says it
                    json(exchange, 400, Map.of("error", "line 1: no \"target\""));
                }
            } else if (path.equals(prefix + "/stream")) {
                stream(exchange, query);
            } else {
                json(exchange, 404, Map.of("error", "no such path " + path));
            }
        }
    }

    static Map<String, Object> answer(String answer, String reason, String message) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("answer", answer);
        a.put("reason", reason);
        a.put("message", message);
        return a;
    }

    private static Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", NETWORK);
        s.put("state", "RUNNING");
        s.put("mode", "REALTIME");
        s.put("tick", 15000);
        s.put("t_ms", 1500.0);
        s.put("rt_factor", 0.98);
        s.put("rejected", 0);
        s.put("stalled_ms", 0);
        s.put("dt_ms", 0.1);
        return s;
    }

    /** Row R is neuron 1000 + R; lattice cell (x, y) of an area is neuron 5000 + 10 x + y. */
    private static Map<String, Object> neuron(Map<String, String> query) {
        Map<String, Object> n = new LinkedHashMap<>();
        if (query.containsKey("row")) {
            int row = Integer.parseInt(query.get("row"));
            n.put("neuron_id", 1000 + row);
            n.put("area", row < 30 ? "A" : "B");
            n.put("population", row < 20 ? "A_E" : row < 30 ? "A_I" : row < 36 ? "B_E" : "B_I");
            n.put("e_class", row < 20 || (row >= 30 && row < 36) ? "E" : "I");
            n.put("x", 0);
            n.put("y", 0);
        } else {
            int x = Integer.parseInt(query.get("x"));
            int y = Integer.parseInt(query.get("y"));
            n.put("neuron_id", 5000 + 10 * x + y);
            n.put("area", query.get("area"));
            n.put("population", query.get("area") + "_E");
            n.put("e_class", "E");
            n.put("x", x);
            n.put("y", y);
        }
        n.put("z", 0);
        n.put("w", 0);
        return n;
    }

    private boolean authorized(HttpExchange exchange, Map<String, String> query) {
        String token = requiredToken;
        if (token == null) {
            return true;
        }
        return ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))
                || token.equals(query.get("token"));
    }

    private void stream(HttpExchange exchange, Map<String, String> query) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            for (Object element : streamScript.apply(query)) {
                if (element instanceof Pause p) {
                    Thread.sleep(p.millis());
                } else {
                    Event e = (Event) element;
                    out.write(("event: " + e.type() + "\ndata: " + JSON.writeValueAsString(e.data()) + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    if (e.type().equals("raster") && e.data() instanceof Map<?, ?> r) {
                        long last = ((Number) r.get("col0")).longValue() + ((Number) r.get("ncols")).longValue() - 1;
                        lastRasterColumnSent.accumulateAndGet(last, Math::max);
                    }
                }
            }
            while (!Thread.currentThread().isInterrupted()) {   // open until the page goes away
                Thread.sleep(500);
                out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | InterruptedException closed) {
            // the page closed the stream (reconnect, new page) or the server stops
        }
    }

    private static void serveStatic(HttpExchange exchange, String file) throws IOException {
        try (InputStream in = ScriptedDashboardServer.class.getClassLoader().getResourceAsStream(WEB + file)) {
            if (in == null || file.contains("..")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = in.readAllBytes();
            String type = file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript"
                    : file.endsWith(".css") ? "text/css" : "text/plain";
            exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    static Map<String, String> parseQuery(String pathAndQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return query;
        }
        for (String pair : pathAndQuery.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }
}
