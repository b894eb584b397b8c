package io.neurostream.ops.dashboard.internal;

import io.neurostream.ingest.OutputReader.Isolation;
import io.neurostream.schemas.avro.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one set of readers of a watched (network, view), fanned out to all its viewers: a thread that reads
 * the network's outputs and offers each item to every viewer's bounded queue, keeping up to the last
 * {@value #KEEP_MS} ms of simulated time so that a viewer who joins starts with its window filled. Started
 * by the first viewer, reading back only that viewer's window; it stops, closing its readers, {@link #LINGER}
 * after the last one leaves, unless a viewer joins again by then: a reloaded page (or a viewer switching back
 * to the network) finds its readers warm and its window filled instead of waiting for them to start again.
 */
final class Feed implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Feed.class);
    /** Simulated time kept for viewers who join: the largest window a viewer may ask for. */
    static final double KEEP_MS = Streams.MAX_WINDOW_MS;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    /** How long the readers go on without a viewer before they stop. */
    static final Duration LINGER = Duration.ofSeconds(10);

    private final Map<String, Object> settings;
    private final String networkId;
    private final Isolation isolation;
    private final Status initial;
    private final double catchUpMs;
    private final Runnable onStop;
    private final List<Viewer> viewers = new ArrayList<>();
    private final List<Viewer> waiting = new ArrayList<>(); // joined while the feed catches up
    private final ArrayDeque<Item> recent = new ArrayDeque<>();
    private double newestMs = Double.NEGATIVE_INFINITY;
    private Item lastStatus;
    private boolean caughtUp;
    private boolean stopped;
    /** System.nanoTime() when the last viewer left; Long.MIN_VALUE while any viewer is here. */
    private long emptySince = Long.MIN_VALUE;
    private Thread thread;

    /**
     * @param catchUpMs the simulated time read back before going live: the first viewer's window (a second more),
     *                  not all that is kept, so that the first viewer waits as little as possible; later viewers
     *                  with wider windows find them filled as the feed goes on
     * @param onStop    run once the feed has stopped (its readers closed), e.g. to forget it
     */
    Feed(Map<String, Object> settings, String networkId, Isolation isolation, Status initial, double catchUpMs,
            Runnable onStop) {
        this.settings = settings;
        this.networkId = networkId;
        this.isolation = isolation;
        this.initial = initial;
        this.catchUpMs = Math.min(KEEP_MS, catchUpMs + 1000);
        this.onStop = onStop;
        this.lastStatus = new Item(Item.Kind.STATUS, initial.getSimTimeMs(), initial);
    }

    void start() {
        thread = new Thread(this, "dashboard-feed-" + networkId + "-" + isolation.name().toLowerCase());
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds a viewer; false if the feed has stopped (make a new one). */
    synchronized boolean join(Viewer v) {
        if (stopped) {
            return false;
        }
        emptySince = Long.MIN_VALUE;
        if (caughtUp) {
            v.snapshot(snapshot());
            viewers.add(v);
        } else {
            waiting.add(v);
        }
        return true;
    }

    /** Removes a viewer; {@link #LINGER} after the last one out the feed stops, unless one joins by then. */
    synchronized void leave(Viewer v) {
        viewers.remove(v);
        waiting.remove(v);
        if (viewers.isEmpty() && waiting.isEmpty()) {
            emptySince = System.nanoTime();
        }
    }

    /** Stops the feed now, viewers or not (the server is closing); its thread ends after its current poll. */
    synchronized void stop() {
        stopped = true;
    }

    /** Viewers now. */
    synchronized int viewerCount() {
        return viewers.size() + waiting.size();
    }

    private List<Item> snapshot() {
        List<Item> s = new ArrayList<>(recent.size() + 1);
        s.add(lastStatus);
        s.addAll(recent);
        return s;
    }

    /**
     * Whether the feed's thread should end: stopped, or without a viewer for {@link #LINGER} (then it stops
     * here, and a viewer who comes later starts a new feed). The thread asks after every poll; no interrupt, it
     * would spoil closing the readers.
     */
    private synchronized boolean stopped() {
        if (!stopped && emptySince != Long.MIN_VALUE && System.nanoTime() - emptySince >= LINGER.toNanos()) {
            stopped = true;
        }
        return stopped;
    }

    @Override
    public void run() {
        double fromMs = initial.getSimTimeMs() - catchUpMs;
        try (Readers readers = new Readers(settings, networkId, isolation, initial, fromMs, true)) {
            readers.readToEnd(this::keep, CATCH_UP_TIMEOUT);
            synchronized (this) {
                caughtUp = true;
                for (Viewer v : waiting) {
                    v.snapshot(snapshot());
                    viewers.add(v);
                }
                waiting.clear();
            }
            Consumer<Item> publish = this::publish;
            while (!stopped()) {
                readers.poll(publish);
            }
        } catch (RuntimeException e) {
            if (!stopped()) {
                LOG.warn("dashboard feed of network '{}' ({}) failed: {}", networkId, isolation, e.toString());
                publish(new Item(Item.Kind.FAILED, newestMs, "cannot read network '" + networkId + "': " + Api.oneLine(e)));
            }
        } finally {
            synchronized (this) {
                stopped = true;
                // a viewer still waiting for the catch-up learns why nothing comes
                for (Viewer v : waiting) {
                    v.snapshot(List.of(new Item(Item.Kind.FAILED, newestMs, "the reading of network '" + networkId + "' stopped")));
                }
            }
            onStop.run();
        }
    }

    /** Keeps an item for viewers to come (catch-up: no viewer takes items yet). */
    private synchronized void keep(Item item) {
        if (item.kind() == Item.Kind.STATUS) {
            lastStatus = item;
            return;
        }
        if (item.kind() == Item.Kind.REJECTED || item.kind() == Item.Kind.FAILED) {
            return; // of the moment only
        }
        if (item.kind() == Item.Kind.SPIKES) {
            if (item.tMs() < newestMs - KEEP_MS) {
                recent.clear(); // time went back by more than is kept: a new run (RESET) began
                newestMs = item.tMs();
            }
            newestMs = Math.max(newestMs, item.tMs());
        }
        recent.addLast(item);
        while (!recent.isEmpty() && recent.peekFirst().tMs() < newestMs - KEEP_MS) {
            recent.removeFirst();
        }
    }

    private synchronized void publish(Item item) {
        keep(item);
        for (Viewer v : viewers) {
            v.offer(item);
        }
    }
}
