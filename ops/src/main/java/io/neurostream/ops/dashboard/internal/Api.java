package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.neurostream.ingest.Answer;
import io.neurostream.ingest.InputLines;
import io.neurostream.ingest.NeuroStreamClient;
import io.neurostream.ops.Answers;
import io.neurostream.ops.ControlCommand;
import io.neurostream.schemas.avro.ExternalInput;
import io.neurostream.schemas.avro.Status;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.KafkaException;

/**
 * {@code /api/...}: the networks, a network's layout, neurons and history, its event stream
 * ({@link Streams}), and commands and inputs, which go through the same client calls as
 * {@code neurostream control} and {@code neurostream send} and are answered in the same words. Commands and
 * inputs need the token when one is set; viewing needs it only when asked to.
 */
public final class Api implements HttpHandler {
    /** How long an input may wait for the broker's acknowledgement, s. */
    private static final long SEND_TIMEOUT_S = 30;

    private final Backend backend;
    private final Streams streams;
    private final History history;
    private final Token token;
    private final boolean tokenForViewing;
    private final AtomicLong inputs = new AtomicLong();

    /**
     * @param token           the token, or null for none
     * @param tokenForViewing whether viewing (every GET) needs the token too
     */
    public Api(Backend backend, Streams streams, History history, Token token, boolean tokenForViewing) {
        this.backend = backend;
        this.streams = streams;
        this.history = history;
        this.token = token;
        this.tokenForViewing = tokenForViewing;
    }

    /** A request that is wrong: its status and one line. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (Refusal r) {
            Http.error(exchange, r.status, r.getMessage());
        } catch (KafkaException e) {
            Http.error(exchange, 503, "Kafka: " + oneLine(e));
        } catch (RuntimeException e) {
            Http.error(exchange, 500, "internal error: " + oneLine(e));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException, Refusal {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        List<String> parts = new ArrayList<>(List.of(uri.getPath().substring(1).split("/", -1)));
        // api, networks, [id, what]
        if (parts.size() < 2 || !parts.get(1).equals("networks") || parts.size() == 3 || parts.size() > 4) {
            throw new Refusal(404, "no such API path: " + uri.getPath());
        }
        boolean write = method.equals("POST");
        if (!write && !method.equals("GET") && !method.equals("HEAD")) {
            throw new Refusal(405, "only GET, HEAD and POST");
        }
        if (token != null && (write || tokenForViewing) && !token.admits(exchange)) {
            throw new Refusal(401, "this needs the dashboard's token: header 'Authorization: Bearer T' or query parameter token=T");
        }
        if (write) {
            checkOrigin(exchange);
        }
        if (parts.size() == 2) {
            requireMethod(method, false);
            ArrayNode list = Http.JSON.createArrayNode();
            backend.statuses().forEach(s -> list.add(Backend.statusJson(s)));
            ObjectNode o = Http.object();
            o.set("networks", list);
            Http.json(exchange, 200, o);
            return;
        }
        String id = parts.get(2);
        String what = parts.get(3);
        Map<String, String> query = Http.query(exchange);
        switch (what) {
            case "layout" -> {
                requireMethod(method, false);
                Http.json(exchange, 200, layout(id).json());
            }
            case "neuron" -> {
                requireMethod(method, false);
                Http.json(exchange, 200, neuron(layout(id), query));
            }
            case "history" -> {
                requireMethod(method, false);
                Http.json(exchange, 200, history.span(status(id)));
            }
            case "stream" -> {
                requireMethod(method, false);
                streams.serve(exchange, id, query);
            }
            case "control" -> {
                requireMethod(method, true);
                Http.json(exchange, 200, control(id, body(exchange)));
            }
            case "input" -> {
                requireMethod(method, true);
                Http.json(exchange, 200, input(id, Http.body(exchange)));
            }
            default -> throw new Refusal(404, "no such API path: " + uri.getPath());
        }
    }

    private static void requireMethod(String method, boolean post) throws Refusal {
        if (post != method.equals("POST")) {
            throw new Refusal(405, post ? "this takes POST" : "this takes GET");
        }
    }

    /**
     * A browser sends {@code Origin} with every POST: one from another site's page (which could otherwise post
     * to a dashboard on this machine's loopback) is refused.
     */
    private static void checkOrigin(HttpExchange exchange) throws Refusal {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.equals("null") && host != null && !origin.equals("http://" + host)
                && !origin.equals("https://" + host)) {
            throw new Refusal(403, "a command from another site's page (Origin " + origin + ") is refused");
        }
    }

    private Status status(String id) throws Refusal {
        return backend.status(id).orElseThrow(() -> new Refusal(404, "no network '" + id + "'"));
    }

    private Layout layout(String id) throws Refusal {
        Optional<Layout> l = backend.layout(status(id));
        return l.orElseThrow(() -> new Refusal(404, "network '" + id + "' has no topology yet"));
    }

    private static ObjectNode neuron(Layout layout, Map<String, String> q) throws Refusal {
        int id;
        if (q.containsKey("row")) {
            id = layout.neuronAtRow(integer(q, "row"));
            if (id < 0) {
                throw new Refusal(404, "no raster row " + q.get("row") + " (rows 0.." + (layout.neuronCount() - 1) + ")");
            }
        } else if (q.containsKey("area")) {
            String area = q.get("area");
            int x = integer(q, "x");
            int y = integer(q, "y");
            int z = integer(q, "z");
            int w = q.containsKey("w") ? integer(q, "w") : 0;
            id = layout.neuronAt(x, y, z, w);
            if (id < 0 || layout.areaOf(id) == Layout.NO_AREA || !layout.areaNames().get(layout.areaOf(id)).equals(area)) {
                throw new Refusal(404, "no neuron of area '" + area + "' at (" + x + ", " + y + ", " + z + ", " + w + ")");
            }
        } else {
            throw new Refusal(400, "neuron takes row=R, or area=A&x=X&y=Y&z=Z[&w=W]");
        }
        return layout.neuronJson(id);
    }

    private static int integer(Map<String, String> q, String name) throws Refusal {
        String v = q.get(name);
        if (v == null) {
            throw new Refusal(400, "missing query parameter " + name);
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Refusal(400, "query parameter " + name + " must be an integer, got '" + v + "'");
        }
    }

    private static JsonNode body(HttpExchange exchange) throws IOException, Refusal {
        String text = Http.body(exchange);
        if (text == null) {
            throw new Refusal(413, "the body is longer than " + Http.MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode n = Http.JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new Refusal(400, "the body must be a JSON object, as {\"command\": \"pause\"}");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new Refusal(400, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    // ------------------------------------------------------------------ control

    private ObjectNode control(String id, JsonNode body) throws Refusal {
        String command = text(body, "command");
        NeuroStreamClient c = backend.commands();
        Answer a = switch (command) {
            case "start" -> c.start(id, speed(body, "factor", 1.0));
            case "pause" -> c.pause(id);
            case "resume" -> c.resume(id);
            case "stop" -> c.stop(id);
            case "reset" -> c.reset(id);
            case "step" -> {
                long ticks = integral(body, "ticks");
                if (ticks < 1) {
                    throw new Refusal(400, "step N must be at least 1, got " + ticks);
                }
                yield c.step(id, ticks);
            }
            case "speed" -> c.speed(id, speed(body, "factor", Double.NaN));
            case "probe" -> {
                JsonNode ns = body.get("neurons");
                if (ns == null || !ns.isArray() || ns.isEmpty()) {
                    throw new Refusal(400, "probe needs \"neurons\": [ids] (or command probe_clear to remove every probe)");
                }
                List<Integer> neurons = new ArrayList<>();
                for (JsonNode n : ns) {
                    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
                        throw new Refusal(400, "\"neurons\" must be neuron ids (integers >= 0), got " + n);
                    }
                    neurons.add(n.asInt());
                }
                String variable = body.has("variable") ? text(body, "variable") : "v";
                long every = body.has("every_ticks") ? integral(body, "every_ticks") : 1;
                if (every < 1 || every > Integer.MAX_VALUE) {
                    throw new Refusal(400, "--every-ticks must be at least 1, got " + every);
                }
                yield c.probe(id, neurons, List.of(variable), (int) every);
            }
            case "probe_clear" -> c.probe(id, List.of(), List.of("v"), 1);
            case "set" -> {
                String population = text(body, "population");
                String param = text(body, "param");
                JsonNode v = body.get("value");
                if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
                    throw new Refusal(400, "set needs \"value\": a finite number");
                }
                yield c.set(id, population, param, v.asDouble());
            }
            default -> throw new Refusal(400, "unknown command '" + command
                    + "': one of start, pause, resume, stop, reset, step, speed, probe, probe_clear, set");
        };
        ObjectNode o = Http.object();
        o.put("answer", a.kind().name());
        o.put("reason", a.reasonCode().orElse(null));
        o.put("message", Answers.line(a));
        return o;
    }

    private static String text(JsonNode body, String field) throws Refusal {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new Refusal(400, "\"" + field + "\" must be a non-empty string");
        }
        return n.asText();
    }

    private static long integral(JsonNode body, String field) throws Refusal {
        JsonNode n = body.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new Refusal(400, "\"" + field + "\" must be an integer");
        }
        return n.asLong();
    }

    private static double speed(JsonNode body, String field, double dflt) throws Refusal {
        JsonNode n = body.get(field);
        if (n == null && !Double.isNaN(dflt)) {
            return dflt;
        }
        if (n == null || !n.isNumber()) {
            throw new Refusal(400, "\"" + field + "\" must be a number");
        }
        String problem = ControlCommand.speedProblem(n.asDouble());
        if (problem != null) {
            throw new Refusal(400, problem);
        }
        return n.asDouble();
    }

    // ------------------------------------------------------------------ input

    private ObjectNode input(String id, String line) throws Refusal {
        if (line == null) {
            throw new Refusal(413, "the body is longer than " + Http.MAX_BODY_BYTES + " bytes");
        }
        String t = line.strip();
        if (!t.startsWith("{") || t.contains("\n")) {
            throw new Refusal(400, "an input is one JSON line, as a line of 'neurostream send' (e.g. {\"kind\": \"CURRENT\", "
                    + "\"target\": {\"populations\": [\"E\"]}, \"current\": 5.0, \"duration_ticks\": 100})");
        }
        Status st = status(id);
        // a source of its own per input, so that the default input ids (source:line) never repeat
        String source = "dashboard-" + System.currentTimeMillis() + "-" + inputs.incrementAndGet();
        InputLines.Line parsed = new InputLines(id, source, st.getDtMs()).parse(1, t);
        if (parsed == null) {
            throw new Refusal(400, "an input is one JSON line, not a comment or a blank line");
        }
        if (!parsed.ok()) {
            throw new Refusal(400, parsed.problem());
        }
        ExternalInput in = parsed.input();
        try {
            backend.commands().send(in).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "interrupted before the broker acknowledged the input");
        } catch (ExecutionException e) {
            throw new Refusal(503, "not sent: " + oneLine(e.getCause()));
        } catch (TimeoutException e) {
            throw new Refusal(503, "the broker did not acknowledge the input within " + SEND_TIMEOUT_S + " s; it may still be sent");
        }
        ObjectNode o = Http.object();
        o.put("answer", "SENT");
        o.put("input_id", in.getInputId());
        return o;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }
}
