package io.neurostream.ops.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.neurostream.ingest.OutputReader.Isolation;
import io.neurostream.schemas.avro.Status;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/networks/{id}/stream}: a viewer's server-sent events. Live, the viewer joins the one
 * {@link Feed} of its (network, view), created by the first viewer and stopped with the last; its own
 * {@link Renderer} down-samples to its pixels on its own thread, so a slow viewer only slows itself (and is
 * dropped when its queue is full). Time travel ({@code from=T_MS}) reads the committed window ending at T with
 * readers of its own, then sends only statuses. At most {@code maxViewers} streams at once (each holds a thread
 * of the HTTP server); past that, 503.
 */
public final class Streams {
    static final double MAX_WINDOW_MS = 60_000;
    static final int DEFAULT_WINDOW_MS = 5000;
    static final int DEFAULT_ROWS = 400;
    static final int MAX_ROWS = 2000;
    static final int DEFAULT_COLS = 1000;
    static final int MAX_COLS = 4000;
    private static final long KEEPALIVE_MS = 15_000;
    /** How often a time-travel viewer's status is read, ms. */
    private static final long HISTORY_STATUS_EVERY_MS = 1000;
    private static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(60);

    private final Backend backend;
    private final double[] balanceBand;
    private final Semaphore permits;
    private final Map<String, Feed> feeds = new HashMap<>();
    private final AtomicInteger viewers = new AtomicInteger();
    private final Counter feedsOpened;
    private final Counter viewersDropped;

    /**
     * @param balanceBand the E-I balance ratio's alert band, [lo, hi], shown with {@code hello}
     * @param maxViewers  streams at once
     */
    public Streams(Backend backend, double[] balanceBand, int maxViewers, MeterRegistry registry) {
        this.backend = backend;
        this.balanceBand = balanceBand.clone();
        this.permits = new Semaphore(maxViewers);
        Gauge.builder("neurostream.dashboard.viewers", viewers, AtomicInteger::get)
                .description("Event streams open now").register(registry);
        Gauge.builder("neurostream.dashboard.feeds", this, Streams::feedCount)
                .description("Watched (network, view) pairs, each with one set of Kafka readers").register(registry);
        feedsOpened = Counter.builder("neurostream.dashboard.feeds.opened")
                .description("Sets of Kafka readers opened for watched (network, view) pairs").register(registry);
        viewersDropped = Counter.builder("neurostream.dashboard.viewers.dropped")
                .description("Viewers disconnected because they fell too far behind").register(registry);
    }

    /** Stops every feed, with or without viewers: for when the server closes. */
    public synchronized void close() {
        feeds.values().forEach(Feed::stop);
    }

    private synchronized int feedCount() {
        return feeds.size();
    }

    /** The parameters of one stream request. */
    record Params(Isolation view, Double fromMs, int windowMs, int rows, int cols) {
        static Params of(Map<String, String> q) throws Api.Refusal {
            String v = q.getOrDefault("view", "committed");
            Isolation view = switch (v) {
                case "committed" -> Isolation.COMMITTED;
                case "uncommitted" -> Isolation.UNCOMMITTED;
                default -> throw new Api.Refusal(400, "view must be committed or uncommitted, got '" + v + "'");
            };
            String f = q.getOrDefault("from", "live");
            Double from = null;
            if (!f.equals("live")) {
                try {
                    from = Double.parseDouble(f);
                } catch (NumberFormatException e) {
                    from = Double.NaN;
                }
                if (!(from >= 0) || from.isInfinite()) {
                    throw new Api.Refusal(400, "from must be live or a simulated time in ms (>= 0), got '" + f + "'");
                }
            }
            return new Params(view, from, integer(q, "window_ms", DEFAULT_WINDOW_MS, 1, (int) MAX_WINDOW_MS),
                    integer(q, "rows", DEFAULT_ROWS, 1, MAX_ROWS), integer(q, "cols", DEFAULT_COLS, 1, MAX_COLS));
        }

        private static int integer(Map<String, String> q, String name, int dflt, int min, int max) throws Api.Refusal {
            String s = q.get(name);
            if (s == null) {
                return dflt;
            }
            try {
                int v = Integer.parseInt(s);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new Api.Refusal(400, name + " must be an integer in " + min + ".." + max + ", got '" + s + "'");
        }
    }

    /** Serves one viewer until it goes away, is dropped, or (time travel) forever with statuses. */
    void serve(HttpExchange exchange, String networkId, Map<String, String> query) throws IOException, Api.Refusal {
        Params p = Params.of(query);
        if (!permits.tryAcquire()) {
            throw new Api.Refusal(503, "too many viewers: this dashboard serves at most " + (permits.availablePermits()
                    + viewers.get()) + " streams at once");
        }
        viewers.incrementAndGet();
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream raw = exchange.getResponseBody(); Counting out = new Counting(new BufferedOutputStream(raw, 65536))) {
                try {
                    stream(out, networkId, p);
                } catch (RuntimeException e) {
                    // the headers are sent: the failure can only be said as an event
                    write(out, "error", Http.object().put("error", "the stream failed: " + Api.oneLine(e)));
                    out.flush();
                }
            } catch (IOException e) {
                // the viewer went away
            }
        } finally {
            viewers.decrementAndGet();
            permits.release();
        }
    }

    /** The stream to a viewer, counting what was written (a keepalive is due only after 15 s of nothing). */
    private static final class Counting extends java.io.FilterOutputStream {
        long bytes;
        private long keptAliveAt;
        private long lastNanos = System.nanoTime();

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes += len;
        }

        /** Writes {@code : keepalive} when nothing was written for {@value #KEEPALIVE_MS} ms, then flushes. */
        void flushOrKeepAlive(long nowNanos) throws IOException {
            if (bytes != keptAliveAt) {
                keptAliveAt = bytes;
                lastNanos = nowNanos;
            } else if (nowNanos - lastNanos > KEEPALIVE_MS * 1_000_000L) {
                write(": keepalive\n\n".getBytes(StandardCharsets.US_ASCII));
                keptAliveAt = bytes;
                lastNanos = nowNanos;
            }
            flush();
        }
    }

    private static void write(OutputStream out, String type, ObjectNode data) throws IOException {
        out.write(("event: " + type + "\ndata: " + data.toString() + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void stream(Counting out, String networkId, Params p) throws IOException {
        Optional<Status> st = backend.status(networkId);
        Optional<Layout> layout = st.isEmpty() ? Optional.empty() : backend.layout(st.get());
        if (layout.isEmpty()) {
            write(out, "error", Http.object().put("error", st.isEmpty() ? "no network '" + networkId + "'"
                    : "network '" + networkId + "' has no topology yet"));
            out.flush();
            return;
        }
        Status status = st.get();
        Layout l = layout.get();
        int neuronRows = l.neuronCount();
        ObjectNode hello = Http.object();
        hello.put("view", p.view() == Isolation.COMMITTED ? "committed" : "uncommitted");
        if (p.fromMs() == null) {
            hello.put("from", "live");
        } else {
            hello.put("from", p.fromMs());
        }
        hello.put("window_ms", p.windowMs());
        hello.put("rows", p.rows());
        hello.put("cols", p.cols());
        hello.put("ms_per_col", (double) p.windowMs() / p.cols());
        hello.put("rows_per_bin", (double) neuronRows / p.rows());
        hello.put("dt_ms", l.dtMs());
        hello.put("neuron_rows", neuronRows);
        hello.putArray("balance_band").add(balanceBand[0]).add(balanceBand[1]);
        write(out, "hello", hello);
        out.flush();
        Renderer.Sink sink = (type, data) -> write(out, type, data);
        if (p.fromMs() != null) {
            travel(out, networkId, p, status, l, sink);
        } else {
            live(out, networkId, p, status, l, sink);
        }
    }

    // ------------------------------------------------------------------ live

    private void live(Counting out, String networkId, Params p, Status status, Layout l, Renderer.Sink sink)
            throws IOException {
        Viewer viewer = new Viewer();
        Feed feed = join(networkId, p.view(), status, p.windowMs(), viewer);
        try {
            Renderer r = new Renderer(l, p.rows(), p.cols(), p.windowMs(), status.getSimTimeMs() - p.windowMs(),
                    Double.POSITIVE_INFINITY, true, sink);
            List<Item> batch = new ArrayList<>();
            boolean snapshotTaken = false;
            while (true) {
                if (viewer.dropped()) {
                    viewersDropped.increment();
                    write(out, "error", Http.object().put("error", "this viewer fell too far behind and was disconnected"));
                    out.flush();
                    return;
                }
                if (!snapshotTaken) {
                    List<Item> s = viewer.takeSnapshot();
                    if (s != null) {
                        snapshotTaken = true;
                        for (Item i : s) {
                            if (i.kind() == Item.Kind.FAILED) {
                                r.accept(i);
                                out.flush();
                                return;
                            }
                            r.accept(i);
                        }
                    }
                }
                batch.clear();
                Item first = snapshotTaken ? viewer.poll(1000 / Renderer.RASTER_PER_S) : null;
                if (!snapshotTaken) {
                    sleep(20);
                }
                if (first != null) {
                    batch.add(first);
                    viewer.drainTo(batch, 4096);
                }
                for (Item i : batch) {
                    r.accept(i);
                    if (i.kind() == Item.Kind.FAILED) {
                        out.flush();
                        return;
                    }
                }
                long now = System.nanoTime();
                r.flush(now, false);
                out.flushOrKeepAlive(now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            feed.leave(viewer);
        }
    }

    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    private Feed join(String networkId, Isolation view, Status status, double windowMs, Viewer viewer) {
        String key = networkId + "\n" + view;
        synchronized (this) {
            Feed f = feeds.get(key);
            if (f != null && f.join(viewer)) {
                return f;
            }
            Feed[] box = new Feed[1];
            box[0] = new Feed(backend.readerSettings(), networkId, view, status, windowMs, () -> {
                synchronized (Streams.this) {
                    feeds.remove(key, box[0]);
                }
            });
            box[0].join(viewer);
            feeds.put(key, box[0]);
            feedsOpened.increment();
            box[0].start();
            return box[0];
        }
    }

    // ------------------------------------------------------------------ time travel

    private void travel(Counting out, String networkId, Params p, Status status, Layout l, Renderer.Sink sink)
            throws IOException {
        double t = p.fromMs();
        double start = Math.max(0.0, t - p.windowMs());
        Renderer r = new Renderer(l, p.rows(), p.cols(), p.windowMs(), start, t, false, sink);
        boolean complete;
        try (Readers readers = new Readers(backend.readerSettings(), networkId, Isolation.COMMITTED, status, start, false)) {
            IOException[] failed = new IOException[1];
            complete = readers.readUntil(item -> {
                if (failed[0] == null) {
                    try {
                        r.accept(item);
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                }
            }, t, HISTORY_TIMEOUT);
            if (failed[0] != null) {
                throw failed[0];
            }
        } catch (RuntimeException e) {
            write(out, "error", Http.object().put("error", "cannot read the history of network '" + networkId + "': "
                    + Api.oneLine(e)));
            out.flush();
            return;
        }
        r.flush(System.nanoTime(), true);
        ObjectNode end = Http.object().put("t1_ms", t);
        if (!complete) {
            end.put("incomplete", true);
        }
        write(out, "history_end", end);
        out.flush();
        while (true) {
            try {
                Thread.sleep(HISTORY_STATUS_EVERY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (Status s : backend.statuses()) { // shared by every viewer
                if (s.getNetworkId().equals(networkId)) {
                    r.status(s);
                }
            }
            long now = System.nanoTime();
            r.flush(now, false);
            out.flushOrKeepAlive(now);
        }
    }
}
