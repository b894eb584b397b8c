package io.neurostream.engine.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that process the chunks of one tick: chunk {@code c} always goes to
 * worker {@code c % threads} (the caller is worker 0), so work never moves between threads and no
 * task objects are made per tick. Each {@link #run()} returns when every chunk is done.
 *
 * <p>A tick of a mid-sized network takes tens of microseconds, less than parking and waking a thread,
 * so workers spin (with {@link Thread#onSpinWait()}) for a while before they park, and the caller spins
 * while it waits for them.
 */
public final class StepPool implements AutoCloseable {
    private static final int SPINS_BEFORE_PARK = 20_000;

    private final int threads;
    private final int chunks;
    private final IntConsumer work;
    private final Thread[] workers;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    public StepPool(int threads, int chunks, IntConsumer work) {
        this.threads = threads;
        this.chunks = chunks;
        this.work = work;
        this.workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> loop(id), "neurostream-step-" + t);
            th.setDaemon(true);
            workers[t - 1] = th;
            th.start();
        }
    }

    private void loop(int id) {
        long seen = 0;
        while (true) {
            int spins = 0;
            long g;
            while ((g = generation) == seen && !closed) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000L);
                }
            }
            if (closed) {
                return;
            }
            seen = g;
            try {
                for (int c = id; c < chunks; c += threads) {
                    work.accept(c);
                }
            } catch (Throwable t) {
                failure = t;
            }
            remaining.decrementAndGet();
        }
    }

    /** Processes all chunks once, the calling thread taking its share. */
    public void run() {
        remaining.set(threads - 1);
        generation = generation + 1;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable own = null;
        try {
            for (int c = 0; c < chunks; c += threads) {
                work.accept(c);
            }
        } catch (Throwable t) {
            own = t;
        }
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable f = own != null ? own : failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("a step worker failed", f);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        for (Thread t : workers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
