package io.neurostream.ops.dashboard.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One viewer of a live feed: a bounded queue the feed offers items to without ever waiting, and the snapshot
 * of the feed's recent items it was given when it joined. A viewer whose queue is full is marked dropped
 * (its stream is then closed, and its EventSource reconnects) rather than slowing the feed or the others.
 */
final class Viewer {
    /** Items a viewer may lag behind its feed before it is dropped (at 1 ms frames, about 10 s of spikes). */
    static final int QUEUE_ITEMS = 16_384;

    private final BlockingQueue<Item> queue;
    private volatile boolean dropped;
    private volatile List<Item> snapshot;

    Viewer() {
        this(QUEUE_ITEMS);
    }

    Viewer(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** From the feed's thread: never waits; a full queue drops the viewer. */
    void offer(Item item) {
        if (!dropped && !queue.offer(item)) {
            dropped = true;
            queue.clear();
        }
    }

    /** From the feed's thread, once: the recent items to draw before the live ones. */
    void snapshot(List<Item> items) {
        snapshot = items;
    }

    /** The snapshot, once given (then null again), else null. */
    List<Item> takeSnapshot() {
        List<Item> s = snapshot;
        snapshot = null;
        return s;
    }

    boolean dropped() {
        return dropped;
    }

    /** The next item, waiting up to {@code waitMs}; null if none came. */
    Item poll(long waitMs) throws InterruptedException {
        return queue.poll(waitMs, TimeUnit.MILLISECONDS);
    }

    /** Items waiting, without waiting, into {@code into}. */
    int drainTo(List<Item> into, int max) {
        return queue.drainTo(into, max);
    }
}
