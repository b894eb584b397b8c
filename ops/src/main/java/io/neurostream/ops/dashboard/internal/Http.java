package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The dashboard's small HTTP helpers: JSON answers, one-line JSON errors, query parameters, bounded bodies. */
public final class Http {
    /** The one JSON mapper of the dashboard (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The content type of every JSON answer. */
    public static final String JSON_TYPE = "application/json; charset=utf-8";
    /** The largest request body read, bytes: a control command or one input line (a MATRIX line may be long). */
    public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private Http() {
    }

    /** A fresh JSON object. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Answers {@code status} with a JSON body (and closes the exchange). HEAD gets the headers only. */
    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        send(exchange, status, JSON_TYPE, bytes);
    }

    /** Answers {@code status} with {@code {"error": message}}: every 4xx/5xx of the API. */
    public static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, object().put("error", message));
    }

    /** Answers with {@code body} of {@code contentType}, and closes the exchange. */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The query's parameters (the first value of each), decoded. */
    public static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = exchange.getRequestURI().getRawQuery();
        if (q == null || q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    /**
     * The request body as UTF-8, or null when it is longer than {@link #MAX_BODY_BYTES}.
     */
    public static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
            return b.length > MAX_BODY_BYTES ? null : new String(b, StandardCharsets.UTF_8);
        }
    }
}
