package io.neurostream.engine.internal;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads that process the chunks of one tick: chunk {@code c} always goes to
 * worker {@code c % threads} (the caller is worker 0), so work never moves between threads and no
 * task objects are made per tick. Each {@link #run()} returns when every chunk is done.
 */
public final class StepPool implements AutoCloseable {
    private final int threads;
    private final int chunks;
    private final IntConsumer work;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    private final Thread[] workers;
    private volatile boolean closed;
    private volatile Throwable failure;

    public StepPool(int threads, int chunks, IntConsumer work) {
        this.threads = threads;
        this.chunks = chunks;
        this.work = work;
        this.start = new CyclicBarrier(threads);
        this.end = new CyclicBarrier(threads);
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
        try {
            while (true) {
                start.await();
                if (closed) {
                    return;
                }
                try {
                    for (int c = id; c < chunks; c += threads) {
                        work.accept(c);
                    }
                } catch (Throwable t) {
                    failure = t;
                }
                end.await();
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Processes all chunks once, the calling thread taking its share. */
    public void run() {
        try {
            start.await();
            for (int c = 0; c < chunks; c += threads) {
                work.accept(c);
            }
            end.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("step pool interrupted", e);
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("a step worker failed", f);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            start.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
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
