package io.neurostream.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A server-sent events reader for tests: plain java.net.http, events parsed into a queue by a thread of its own. */
final class SseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event; its data parsed when asked for (a load measurement reads many and parses none). */
    record Event(String type, String raw) {
        JsonNode data() {
            try {
                return JSON.readTree(raw);
            } catch (IOException e) {
                throw new AssertionError("event " + type + " has no JSON data: " + raw, e);
            }
        }
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile long bytes;
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> bytesByType = new java.util.concurrent.ConcurrentHashMap<>();

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        if (response.statusCode() == 200) {
            reader.start();
        }
    }

    static SseClient open(HttpClient http, URI uri) throws IOException, InterruptedException {
        return new SseClient(http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()));
    }

    int status() {
        return response.statusCode();
    }

    /** Bytes received so far. */
    long bytes() {
        return bytes;
    }

    /** Bytes of data received so far, by event type. */
    java.util.Map<String, Long> bytesByType() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        bytesByType.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The body of a refusal (not a stream). */
    String refusal() throws IOException {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The next event, or null after {@code max}. */
    Event next(Duration max) throws InterruptedException {
        return events.poll(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event of this type (others skipped), or null after {@code max}. */
    Event next(String type, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (e != null && e.type().equals(type)) {
                return e;
            }
        }
        return null;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String type = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                bytes += line.length() + 1;
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(type, data.toString()));
                        bytesByType.computeIfAbsent(type, k -> new java.util.concurrent.atomic.LongAdder()).add(data.length());
                    }
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            events.add(new Event("closed", "{}"));
        } catch (IOException e) {
            events.add(new Event("closed", JSON.createObjectNode().put("error", e.toString()).toString()));
        }
    }

    @Override
    public void close() throws IOException {
        response.body().close();
    }
}
